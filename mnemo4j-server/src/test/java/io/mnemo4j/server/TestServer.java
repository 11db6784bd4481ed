package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mnemo4j.Mnemo;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import io.mnemo4j.testing.HashingEmbedder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A real server on a random loopback port over a fresh embedded data dir, and an HTTP client for
 * it.
 */
final class TestServer implements AutoCloseable {
  static final String ADMIN_KEY = "test-admin-key-0123456789abcdef";
  static final ObjectMapper MAPPER = new ObjectMapper();

  final Path dir;
  final Mnemo mnemo;
  final MnemoServer server;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final ByteArrayOutputStream console = new ByteArrayOutputStream();

  TestServer() {
    this(defaultConfig());
  }

  TestServer(ServerConfig config) {
    dir = tempDir();
    mnemo = builder(dir).build();
    server = MnemoServer.start(console(config), mnemo);
  }

  /**
   * A server whose {@link Mnemo} is customised (a language model, a clock, async limits...) and
   * whose model usage is counted by {@code meter}, wired as a CLI wires it.
   */
  TestServer(ServerConfig config, UnaryOperator<Mnemo.Builder> customize, ModelUsageMeter meter) {
    dir = tempDir();
    mnemo = customize.apply(builder(dir).usageListener(meter)).build();
    server = MnemoServer.start(console(config), mnemo, meter);
  }

  /** The default test configuration: random port, known admin key, 64 KiB bodies. */
  static ServerConfig defaultConfig() {
    return ServerConfig.defaults()
        .withPort(0)
        .withAdminKey(ADMIN_KEY)
        .withMaxRequestBytes(64 * 1024);
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("mnemo-server-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Mnemo.Builder builder(Path dir) {
    return Mnemo.builder()
        .dataDir(dir)
        .embedder(MnemoServer.timedEmbedder(new HashingEmbedder()))
        .backend(EmbeddedBackend.create())
        .autoCreateTenants(false);
  }

  private ServerConfig console(ServerConfig config) {
    return config.withConsole(new PrintStream(console, true, StandardCharsets.UTF_8));
  }

  String base() {
    return "http://127.0.0.1:" + server.port();
  }

  /** One HTTP exchange: status, raw body and parsed JSON (null when the body is not JSON). */
  record Res(int status, String body, @Nullable JsonNode json, @Nullable HttpResponse<String> raw) {
    JsonNode j() {
      assertThat(json).as("JSON body of %s: %s", status, body).isNotNull();
      return json;
    }

    Res ok() {
      assertThat(status).as("status; body: %s", body).isBetween(200, 299);
      return this;
    }

    Res status(int expected) {
      assertThat(status).as("status; body: %s", body).isEqualTo(expected);
      return this;
    }

    /** Asserts the JSON error shape and its code. */
    Res error(int expected, String code) {
      status(expected);
      assertThat(j().has("error")).as("error body: %s", body).isTrue();
      assertThat(j().get("error").get("code").asText()).as("body: %s", body).isEqualTo(code);
      assertThat(j().get("error").has("message")).isTrue();
      assertThat(j().get("error").has("field")).isTrue();
      assertThat(body).doesNotContain("Exception").doesNotContain("\tat ");
      return this;
    }

    String field() {
      return j().get("error").get("field").asText();
    }
  }

  Res send(String method, String path, @Nullable String key, @Nullable String body) {
    return send(method, path, key, body, Map.of());
  }

  /** One exchange with extra request headers. */
  Res send(
      String method,
      String path,
      @Nullable String key,
      @Nullable String body,
      Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30));
    if (key != null) {
      b.header("Authorization", "Token " + key);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    headers.forEach(b::header);
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json = null;
      try {
        json = r.body().isEmpty() ? null : MAPPER.readTree(r.body());
      } catch (IOException notJson) {
        json = null;
      }
      return new Res(r.statusCode(), r.body(), json, r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Res get(String path, @Nullable String key) {
    if (!UriCheck.wellEscaped(path)) {
      return rawGet(path, key); // java.net.URI refuses a malformed escape before sending it
    }
    return send("GET", path, key, null);
  }

  /** A GET with the request target sent exactly as given, over a plain socket. */
  Res rawGet(String target, @Nullable String key) {
    return raw("GET", target, key, null);
  }

  /** One exchange with the request target sent exactly as given, over a plain socket. */
  Res raw(String method, String target, @Nullable String key, @Nullable String body) {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(30_000);
      byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      String request =
          method
              + " "
              + target
              + " HTTP/1.1\r\nHost: 127.0.0.1:"
              + server.port()
              + "\r\n"
              + (key == null ? "" : "Authorization: Token " + key + "\r\n")
              + (body == null
                  ? ""
                  : "Content-Type: application/json\r\nContent-Length: " + content.length + "\r\n")
              + "Connection: close\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().write(content);
      socket.getOutputStream().flush();
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(response.substring(9, 12));
      int split = response.indexOf("\r\n\r\n");
      String head = response.substring(0, split);
      String answer = response.substring(split + 4);
      if (head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
        answer = dechunk(answer);
      }
      JsonNode json;
      try {
        json = answer.isEmpty() ? null : MAPPER.readTree(answer);
      } catch (IOException notJson) {
        json = null;
      }
      return new Res(status, answer, json, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String dechunk(String chunked) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < chunked.length()) {
      int eol = chunked.indexOf("\r\n", i);
      int size = Integer.parseInt(chunked.substring(i, eol).strip(), 16);
      if (size == 0) {
        break;
      }
      out.append(chunked, eol + 2, eol + 2 + size);
      i = eol + 2 + size + 2;
    }
    return out.toString();
  }

  Res post(String path, @Nullable String key, String body) {
    return send("POST", path, key, body);
  }

  Res put(String path, @Nullable String key, String body) {
    return send("PUT", path, key, body);
  }

  Res delete(String path, @Nullable String key) {
    return send("DELETE", path, key, null);
  }

  /** Creates a tenant through the admin API and returns its first key. */
  String tenant(String id) {
    Res r = post("/v1/tenants", ADMIN_KEY, "{\"id\":\"" + id + "\"}").status(201);
    return r.j().get("api_key").asText();
  }

  /** Issues a key of {@code tenant} narrowed to {@code user}. */
  String userKey(String tenant, String user) {
    return post("/v1/tenants/" + tenant + "/keys", ADMIN_KEY, "{\"user_id\":\"" + user + "\"}")
        .status(201)
        .j()
        .get("api_key")
        .asText();
  }

  static String json(Object o) {
    try {
      return MAPPER.writeValueAsString(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.close();
    mnemo.close();
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort
    }
  }
}
