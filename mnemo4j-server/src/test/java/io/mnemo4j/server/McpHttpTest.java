package io.mnemo4j.server;

import static io.mnemo4j.mcp.testing.McpContract.answer;
import static io.mnemo4j.mcp.testing.McpContract.obj;
import static io.mnemo4j.mcp.testing.McpContract.toolError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo4j.Scope;
import io.mnemo4j.mcp.testing.JavaClients;
import io.mnemo4j.mcp.testing.McpContract;
import io.mnemo4j.mcp.testing.NodeClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.McpHttpClientTransportAuthorizationException;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /mcp} on a real server over HTTP, driven by the official TypeScript and Java SDK clients:
 * the tool contract, add then search, tool errors naming the argument, tenant keys ({@code Bearer}
 * and {@code Token}), narrowed keys, the REST API's 401/403/404 rules, and tenant isolation.
 */
class McpHttpTest {
  private static final Duration NODE_TIMEOUT = Duration.ofMinutes(2);

  private TestServer s;
  private String acme;
  private String globex;
  private String globexSecretId;

  @BeforeEach
  void start() {
    s = new TestServer();
    acme = s.tenant("acme");
    globex = s.tenant("globex");
    s.post("/v1/mem/add", acme, "{\"text\":\"Our CRM is called Atlas\"}").ok();
    globexSecretId =
        s.post(
                "/v1/mem/add",
                globex,
                "{\"user_id\":\"alice\",\"text\":\"The Globex merger code is Falcon\"}")
            .ok()
            .j()
            .get("results")
            .get(0)
            .get("id")
            .asText();
  }

  @AfterEach
  void stop() {
    s.close();
  }

  private String url() {
    return s.base() + "/mcp";
  }

  @Test
  void typeScriptClient_bearerKey_listsToolsAddsSearchesAndRefusesBadArguments() {
    NodeClient.Report r =
        NodeClient.http(url(), Map.of("Authorization", "Bearer " + acme))
            .listTools()
            .call(
                "add_memory",
                obj("text", "Alice prefers the aisle seat on trains", "user_id", "alice"))
            .call("search_memories", obj("query", "aisle seat", "filters", obj("user_id", "alice")))
            .call("search_memories", obj("query", "aisle seat", "limit", "many"))
            .call("get_memory", obj("memory_id", globexSecretId))
            .call(
                "search_memories",
                obj("query", "merger code Falcon", "filters", obj("user_id", "*")))
            .call("list_entities", obj())
            .listPrompts()
            .run(NODE_TIMEOUT);
    assertThat(r.json().get("serverVersion").get("name").asText()).isEqualTo("mnemo4j");
    assertThat(r.json().get("instructions").asText()).contains("memory");
    McpContract.assertToolList(r.step(0).get("tools"));
    JsonNode added = answer(r.step(1), false);
    assertThat(added.get("results").get(0).get("event").asText()).isEqualTo("ADD");
    JsonNode found = answer(r.step(2), false);
    assertThat(found.get("results").findValuesAsText("memory"))
        .contains("Alice prefers the aisle seat on trains");
    assertThat(found.get("results").get(0).get("user_id").asText()).isEqualTo("alice");
    assertThat(toolError(r.step(3), "invalid_request").get("field").asText()).isEqualTo("limit");
    assertThat(toolError(r.step(4), "not_found").get("message").asText()).contains(globexSecretId);
    assertThat(answer(r.step(5), false).get("results").findValuesAsText("memory"))
        .doesNotContain("The Globex merger code is Falcon");
    assertThat(answer(r.step(6), false).get("results").findValuesAsText("name"))
        .containsExactly("alice");
    assertThat(r.step(7).get("prompts").get(0).get("name").asText()).isEqualTo("memory_assistant");
    assertThat(s.mnemo.existingTenant("acme").get(added.get("results").get(0).get("id").asText()))
        .hasValueSatisfying(m -> assertThat(m.scope()).isEqualTo(Scope.user("alice")));
  }

  @Test
  void typeScriptClient_tokenScheme_isAcceptedToo() {
    NodeClient.Report r =
        NodeClient.http(url(), Map.of("Authorization", "Token " + acme))
            .call("search_memories", obj("query", "which CRM"))
            .run(NODE_TIMEOUT);
    assertThat(answer(r.step(0), false).get("results").findValuesAsText("memory"))
        .containsExactly("Our CRM is called Atlas");
  }

  @Test
  void typeScriptClient_badOrMissingKey_cannotConnect() {
    JsonNode none = NodeClient.http(url(), Map.of()).listTools().run(NODE_TIMEOUT).connectError();
    assertThat(none.get("code").asInt()).isEqualTo(401);
    assertThat(none.get("message").asText()).contains("unauthorized").contains("missing API key");
    JsonNode wrong =
        NodeClient.http(url(), Map.of("Authorization", "Bearer nope"))
            .run(NODE_TIMEOUT)
            .connectError();
    assertThat(wrong.get("code").asInt()).isEqualTo(401);
    assertThat(wrong.get("message").asText()).contains("invalid API key");
    JsonNode admin =
        NodeClient.http(url(), Map.of("Authorization", "Bearer " + TestServer.ADMIN_KEY))
            .run(NODE_TIMEOUT)
            .connectError();
    assertThat(admin.get("code").asInt()).isEqualTo(403);
    assertThat(admin.get("message").asText()).contains("forbidden");
  }

