package io.mnemo4j.cli;

import static io.mnemo4j.mcp.testing.McpContract.answer;
import static io.mnemo4j.mcp.testing.McpContract.obj;
import static io.mnemo4j.mcp.testing.McpContract.toolError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mnemo mcp} as an MCP client starts it: a child process of the CLI's main class on a data
 * dir prepared by other {@code mnemo} commands (real embedder), driven over stdio by the official
 * Java and TypeScript SDK clients; and its refusals before serving (exit codes, nothing on stdout).
 */
class McpCommandTest {
  @TempDir Path dataDir;
  CliTestSupport cli;

  @BeforeEach
  void setUp() {
    cli = new CliTestSupport(dataDir);
    cli.run("tenants", "create", "acme").ok();
    cli.run("tenants", "create", "globex").ok();
    cli.run("add", "--tenant", "acme", "Our CRM is called Atlas").ok();
    cli.run("add", "--tenant", "globex", "--user", "alice", "The Globex merger code is Falcon")
        .ok();
  }

  private static List<String> mnemo(String... args) {
    return ChildJvm.arguments(MnemoCli.class, args);
  }

  @Test
  void javaClient_mcpCommand_listsToolsAddsThenFindsBySenseAndKeepsTenantsApart() {
    McpSyncClient client =
        JavaClients.stdio(
            JavaClients.javaBinary(),
            mnemo("--data-dir", dataDir.toString(), "mcp", "--tenant", "acme", "--user", "alice"),
            Map.of());
    try {
      McpSchema.InitializeResult init = client.initialize();
      assertThat(init.serverInfo().name()).isEqualTo("mnemo4j");
      McpContract.assertToolList(JavaClients.json(client.listTools()).get("tools"));
      JsonNode added =
          answer(
              JavaClients.call(
                  client, "add_memory", obj("text", "I am allergic to peanuts and shellfish")),
              false);
      assertThat(added.get("results").get(0).get("event").asText()).isEqualTo("ADD");
      JsonNode found =
          answer(
              JavaClients.call(
                  client, "search_memories", obj("query", "what food should I avoid?", "limit", 1)),
              false);
      assertThat(found.get("results").findValuesAsText("memory"))
          .containsExactly("I am allergic to peanuts and shellfish");
      assertThat(found.get("results").get(0).get("user_id").asText()).isEqualTo("alice");
      JsonNode org =
          answer(
              JavaClients.call(client, "search_memories", obj("query", "which CRM do we use?")),
              false);
      assertThat(org.get("results").findValuesAsText("memory")).contains("Our CRM is called Atlas");
      JsonNode other =
          answer(
              JavaClients.call(
                  client,
                  "search_memories",
                  obj("query", "merger code", "filters", obj("user_id", "*"))),
              false);
      assertThat(other.toString()).doesNotContain("Falcon");
      assertThat(
              toolError(
                      JavaClients.call(client, "get_memories", obj("page_size", 0)),
                      "invalid_request")
                  .get("field")
                  .asText())
          .isEqualTo("page_size");
      assertThat(JavaClients.json(client.ping())).isNotNull();
    } finally {
      client.closeGracefully();
    }
    // What the session stored is there for the other commands.
    JsonNode listed = cli.run("--json", "list", "--tenant", "acme", "--user", "alice").ok().json();
    assertThat(CliTestSupport.memories(listed))
        .containsExactly("I am allergic to peanuts and shellfish");
  }

  @Test
  void typeScriptClient_mcpCommandWithConfigFile_servesTheConfiguredDataDir() throws IOException {
    Path config = dataDir.resolveSibling(dataDir.getFileName() + "-mnemo.yaml");
    Files.writeString(config, "data_dir: " + dataDir + "\n");
    try {
      NodeClient.Report r =
          NodeClient.stdio(
                  JavaClients.javaBinary(),
                  mnemo(
                      "--config",
                      config.toString(),
                      "mcp",
                      "--tenant",
                      "acme",
                      "--agent",
                      "cursor"),
                  Map.of())
              .listTools()
              .call("search_memories", obj("query", "which CRM do we use?"))
              .call("add_memory", obj("text", "The build uses Maven", "app_id", "ide"))
              .call("add_memory", obj("text", "The build uses Maven"))
              .call("list_entities", obj())
              .run(Duration.ofMinutes(3));
      McpContract.assertToolList(r.step(0).get("tools"));
      assertThat(answer(r.step(1), false).get("results").findValuesAsText("memory"))
          .contains("Our CRM is called Atlas");
      assertThat(toolError(r.step(2), "invalid_request").get("field").asText()).isEqualTo("app_id");
      answer(r.step(3), false);
      JsonNode entities = answer(r.step(4), false).get("results");
      assertThat(entities.findValuesAsText("name")).containsExactly("cursor");
      assertThat(entities.get(0).get("type").asText()).isEqualTo("agent");
    } finally {
      Files.deleteIfExists(config);
    }
  }

  /**
   * Standard output is the protocol channel: with the real embedder loaded (native code included),
   * every line the client reads is a JSON-RPC message, and closing stdin ends the process cleanly.
   */
  @Test
  void mcpCommand_stdoutCarriesOnlyJsonRpc_andEndOfInputExitsZero() throws Exception {
    List<String> command = new ArrayList<>();
    command.add(JavaClients.javaBinary());
    command.addAll(mnemo("--data-dir", dataDir.toString(), "mcp", "--tenant", "acme"));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    List<String> lines = new ArrayList<>();
    try (OutputStream in = p.getOutputStream();
        BufferedReader out =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      in.write(
          ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                  + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}\n"
                  + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
                  + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":"
                  + "\"search_memories\",\"arguments\":{\"query\":\"which CRM do we use?\"}}}\n")
              .getBytes(StandardCharsets.UTF_8));
      in.flush();
      lines.add(out.readLine());
      lines.add(out.readLine());
      in.close();
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        lines.add(line);
      }
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(lines).hasSize(2);
    for (String line : lines) {
      assertThat(McpContract.JSON.readTree(line).get("jsonrpc").asText()).as(line).isEqualTo("2.0");
    }
    JsonNode search = McpContract.JSON.readTree(lines.get(1));
    assertThat(answer(search.get("result"), false).get("results").findValuesAsText("memory"))
        .containsExactly("Our CRM is called Atlas");
  }

  @Test
  void mcp_unknownTenant_exitsOneWithTheMessageOnStderrAndNothingOnStdout() {
    CliTestSupport.Result r = cli.run("mcp", "--tenant", "nope");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .contains("tenant nope not found; create it with: mnemo tenants create nope");
  }

  @Test
  void mcp_badInput_exitsTwo() {
    CliTestSupport.Result missing = cli.run("mcp");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.out()).isEmpty();
    assertThat(missing.err()).contains("--tenant");
    CliTestSupport.Result wildcard = cli.run("mcp", "--tenant", "acme", "--user", "*");
    assertThat(wildcard.code()).isEqualTo(2);
    assertThat(wildcard.out()).isEmpty();
    assertThat(wildcard.err()).contains("(field: user_id)");
  }
}
