package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Mem0's official TypeScript client ({@code mem0ai}, pinned in {@code src/test/node/package.json}
 * and installed by {@code scripts/test-clients.sh}, which {@code ./run-tests} runs) against a real
 * server on a random port: ping, add, search, getAll (pages and creation dates), get, update,
 * history, batch update, users (entities, paged), delete, the deprecated deleteUser, deleteUsers
 * and deleteAll, in the order an app calls them. The script ({@code mem0-client.mjs}) prints what
 * every call returned; the assertions are the fields the client's types promise its users.
 */
class Mem0ClientTest {
  private static final Path NODE_DIR = Path.of("src", "test", "node");

  @Test
  void officialTypeScriptClient_everyCall_worksAgainstTheServer() throws Exception {
    assertThat(NODE_DIR.resolve("node_modules/mem0ai/package.json"))
        .as("mem0ai is installed: run scripts/test-clients.sh (./run-tests does)")
        .exists();
    try (TestServer s = new TestServer()) {
      String key = s.tenant("tsclient");
      JsonNode out = run(s.base(), key);

      assertThat(out.get("ping").get("organizationId").asText()).isEqualTo("tsclient");

      JsonNode add = out.get("add");
      assertThat(add.get("status").asText()).isEqualTo("SUCCEEDED");
      assertThat(add.get("results")).hasSize(1);
      assertThat(add.get("results").get(0).get("event").asText()).isEqualTo("ADD");
      assertThat(add.get("results").get(0).get("memory").asText())
          .isEqualTo("I love hiking in the Alps");
      assertThat(out.get("addText").get("results").get(0).get("memory").asText())
          .isEqualTo("I drink green tea every morning");

      JsonNode orphan = out.get("addWithoutEntity");
      assertThat(orphan.has("unexpected")).as("an add without entity fails: %s", orphan).isFalse();
      assertThat(orphan.get("code").asText()).isEqualTo("HTTP_400");
      assertThat(orphan.get("message").asText()).contains("user_id");

      JsonNode hits = out.get("search").get("results");
      assertThat(hits).isNotEmpty();
      assertThat(hits.get(0).get("memory").asText()).isEqualTo("I love hiking in the Alps");
      assertThat(hits.get(0).get("userId").asText()).isEqualTo("alice");
      assertThat(hits.get(0).get("score").isNumber()).isTrue();
      assertThat(hits.get(0).get("metadata").get("topic").asText()).isEqualTo("outdoors");

      JsonNode page = out.get("getAllPage");
      assertThat(page.get("count").asInt()).isEqualTo(2);
      assertThat(page.get("results")).hasSize(1);
      assertThat(page.get("next").asText()).contains("page=2");
      assertThat(out.get("getAllPast").get("count").asInt()).isZero();
      assertThat(out.get("getAllToday").get("count").asInt()).isEqualTo(2);

      String hikingId = add.get("results").get(0).get("id").asText();
      assertThat(out.get("get").get("id").asText()).isEqualTo(hikingId);
      assertThat(out.get("get").get("createdAt").asText()).isNotBlank();
      assertThat(out.get("update").get("memory").asText())
          .isEqualTo("I love hiking in the Dolomites");
      assertThat(out.get("update").get("metadata").get("topic").asText()).isEqualTo("mountains");
      assertThat(out.get("updateTimestamp").get("code").asText()).isEqualTo("HTTP_501");
      assertThat(out.get("updateTimestamp").get("message").asText()).contains("timestamp");

      List<String> events = new ArrayList<>();
      out.get("history").forEach(h -> events.add(h.get("event").asText()));
      assertThat(events).containsExactly("ADD", "UPDATE");
      assertThat(out.get("history").get(1).get("newMemory").asText())
          .isEqualTo("I love hiking in the Dolomites");
      assertThat(out.get("afterBatch").get("memory").asText())
          .isEqualTo("I drink green tea every afternoon");

      JsonNode users = out.get("users");
      assertThat(users.get("count").asInt()).isEqualTo(3);
      List<String> names = new ArrayList<>();
      users
          .get("results")
          .forEach(u -> names.add(u.get("type").asText() + ":" + u.get("name").asText()));
      assertThat(names).containsExactlyInAnyOrder("user:alice", "user:bob", "agent:helper");
      assertThat(out.get("usersPage2").get("results")).hasSize(1);
      assertThat(out.get("usersPage2").get("previous").asText()).contains("page=1");

      assertThat(out.get("delete").get("message").asText()).contains("deleted");
      assertThat(out.get("getDeleted").get("code").asText()).isEqualTo("HTTP_404");
      assertThat(out.get("deleteUser").get("message").asText()).contains("deleted");
      assertThat(out.get("deleteUsers").get("message").asText()).contains("deleted");
      assertThat(out.get("deleteAll").get("message").asText()).contains("deleted");
      assertThat(out.get("usersAfter").get("count").asInt()).isZero();
      assertThat(s.get("/v1/mem?all=true", key).ok().j().get("results")).isEmpty();
    }
  }

  /** Runs the client script against {@code base} and returns what it printed. */
  private static JsonNode run(String base, String key) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("node", "mem0-client.mjs").directory(NODE_DIR.toFile());
    pb.environment().put("MNEMO_URL", base);
    pb.environment().put("MNEMO_KEY", key);
    pb.environment().put("MEM0_TELEMETRY", "false"); // the client would post events to PostHog
    Process p = pb.start();
    CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> read(p, true));
    CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> read(p, false));
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the mem0ai client script did not finish in 120 s");
    }
    String out = new String(stdout.join(), StandardCharsets.UTF_8);
    String err = new String(stderr.join(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("node exit code; stderr:\n%s\nstdout:\n%s", err, out).isZero();
    String last = out.strip().lines().reduce((a, b) -> b).orElse("");
    return TestServer.MAPPER.readTree(last);
  }

  private static byte[] read(Process p, boolean out) {
    try {
      return (out ? p.getInputStream() : p.getErrorStream()).readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }

  /** The script sits beside its package.json, which pins the client's exact version. */
  @Test
  void clientVersion_isPinned() throws IOException {
    JsonNode pkg = TestServer.MAPPER.readTree(Files.readString(NODE_DIR.resolve("package.json")));
    assertThat(pkg.get("dependencies").get("mem0ai").asText()).matches("\\d+\\.\\d+\\.\\d+");
  }
}
