package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.Mnemo;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Admin key bootstrap, graceful shutdown and readiness. */
class LifecycleTest {
  @Test
  void start_withoutAdminKey_generatesOnePrintedOnceAndStoredHashed() {
    try (TestServer s = new TestServer(ServerConfig.defaults().withPort(0))) {
      String out = s.console.toString(StandardCharsets.UTF_8);
      Matcher m = Pattern.compile("(mnemo_[A-Za-z0-9_-]+)").matcher(out);
      assertThat(m.find()).as("console: %s", out).isTrue();
      String admin = m.group(1);
      s.get("/v1/tenants", admin).ok();
      // a second server on the same catalog finds the admin key and prints nothing
      java.io.ByteArrayOutputStream second = new java.io.ByteArrayOutputStream();
      try (MnemoServer again =
          MnemoServer.start(
              ServerConfig.defaults()
                  .withPort(0)
                  .withConsole(new java.io.PrintStream(second, true, StandardCharsets.UTF_8)),
              s.mnemo)) {
        assertThat(second.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(again.port()).isNotEqualTo(s.server.port());
      }
      assertThat(s.mnemo.admin().keys().listAdmin()).hasSize(1);
    }
  }

  /**
   * Regression: the admin key was generated, stored and printed before the server bound its port,
   * so a failed bind (port taken) used up the one-time key: printed to a console nobody watched for
   * a server that never ran, and never generated again. It is now generated only once the server
   * listens: a failed start leaves no admin key behind and prints none, and the next start prints
   * one.
   */
  @Test
  void start_whenThePortIsTaken_printsAndStoresNoAdminKey() throws Exception {
    try (java.net.ServerSocket taken =
            new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"));
        TestServer s = new TestServer()) {
      Mnemo fresh = freshMnemo();
      try {
        java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
        ServerConfig config =
            ServerConfig.defaults()
                .withPort(taken.getLocalPort())
                .withConsole(new java.io.PrintStream(console, true, StandardCharsets.UTF_8));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MnemoServer.start(config, fresh))
            .isInstanceOf(RuntimeException.class);
        assertThat(console.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(fresh.admin().keys().listAdmin()).isEmpty();
        try (MnemoServer ok = MnemoServer.start(config.withPort(0), fresh)) {
          assertThat(console.toString(StandardCharsets.UTF_8)).contains("mnemo_");
          assertThat(fresh.admin().keys().listAdmin()).hasSize(1);
        }
      } finally {
        fresh.close();
      }
    }
  }

  private static Mnemo freshMnemo() throws java.io.IOException {
    return Mnemo.builder()
        .dataDir(java.nio.file.Files.createTempDirectory("mnemo-bind-test"))
        .embedder(new io.mnemo4j.testing.HashingEmbedder())
        .backend(io.mnemo4j.store.embedded.EmbeddedBackend.create())
        .autoCreateTenants(false)
        .build();
  }

  @Test
  void close_waitsForAnInFlightRequest() throws Exception {
    try (TestServer s = new TestServer()) {
      String key = s.tenant("graceful");
      String body = "{\"user_id\":\"alice\",\"text\":\"written during shutdown\"}";
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      try (Socket socket = new Socket("127.0.0.1", s.server.port())) {
        OutputStream out = socket.getOutputStream();
        out.write(
            ("POST /v1/mem/add HTTP/1.1\r\nHost: localhost\r\nAuthorization: Token "
                    + key
                    + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + bytes.length
                    + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(bytes, 0, 10); // the handler is now blocked reading the rest of the body
        out.flush();
        Thread.sleep(300);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(s.server::close);
        Thread.sleep(300);
        assertThat(closing).isNotDone();
        out.write(bytes, 10, bytes.length - 10);
        out.flush();
        InputStream in = socket.getInputStream();
        String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        assertThat(response).startsWith("HTTP/1.1 200").contains("\"event\":\"ADD\"");
        closing.get(
            java.util.concurrent.TimeUnit.SECONDS.toMillis(20),
            java.util.concurrent.TimeUnit.MILLISECONDS);
      }
      assertThat(
              s.mnemo
                  .tenant("graceful")
                  .getAll(io.mnemo4j.Selection.everywhere(), io.mnemo4j.PageRequest.first(10))
                  .items())
          .hasSize(1);
    }
  }

  @Test
  void metricsTenantLabels_whenEnabled_labelByTenantId() {
    try (TestServer s =
        new TestServer(
            ServerConfig.defaults()
                .withPort(0)
                .withAdminKey(TestServer.ADMIN_KEY)
                .withMetricsTenantLabels(true))) {
      String key = s.tenant("labelled");
      s.post("/v1/mem/add", key, "{\"text\":\"counted\"}").ok();
      assertThat(s.get("/metrics", null).body())
          .contains("tenant=\"labelled\"")
          .doesNotContain("tenant_bucket");
      s.send("FROBNICATE", "/v1/mem", key, null);
      assertThat(s.get("/metrics", null).body()).doesNotContain("FROBNICATE");
    }
  }

  @Test
  void jettyLevelErrors_areJsonToo() throws Exception {
    try (TestServer s = new TestServer();
        Socket socket = new Socket("127.0.0.1", s.server.port())) {
      socket
          .getOutputStream()
          .write(
              ("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(response).startsWith("HTTP/1.1 431").contains("\"error\"").doesNotContain("<html");
    }
  }

  @Test
  void ready_is503OnceMnemoIsClosed() {
    try (TestServer s = new TestServer()) {
      String key = s.tenant("ready");
      s.get("/ready", null).ok();
      s.mnemo.close();
      s.get("/ready", null).status(503);
      s.get("/health", null).ok();
      s.post("/v1/mem/search", key, "{\"query\":\"x\"}").error(503, "store_unavailable");
    }
  }
}
