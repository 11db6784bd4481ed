package io.mnemo4j.mcp;

import static io.mnemo4j.mcp.testing.McpContract.answer;
import static io.mnemo4j.mcp.testing.McpContract.obj;
import static io.mnemo4j.mcp.testing.McpContract.toolError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Scope;
import io.mnemo4j.mcp.testing.JavaClients;
import io.mnemo4j.mcp.testing.McpContract;
import io.mnemo4j.mcp.testing.NodeClient;
import io.mnemo4j.testing.ChildJvm;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tools over stdio in a child JVM, driven by the official Java and TypeScript SDK clients:
 * initialize, the exact tool list, add then search, refusals that leave the session alive, and a
 * second tenant that is never reached.
 */
class StdioTransportTest {
  private Path dir;

  @BeforeEach
  void prepare() throws IOException {
    dir = Files.createTempDirectory("mnemo-mcp-stdio");
    try (Mnemo mnemo = TestMemory.open(dir)) {
      mnemo.admin().createTenant("acme");
      mnemo.admin().createTenant("globex");
      mnemo
          .existingTenant("acme")
          .add(List.of(Message.user("Our CRM is called Atlas")), Scope.tenantWide());
      mnemo
          .existingTenant("globex")
          .add(List.of(Message.user("The Globex merger code is Falcon")), Scope.user("alice"));
    }
  }

  @AfterEach
  void cleanUp() throws IOException {
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private List<String> childArgs(String tenant, String user) {
    return ChildJvm.arguments(StdioChild.class, dir.toString(), tenant, user);
  }

  @Test
  void javaClient_overStdio_listsToolsAddsSearchesAndSurvivesBadArguments() {
    McpSyncClient client =
        JavaClients.stdio(JavaClients.javaBinary(), childArgs("acme", "alice"), Map.of());
    try {
      McpSchema.InitializeResult init = client.initialize();
      assertThat(init.serverInfo().name()).isEqualTo("mnemo4j");
      assertThat(init.instructions()).contains("memory");
      McpContract.assertToolList(JavaClients.json(client.listTools()).get("tools"));

      JsonNode added =
          answer(
              JavaClients.call(
                  client, "add_memory", obj("text", "Alice prefers the aisle seat on trains")),
              false);
      assertThat(added.get("results").get(0).get("event").asText()).isEqualTo("ADD");

      JsonNode bad =
          toolError(
              JavaClients.call(client, "search_memories", obj("limit", 5)), "invalid_request");
      assertThat(bad.get("field").asText()).isEqualTo("query");
      bad =
          toolError(
              JavaClients.call(client, "search_memories", obj("query", "seat", "limit", "many")),
              "invalid_request");
      assertThat(bad.get("field").asText()).isEqualTo("limit");
      assertThat(client.ping()).isNotNull();

      JsonNode found =
          answer(
              JavaClients.call(client, "search_memories", obj("query", "aisle seat trains CRM")),
              false);
      assertThat(found.get("results").findValuesAsText("memory"))
          .contains("Alice prefers the aisle seat on trains", "Our CRM is called Atlas");

      JsonNode everyone =
          answer(
              JavaClients.call(
                  client,
                  "search_memories",
                  obj("query", "Globex merger code Falcon", "filters", obj("user_id", "*"))),
              false);
      assertThat(everyone.get("results").findValuesAsText("memory"))
          .doesNotContain("The Globex merger code is Falcon");

      assertThat(client.listPrompts().prompts())
          .extracting(McpSchema.Prompt::name)
          .containsExactly("memory_assistant");
    } finally {
      client.closeGracefully();
    }
  }

  @Test
  void typeScriptClient_overStdio_listsToolsAddsSearchesAndSurvivesBadArguments() {
    NodeClient.Report r =
        NodeClient.stdio(JavaClients.javaBinary(), childArgs("acme", "alice"), Map.of())
            .listTools()
            .call("add_memory", obj("text", "Alice prefers the aisle seat on trains"))
            .call(
                "add_memory",
                obj(
                    "text",
                    "x",
                    "messages",
                    McpContract.arr(obj("role", "robot", "content", "hi"))))
            .call("get_memory", obj("memory_id", "not-a-uuid"))
            .call("search_memories", obj("query", "aisle seat on trains"))
            .call(
                "search_memories",
                obj("query", "merger code Falcon", "filters", obj("user_id", "*")))
            .listPrompts()
            .run(Duration.ofMinutes(2));
    assertThat(r.json().get("serverVersion").get("name").asText()).isEqualTo("mnemo4j");
    McpContract.assertToolList(r.step(0).get("tools"));
    assertThat(answer(r.step(1), false).get("results").get(0).get("event").asText())
        .isEqualTo("ADD");
    assertThat(toolError(r.step(2), "invalid_request").get("field").asText())
        .isEqualTo("messages[0].role");
    assertThat(toolError(r.step(3), "invalid_request").get("field").asText())
        .isEqualTo("memory_id");
    assertThat(answer(r.step(4), false).get("results").findValuesAsText("memory"))
        .contains("Alice prefers the aisle seat on trains");
    assertThat(answer(r.step(5), false).get("results").findValuesAsText("memory"))
        .doesNotContain("The Globex merger code is Falcon");
    assertThat(r.step(6).get("prompts").get(0).get("name").asText()).isEqualTo("memory_assistant");
  }

  /** Stdout is the protocol channel: every line a client reads must be a JSON-RPC message. */
  @Test
  void stdout_carriesOnlyJsonRpcLines() throws Exception {
    List<String> command = new ArrayList<>();
    command.add(JavaClients.javaBinary());
    command.addAll(childArgs("acme", "alice"));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (OutputStream in = p.getOutputStream();
        BufferedReader out =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String init =
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
              + "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}\n"
              + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
              + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"search_memories\","
              + "\"arguments\":{\"query\":\"CRM\"}}}\n";
      in.write(init.getBytes(StandardCharsets.UTF_8));
      in.flush();
      JsonNode first = McpContract.JSON.readTree(out.readLine());
      JsonNode second = McpContract.JSON.readTree(out.readLine());
      assertThat(first.get("id").asInt()).isEqualTo(1);
      assertThat(first.get("result").get("serverInfo").get("name").asText()).isEqualTo("mnemo4j");
      assertThat(second.get("id").asInt()).isEqualTo(2);
      assertThat(answer(second.get("result"), false).get("results").findValuesAsText("memory"))
          .containsExactly("Our CRM is called Atlas");
    }
    // Closing stdin ends the session and the process.
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
  }
}
