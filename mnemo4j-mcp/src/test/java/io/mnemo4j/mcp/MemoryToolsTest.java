package io.mnemo4j.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mnemo4j.EventType;
import io.mnemo4j.Message;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantMemory;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every tool called in-process against a real embedded store: behaviour, scoping and refusals. */
class MemoryToolsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestMemory memory;
  private TenantMemory acme;
  private final List<ToolCall> heard = new ArrayList<>();
  private MemoryTools tools;

  @BeforeEach
  void open() {
    memory = new TestMemory();
    acme = memory.tenant("acme");
    tools = MemoryTools.create(heard::add);
  }

  @AfterEach
  void close() {
    memory.close();
  }

  private JsonNode ok(Caller caller, String tool, Map<String, Object> args) {
    McpSchema.CallToolResult r = tools.call(caller, tool, args);
    JsonNode body = text(r);
    assertThat(r.isError()).as("%s -> %s", tool, body).isFalse();
    JsonNode structured = JSON.valueToTree(r.structuredContent());
    assertThat(structured.toString()).isEqualTo(body.toString());
    return body;
  }

  private JsonNode error(Caller caller, String tool, Map<String, Object> args, String code) {
    McpSchema.CallToolResult r = tools.call(caller, tool, args);
    JsonNode body = text(r);
    assertThat(r.isError()).as("%s -> %s", tool, body).isTrue();
    assertThat(body.path("error").path("code").asText()).as("%s", body).isEqualTo(code);
    assertThat(body.path("error").has("message")).isTrue();
    assertThat(body.toString()).doesNotContain("Exception").doesNotContain("\tat ");
    return body.get("error");
  }

  private static JsonNode text(McpSchema.CallToolResult r) {
    assertThat(r.content()).hasSize(1);
    try {
      return JSON.readTree(((McpSchema.TextContent) r.content().get(0)).text());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Caller alice() {
    return Caller.local(acme, "alice", null, "test");
  }

  @Test
  void addMemory_textWithDefaultUser_storesInThatUsersScope() {
    JsonNode r = ok(alice(), "add_memory", Map.of("text", "I prefer window seats on flights"));
    assertThat(r.get("results")).hasSize(1);
    JsonNode first = r.get("results").get(0);
    assertThat(first.get("event").asText()).isEqualTo("ADD");
    assertThat(first.get("memory").asText()).isEqualTo("I prefer window seats on flights");
    assertThat(first.get("data").get("memory").asText()).isEqualTo(first.get("memory").asText());
    assertThat(r.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(acme.get(first.get("id").asText()).orElseThrow().scope())
        .isEqualTo(Scope.user("alice"));
    assertThat(heard)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.tool()).isEqualTo("add_memory");
              assertThat(c.events()).containsExactly(EventType.ADD);
              assertThat(c.error()).isEmpty();
            });
  }

  @Test
  void addMemory_sameTextTwice_secondSaysAlreadyRemembered() {
    ok(alice(), "add_memory", Map.of("text", "My dog is called Rex"));
    JsonNode again = ok(alice(), "add_memory", Map.of("text", "My dog is called Rex"));
    assertThat(again.get("results")).isEmpty();
    assertThat(again.get("message").asText()).contains("already remembered");
  }

  @Test
  void addMemory_messages_storeTheConversationNotTheText() {
    JsonNode r =
        ok(
            alice(),
            "add_memory",
            Map.of(
                "text",
                "summary",
                "messages",
                List.of(
                    Map.of("role", "user", "content", "We moved the launch to March"),
                    Map.of(
                        "role", "assistant", "content", "Noted, launch in March", "name", "bot"))));
    assertThat(r.get("results")).hasSize(2);
    assertThat(r.findValuesAsText("memory"))
        .contains("We moved the launch to March", "Noted, launch in March")
        .doesNotContain("summary");
  }

  @Test
  void addMemory_namedAgentOnly_replacesTheDefaultUser() {
    JsonNode r =
        ok(alice(), "add_memory", Map.of("text", "Always answer in French", "agent_id", "tutor"));
    String id = r.get("results").get(0).get("id").asText();
    assertThat(acme.get(id).orElseThrow().scope()).isEqualTo(Scope.agent("tutor"));
  }

  @Test
  void addMemory_noScopeAndNoDefault_isOrganisationMemory() {
    Caller org = Caller.local(acme, null, null, "test");
    JsonNode r = ok(org, "add_memory", Map.of("text", "Our CRM is called Atlas"));
    String id = r.get("results").get(0).get("id").asText();
    assertThat(acme.get(id).orElseThrow().scope().isTenantWide()).isTrue();
  }

  @Test
  void addMemory_defaultUserAndAgent_landInBoth() {
    Caller c = Caller.local(acme, "alice", "claude", "test");
    JsonNode r = ok(c, "add_memory", Map.of("text", "Prefers short answers"));
    String id = r.get("results").get(0).get("id").asText();
    assertThat(acme.get(id).orElseThrow().scope()).isEqualTo(new Scope("alice", "claude", null));
  }

  @Test
  void addMemory_metadataAndGraphFlag_keptAndAnswered() {
    JsonNode r =
        ok(
            alice(),
            "add_memory",
            Map.of(
                "text",
                "Budget is 10k",
                "metadata",
                Map.of("topic", "money"),
                "enable_graph",
                true));
    assertThat(r.get("relations")).isEmpty();
    String id = r.get("results").get(0).get("id").asText();
    assertThat(acme.get(id).orElseThrow().metadata()).containsEntry("topic", "money");
  }

  @Test
  void addMemory_badArguments_areToolErrorsNamingTheArgument() {
    assertThat(error(alice(), "add_memory", Map.of(), "invalid_request").get("field").asText())
        .isEqualTo("text");
    assertThat(
            error(alice(), "add_memory", Map.of("text", 42), "invalid_request")
                .get("field")
                .asText())
        .isEqualTo("text");
    assertThat(
            error(alice(), "add_memory", Map.of("text", "x", "app_id", "shop"), "invalid_request")
                .get("field")
                .asText())
        .isEqualTo("app_id");
    assertThat(
            error(alice(), "add_memory", Map.of("text", "x", "metadata", "[1]"), "invalid_request")
                .get("field")
                .asText())
        .isEqualTo("metadata");
    assertThat(
            error(
                    alice(),
                    "add_memory",
                    Map.of("text", "x", "metadata", Map.of("user_id", "bob")),
                    "invalid_request")
                .get("field")
                .asText())
        .startsWith("metadata");
    assertThat(
            error(
                    alice(),
                    "add_memory",
                    Map.of(
                        "text", "x", "messages", List.of(Map.of("role", "robot", "content", "hi"))),
                    "invalid_request")
                .get("field")
                .asText())
        .isEqualTo("messages[0].role");
    assertThat(
            error(alice(), "add_memory", Map.of("text", "x", "top_k", 3), "invalid_request")
                .get("message")
                .asText())
        .contains("unknown argument 'top_k'")
        .contains("add_memory takes text, messages");
    assertThat(
            error(alice(), "add_memory", Map.of("text", "x", "user_id", "*"), "invalid_request")
                .get("field")
                .asText())
        .isEqualTo("user_id");
    assertThat(acme.count(io.mnemo4j.Selection.everywhere())).isZero();
    assertThat(heard).allSatisfy(c -> assertThat(c.errorCode()).isEqualTo("invalid_request"));
  }

  @Test
  void searchMemories_defaultUser_findsOwnAndOrganisationMemoryButNotOtherUsers() {
    acme.add(List.of(Message.user("Our CRM is called Atlas")), Scope.tenantWide());
    acme.add(List.of(Message.user("Alice's CRM login is alice42")), Scope.user("alice"));
    acme.add(List.of(Message.user("Bob's CRM login is bob7")), Scope.user("bob"));
    JsonNode r = ok(alice(), "search_memories", Map.of("query", "CRM login", "limit", 10));
    assertThat(r.get("results").findValuesAsText("memory"))
        .contains("Our CRM is called Atlas", "Alice's CRM login is alice42")
        .doesNotContain("Bob's CRM login is bob7");
    assertThat(r.get("results").get(0).has("score")).isTrue();
  }

  @Test
  void searchMemories_filtersNameAUser_searchThatUserPlusOrganisationMemory() {
    acme.add(List.of(Message.user("Our CRM is called Atlas")), Scope.tenantWide());
    acme.add(List.of(Message.user("Bob uses the CRM daily")), Scope.user("bob"));
    acme.add(List.of(Message.user("Alice never opens the CRM")), Scope.user("alice"));
    JsonNode r =
        ok(
            alice(),
            "search_memories",
            Map.of("query", "CRM", "filters", Map.of("AND", List.of(Map.of("user_id", "bob")))));
    assertThat(r.get("results").findValuesAsText("memory"))
        .containsExactlyInAnyOrder("Our CRM is called Atlas", "Bob uses the CRM daily");
  }

  @Test
  void searchMemories_anyUserWildcard_readsTheWholeTenant() {
    acme.add(List.of(Message.user("Bob uses the CRM daily")), Scope.user("bob"));
    acme.add(List.of(Message.user("Alice never opens the CRM")), Scope.user("alice"));
    acme.add(List.of(Message.user("Our CRM is called Atlas")), Scope.tenantWide());
    JsonNode r =
        ok(alice(), "search_memories", Map.of("query", "CRM", "filters", Map.of("user_id", "*")));
    assertThat(r.get("results").findValuesAsText("memory"))
        .containsExactlyInAnyOrder("Bob uses the CRM daily", "Alice never opens the CRM");
  }

  @Test
  void searchMemories_noDefaultAndNoFilters_readsOrganisationMemoryOnly() {
    acme.add(List.of(Message.user("Our CRM is called Atlas")), Scope.tenantWide());
    acme.add(List.of(Message.user("Bob uses the CRM daily")), Scope.user("bob"));
    JsonNode r = ok(Caller.local(acme, null, null, "t"), "search_memories", Map.of("query", "CRM"));
    assertThat(r.get("results").findValuesAsText("memory"))
        .containsExactly("Our CRM is called Atlas");
  }

  @Test
  void searchMemories_badArguments_areToolErrorsNamingTheArgument() {
    assertThat(error(alice(), "search_memories", Map.of(), "invalid_request").get("field").asText())
        .isEqualTo("query");
    assertThat(
            error(alice(), "search_memories", Map.of("query", "x", "limit", 0), "invalid_request")
                .get("field")
                .asText())
        .isEqualTo("limit");
    assertThat(
            error(alice(), "search_memories", Map.of("query", "x", "limit", 2.5), "invalid_request")
                .get("field")
                .asText())
        .isEqualTo("limit");
    assertThat(
            error(
                    alice(),
                    "search_memories",
                    Map.of(
                        "query",
                        "x",
                        "filters",
                        Map.of("AND", List.of(Map.of("user_id", "a"), Map.of("score", 1)))),
                    "invalid_request")
                .get("field")
                .asText())
        .isEqualTo("filters.AND[1].score");
    assertThat(
            error(
                    alice(),
                    "search_memories",
                    Map.of(
                        "query",
                        "x",
                        "filters",
                        Map.of("user_id", "a", "AND", List.of(Map.of("user_id", "b")))),
                    "invalid_request")
                .get("field")
                .asText())
        .isEqualTo("filters.user_id");
  }

  @Test
  void searchMemories_lenientTypes_acceptedLikeMem0() {
    acme.add(List.of(Message.user("Alice likes tea")), Scope.user("alice"));
    JsonNode r =
        ok(
            alice(),
            "search_memories",
            Map.of("query", "tea", "limit", "3", "filters", "{\"user_id\":\"alice\"}"));
    assertThat(r.get("results")).hasSize(1);
  }

  @Test
  void getMemories_pages_numberNextAndPrevious() {
    for (int i = 0; i < 5; i++) {
      acme.add(List.of(Message.user("fact number " + i + " about gardens")), Scope.user("alice"));
    }
    JsonNode p1 = ok(alice(), "get_memories", Map.of("page_size", 2));
    assertThat(p1.get("count").asInt()).isEqualTo(5);
    assertThat(p1.get("results")).hasSize(2);
    assertThat(p1.get("next").asInt()).isEqualTo(2);
    assertThat(p1.get("previous").isNull()).isTrue();
    JsonNode p3 = ok(alice(), "get_memories", Map.of("page_size", 2, "page", 3));
    assertThat(p3.get("results")).hasSize(1);
    assertThat(p3.get("next").isNull()).isTrue();
    assertThat(p3.get("previous").asInt()).isEqualTo(2);
    assertThat(p3.get("results").get(0).get("memory").asText())
        .isEqualTo("fact number 4 about gardens");
    assertThat(
            error(alice(), "get_memories", Map.of("page", 0), "invalid_request")
                .get("field")
                .asText())
        .isEqualTo("page");
  }

  @Test
  void getUpdateDeleteMemory_byId_roundTrip() {
    String id =
        acme.add(List.of(Message.user("Office is in Lyon")), Scope.user("alice")).get(0).id();
    assertThat(ok(alice(), "get_memory", Map.of("memory_id", id)).get("memory").asText())
        .isEqualTo("Office is in Lyon");
    JsonNode updated =
        ok(alice(), "update_memory", Map.of("memory_id", id, "text", "Office is in Paris"));
    assertThat(updated.get("memory").asText()).isEqualTo("Office is in Paris");
    assertThat(updated.get("text").asText()).isEqualTo("Office is in Paris");
    assertThat(ok(alice(), "delete_memory", Map.of("memory_id", id)).get("message").asText())
        .isEqualTo("Memory deleted successfully!");
    error(alice(), "get_memory", Map.of("memory_id", id), "not_found");
    assertThat(
            error(alice(), "get_memory", Map.of("memory_id", "nope"), "invalid_request")
                .get("field")
                .asText())
        .isEqualTo("memory_id");
    assertThat(
            error(alice(), "update_memory", Map.of("memory_id", id), "invalid_request")
                .get("field")
                .asText())
        .isEqualTo("text");
  }

  @Test
  void narrowedCaller_otherUsersIdsAreNotFoundAndOtherUserIsForbidden() {
    String bobs =
        acme.add(List.of(Message.user("Bob's salary is private")), Scope.user("bob")).get(0).id();
    String org =
        acme.add(List.of(Message.user("Our CRM is called Atlas")), Scope.tenantWide()).get(0).id();
    Caller key = Caller.key(acme, "alice", "key-1");
    error(key, "get_memory", Map.of("memory_id", bobs), "not_found");
    error(key, "update_memory", Map.of("memory_id", bobs, "text", "hacked"), "not_found");
    error(key, "delete_memory", Map.of("memory_id", bobs), "not_found");
    assertThat(ok(key, "get_memory", Map.of("memory_id", org)).get("memory").asText())
        .isEqualTo("Our CRM is called Atlas");
    error(key, "delete_memory", Map.of("memory_id", org), "not_found");
    assertThat(
            error(key, "add_memory", Map.of("text", "x", "user_id", "bob"), "forbidden")
                .get("field")
                .asText())
        .isEqualTo("user_id");
    assertThat(
            error(
                    key,
                    "search_memories",
                    Map.of("query", "salary", "filters", Map.of("user_id", "bob")),
                    "forbidden")
                .get("field")
                .asText())
        .isEqualTo("filters.user_id");
    JsonNode any =
        ok(key, "search_memories", Map.of("query", "salary", "filters", Map.of("user_id", "*")));
    assertThat(any.get("results").findValuesAsText("memory"))
        .doesNotContain("Bob's salary is private");
    error(key, "delete_all_memories", Map.of("user_id", "*"), "forbidden");
    error(key, "delete_entities", Map.of("user_id", "bob"), "forbidden");
    JsonNode entities = ok(key, "list_entities", Map.of());
    assertThat(entities.get("results").findValuesAsText("name")).doesNotContain("bob");
    assertThat(acme.get(bobs)).isPresent();
  }

  @Test
  void narrowedCaller_writesLandInItsUser() {
    Caller key = Caller.key(acme, "alice", "key-1");
    String id =
        ok(key, "add_memory", Map.of("text", "Alice drinks tea", "agent_id", "barista"))
            .get("results")
            .get(0)
            .get("id")
            .asText();
    assertThat(acme.get(id).orElseThrow().scope()).isEqualTo(new Scope("alice", "barista", null));
  }

  @Test
  void deleteAllMemories_defaultUser_deletesOnlyThatUser() {
    acme.add(List.of(Message.user("Alice fact")), Scope.user("alice"));
    acme.add(List.of(Message.user("Alice fact with agent")), new Scope("alice", "x", null));
    acme.add(List.of(Message.user("Bob fact")), Scope.user("bob"));
    acme.add(List.of(Message.user("Org fact")), Scope.tenantWide());
    assertThat(ok(alice(), "delete_all_memories", Map.of()).get("deleted").asLong()).isEqualTo(2);
    assertThat(acme.count(io.mnemo4j.Selection.everywhere())).isEqualTo(2);
  }

  @Test
  void deleteAllMemories_noScopeAtAll_deletesNothing() {
    acme.add(List.of(Message.user("Org fact")), Scope.tenantWide());
    Caller org = Caller.local(acme, null, null, "t");
    assertThat(error(org, "delete_all_memories", Map.of(), "invalid_request").get("field").asText())
        .isEqualTo("user_id");
    assertThat(acme.count(io.mnemo4j.Selection.everywhere())).isEqualTo(1);
    assertThat(ok(org, "delete_all_memories", Map.of("user_id", "*")).get("deleted").asLong())
        .isEqualTo(1);
  }

  @Test
  void deleteEntities_eachNamedEntityGoes() {
    acme.add(List.of(Message.user("Bob fact")), Scope.user("bob"));
    acme.add(List.of(Message.user("Planner fact")), Scope.agent("planner"));
    acme.add(List.of(Message.user("Carol fact")), Scope.user("carol"));
    JsonNode r = ok(alice(), "delete_entities", Map.of("user_id", "bob", "agent_id", "planner"));
    assertThat(r.get("deleted").asLong()).isEqualTo(2);
    assertThat(error(alice(), "delete_entities", Map.of(), "invalid_request").get("field").asText())
        .isEqualTo("user_id");
    JsonNode entities = ok(alice(), "list_entities", Map.of());
    assertThat(entities.get("results").findValuesAsText("name")).containsExactly("carol");
    assertThat(entities.get("results").get(0).get("type").asText()).isEqualTo("user");
    assertThat(entities.get("results").get(0).get("total_memories").asInt()).isEqualTo(1);
    assertThat(entities.get("results").get(0).get("owner").asText()).isEqualTo("acme");
  }

  @Test
  void tenantIsolation_callerOfOneTenantNeverSeesAnother() {
    TenantMemory globex = memory.tenant("globex");
    String secret =
        globex
            .add(List.of(Message.user("Globex merger code is Falcon")), Scope.user("alice"))
            .get(0)
            .id();
    globex.add(List.of(Message.user("Globex org memory: Falcon")), Scope.tenantWide());
    Caller acmeAll = Caller.local(acme, "alice", null, "t");
    JsonNode r =
        ok(
            acmeAll,
            "search_memories",
            Map.of("query", "Falcon merger code", "filters", Map.of("user_id", "*")));
    assertThat(r.get("results")).isEmpty();
    error(acmeAll, "get_memory", Map.of("memory_id", secret), "not_found");
    error(acmeAll, "delete_memory", Map.of("memory_id", secret), "not_found");
    assertThat(ok(acmeAll, "list_entities", Map.of()).get("count").asInt()).isZero();
    ok(acmeAll, "delete_all_memories", Map.of("user_id", "*"));
    assertThat(globex.count(io.mnemo4j.Selection.everywhere())).isEqualTo(2);
  }

  @Test
  void unknownTool_isAToolError() {
    assertThat(error(alice(), "drop_database", Map.of(), "not_found").get("field").asText())
        .isEqualTo("name");
  }
}
