package io.mnemo4j.mcp.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The official MCP TypeScript SDK client ({@code @modelcontextprotocol/sdk}, pinned in {@code
 * mnemo4j-mcp/src/test/node/package.json} and installed by {@code scripts/test-clients.sh}, which
 * {@code ./run-tests} runs), driven through {@code mcp-client.mjs}: a script of steps in, one JSON
 * report out. Not thread-safe (one script at a time per instance).
 */
public final class NodeClient {
  private final ObjectNode script = McpContract.JSON.createObjectNode();
  private final ArrayNode steps = script.putArray("steps");

  private NodeClient() {}

  /** A client of the Streamable HTTP endpoint at {@code url} sending these headers. */
  public static NodeClient http(String url, Map<String, String> headers) {
    NodeClient c = new NodeClient();
    c.script.put("transport", "http");
    c.script.put("url", url);
    c.script.set("headers", McpContract.JSON.valueToTree(headers));
    return c;
  }

  /** A client that starts {@code command args} and talks to it over stdio. */
  public static NodeClient stdio(String command, List<String> args, Map<String, String> env) {
    NodeClient c = new NodeClient();
    c.script.put("transport", "stdio");
    c.script.put("command", command);
    c.script.set("args", McpContract.JSON.valueToTree(args));
    c.script.set("env", McpContract.JSON.valueToTree(env));
    return c;
  }

  /** Adds {@code tools/list}. */
  public NodeClient listTools() {
    steps.addObject().put("op", "listTools");
    return this;
  }

  /** Adds {@code prompts/list}. */
  public NodeClient listPrompts() {
    steps.addObject().put("op", "listPrompts");
    return this;
  }

  /** Adds {@code tools/call}. */
  public NodeClient call(String tool, JsonNode arguments) {
    ObjectNode s = steps.addObject();
    s.put("op", "callTool");
    s.put("name", tool);
    s.set("arguments", arguments);
    return this;
  }

  /** Adds {@code count} timed calls of one tool after {@code warmup} untimed ones. */
  public NodeClient timedCalls(String tool, JsonNode arguments, int warmup, int count) {
    ObjectNode s = steps.addObject();
    s.put("op", "timedCalls");
    s.put("name", tool);
    s.set("arguments", arguments);
    s.put("warmup", warmup);
    s.put("count", count);
    return this;
  }

  /** Runs the script and returns the client's report. */
  public Report run(Duration timeout) {
    Path dir = dir();
    Path err;
    try {
      err = Files.createTempFile("mcp-node-client", ".stderr");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      ProcessBuilder pb =
          new ProcessBuilder(node(), dir.resolve("mcp-client.mjs").toString())
              .directory(dir.toFile())
              .redirectError(err.toFile());
      Process p = pb.start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(McpContract.JSON.writeValueAsBytes(script));
      }
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        fail("the Node.js MCP client did not finish within %s; stderr:%n%s", timeout, read(err));
      }
      String text = new String(out, StandardCharsets.UTF_8).strip();
      assertThat(p.exitValue()).as("node exit code; stderr:%n%s", read(err)).isZero();
      assertThat(text).as("node report; stderr:%n%s", read(err)).startsWith("{");
      return new Report(McpContract.JSON.readTree(text), read(err));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      try {
        Files.deleteIfExists(err);
      } catch (IOException ignored) {
        // a temp file
      }
    }
  }

  /** What the client reported, plus its stderr (the server's too, over stdio). */
  public record Report(JsonNode json, String stderr) {
    /** Whether the client connected (initialize succeeded). */
    public boolean connected() {
      return json.path("connected").asBoolean(false);
    }

    /** The connection error of a client that did not connect. */
    public JsonNode connectError() {
      assertThat(connected()).as("expected a refused connection: %s", json).isFalse();
      return json.get("error");
    }

    /** The value of step {@code i}, which must have succeeded. */
    public JsonNode step(int i) {
      assertThat(connected()).as("connected: %s%nstderr:%n%s", json, stderr).isTrue();
      JsonNode r = json.get("results").get(i);
      assertThat(r.path("ok").asBoolean()).as("step %d: %s", i, r).isTrue();
      return r.get("value");
    }

    /** The error of step {@code i}, which must have failed at the protocol level. */
    public JsonNode stepError(int i) {
      JsonNode r = json.get("results").get(i);
      assertThat(r.path("ok").asBoolean(true)).as("step %d: %s", i, r).isFalse();
      return r.get("error");
    }
  }

  /** The directory of the Node.js client, with its packages installed. */
  public static Path dir() {
    String configured = System.getProperty("mnemo.mcp.node.dir");
    List<Path> candidates =
        configured != null
            ? List.of(Path.of(configured))
            : List.of(Path.of("src/test/node"), Path.of("../mnemo4j-mcp/src/test/node"));
    for (Path c : candidates) {
      if (Files.isRegularFile(c.resolve("mcp-client.mjs"))) {
        Path sdk = c.resolve("node_modules/@modelcontextprotocol/sdk/package.json");
        if (!Files.isRegularFile(sdk)) {
          fail(
              "the MCP TypeScript SDK is not installed in %s; run scripts/test-clients.sh"
                  + " (./run-tests does)",
              c.toAbsolutePath().normalize());
        }
        return c.toAbsolutePath().normalize();
      }
    }
    return fail("mnemo4j-mcp/src/test/node not found from %s", Path.of("").toAbsolutePath());
  }

  private static String node() {
    String configured = System.getenv("MNEMO_NODE");
    return configured == null || configured.isBlank() ? "node" : configured;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "(stderr unreadable: " + e + ")";
    }
  }
}