  @Test
  void javaClient_tenantKey_listsToolsAddsSearchesAndRefusesBadArguments() {
    McpSyncClient client = JavaClients.http(s.base(), "Bearer " + acme);
    try {
      McpSchema.InitializeResult init = client.initialize();
      assertThat(init.serverInfo().name()).isEqualTo("mnemo4j");
      McpContract.assertToolList(JavaClients.json(client.listTools()).get("tools"));
      answer(
          JavaClients.call(
              client, "add_memory", obj("text", "Standup is at 9:30", "agent_id", "planner")),
          false);
      JsonNode found =
          answer(
              JavaClients.call(
                  client,
                  "search_memories",
                  obj("query", "standup time", "filters", obj("agent_id", "planner"))),
              false);
      assertThat(found.get("results").findValuesAsText("memory")).contains("Standup is at 9:30");
      JsonNode err =
          toolError(
              JavaClients.call(
                  client,
                  "get_memories",
                  obj(
                      "filters",
                      obj("AND", McpContract.arr(obj("created_at", obj("gte", "yesterday")))))),
              "invalid_request");
      assertThat(err.get("field").asText()).isEqualTo("filters.AND[0].created_at.gte");
      // The session goes on after a refusal.
      assertThat(
              answer(
                      JavaClients.call(
                          client, "get_memories", obj("filters", obj("agent_id", "planner"))),
                      false)
                  .get("count")
                  .asInt())
          .isEqualTo(2); // the agent's memory and the organisation's
    } finally {
      client.closeGracefully();
    }
  }

  @Test
  void javaClient_withoutKey_failsToInitialize() {
    McpSyncClient client = JavaClients.http(s.base(), null);
    try {
      assertThatThrownBy(client::initialize)
          .hasRootCauseInstanceOf(McpHttpClientTransportAuthorizationException.class)
          .rootCause()
          .satisfies(
              e ->
                  assertThat(
                          ((McpHttpClientTransportAuthorizationException) e)
                              .getResponseInfo()
                              .statusCode())
                      .isEqualTo(401));
    } finally {
      client.closeGracefully();
    }
  }

  @Test
  void tenantKey_neverReachesAnotherTenant() {
    McpSyncClient client = JavaClients.http(s.base(), "Bearer " + acme);
    try {
      client.initialize();
      toolError(
          JavaClients.call(client, "get_memory", obj("memory_id", globexSecretId)), "not_found");
      toolError(
          JavaClients.call(
              client, "update_memory", obj("memory_id", globexSecretId, "text", "leaked")),
          "not_found");
      toolError(
          JavaClients.call(client, "delete_memory", obj("memory_id", globexSecretId)), "not_found");
      JsonNode all =
          answer(
              JavaClients.call(
                  client, "get_memories", obj("filters", obj("user_id", "*"), "page_size", 1000)),
              false);
      assertThat(all.toString()).doesNotContain("Falcon");
      answer(JavaClients.call(client, "delete_all_memories", obj("user_id", "*")), false);
      answer(JavaClients.call(client, "delete_entities", obj("user_id", "alice")), false);
    } finally {
      client.closeGracefully();
    }
    assertThat(s.get("/v1/mem/" + globexSecretId, globex).ok().j().get("memory").asText())
        .isEqualTo("The Globex merger code is Falcon");
  }

  @Test
  void narrowedKey_writesLandInItsUserAndOtherUsersAreForbiddenOrNotFound() {
    String bobsId =
        s.post("/v1/mem/add", acme, "{\"user_id\":\"bob\",\"text\":\"Bob's salary is 90k\"}")
            .ok()
            .j()
            .get("results")
            .get(0)
            .get("id")
            .asText();
    String aliceKey = s.userKey("acme", "alice");
    NodeClient.Report r =
        NodeClient.http(url(), Map.of("Authorization", "Bearer " + aliceKey))
            .call("add_memory", obj("text", "Alice is vegetarian"))
            .call("add_memory", obj("text", "Bob is vegan", "user_id", "bob"))
            .call("search_memories", obj("query", "salary", "filters", obj("user_id", "bob")))
            .call("get_memory", obj("memory_id", bobsId))
            .call("delete_all_memories", obj("user_id", "*"))
            .call("search_memories", obj("query", "salary vegetarian CRM"))
            .run(NODE_TIMEOUT);
    String aliceId = answer(r.step(0), false).get("results").get(0).get("id").asText();
    assertThat(s.mnemo.existingTenant("acme").get(aliceId).orElseThrow().scope())
        .isEqualTo(Scope.user("alice"));
    assertThat(toolError(r.step(1), "forbidden").get("field").asText()).isEqualTo("user_id");
    assertThat(toolError(r.step(2), "forbidden").get("field").asText())
        .isEqualTo("filters.user_id");
    toolError(r.step(3), "not_found");
    toolError(r.step(4), "forbidden");
    assertThat(answer(r.step(5), false).get("results").findValuesAsText("memory"))
        .contains("Alice is vegetarian", "Our CRM is called Atlas")
        .doesNotContain("Bob's salary is 90k");
    assertThat(s.get("/v1/mem/" + bobsId, acme).ok().j().get("memory").asText())
        .isEqualTo("Bob's salary is 90k");
  }

  @Test
  void javaClient_narrowedKey_staysInsideItsUser() {
    String bobsId =
        s.post("/v1/mem/add", acme, "{\"user_id\":\"bob\",\"text\":\"Bob's salary is 90k\"}")
            .ok()
            .j()
            .get("results")
            .get(0)
            .get("id")
            .asText();
    McpSyncClient client = JavaClients.http(s.base(), "Token " + s.userKey("acme", "alice"));
    try {
      client.initialize();
      JsonNode added =
          answer(
              JavaClients.call(
                  client, "add_memory", obj("text", "Alice's salary is private", "run_id", "r1")),
              false);
      String id = added.get("results").get(0).get("id").asText();
      assertThat(s.mnemo.existingTenant("acme").get(id).orElseThrow().scope())
          .isEqualTo(new Scope("alice", null, "r1"));
      assertThat(
              toolError(
                      JavaClients.call(client, "delete_entities", obj("user_id", "bob")),
                      "forbidden")
                  .get("field")
                  .asText())
          .isEqualTo("user_id");
      toolError(
          JavaClients.call(client, "update_memory", obj("memory_id", bobsId, "text", "0")),
          "not_found");
      JsonNode found =
          answer(
              JavaClients.call(client, "search_memories", obj("query", "salary", "limit", 50)),
              false);
      assertThat(found.get("results").findValuesAsText("memory"))
          .contains("Alice's salary is private")
          .doesNotContain("Bob's salary is 90k");
      JsonNode entities = answer(JavaClients.call(client, "list_entities", obj()), false);
      assertThat(entities.get("results").findValuesAsText("name"))
          .containsExactlyInAnyOrder("alice", "r1");
    } finally {
      client.closeGracefully();
    }
    assertThat(s.get("/v1/mem/" + bobsId, acme).ok().j().get("memory").asText())
        .isEqualTo("Bob's salary is 90k");
  }

  @Test
  void httpRules_matchTheRestApi() {
    String init =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
            + "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}";
    Map<String, String> accept = Map.of("Accept", "application/json, text/event-stream");
    s.send("POST", "/mcp", null, init, accept).error(401, "unauthorized");
    s.send("POST", "/mcp", "not-a-key", init, accept).error(401, "unauthorized");
    s.send("POST", "/mcp", TestServer.ADMIN_KEY, init, accept).error(403, "forbidden");
    TestServer.Res get = s.send("GET", "/mcp", acme, null, accept).error(405, "method_not_allowed");
    assertThat(get.raw().headers().firstValue("Allow")).hasValue("POST");
    s.send("DELETE", "/mcp", acme, null, accept).error(405, "method_not_allowed");
    s.send("POST", "/mcp", acme, "x".repeat(70 * 1024), accept).error(413, "payload_too_large");

    TestServer.Res ok = s.send("POST", "/mcp", acme, init, accept).ok();
    assertThat(ok.j().get("result").get("serverInfo").get("name").asText()).isEqualTo("mnemo4j");
    assertThat(ok.raw().headers().firstValue("Mcp-Session-Id")).isEmpty();

    // A purged tenant's key is no longer valid: 401, as on the REST routes.
    s.delete("/v1/tenants/globex", TestServer.ADMIN_KEY).ok();
    s.send("POST", "/mcp", globex, init, accept).error(401, "unauthorized");
  }

  /**
   * The server refuses an oversized body by its length, before reading it. Answering while the
   * client still sends and then closing could reset the connection under the client, which then saw
   * no answer at all (a flaky "header parser received no bytes"): every refusal must arrive.
   */
  @Test
  void oversizedBody_isAnswered413_everyTime() {
    Map<String, String> accept = Map.of("Accept", "application/json, text/event-stream");
    String body = "x".repeat(200 * 1024);
    for (int i = 0; i < 40; i++) {
      s.send("POST", "/mcp", acme, body, accept).error(413, "payload_too_large");
    }
  }

  @Test
  void metrics_countToolCallsAndMcpRequests() {
    NodeClient.http(url(), Map.of("Authorization", "Bearer " + acme))
        .call("search_memories", obj("query", "CRM"))
        .call("search_memories", obj("limit", 3))
        .run(NODE_TIMEOUT);
    String scrape = s.get("/metrics", null).ok().body();
    assertThat(scrape)
        .contains("mnemo_mcp_tool_calls_seconds_count{outcome=\"ok\",tool=\"search_memories\"} 1")
        .contains(
            "mnemo_mcp_tool_calls_seconds_count{outcome=\"invalid_request\",tool=\"search_memories\"} 1")
        .contains("route=\"/mcp\"");
  }
}
