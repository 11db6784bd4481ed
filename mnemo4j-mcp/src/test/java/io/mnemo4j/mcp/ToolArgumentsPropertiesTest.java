package io.mnemo4j.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.Message;
import io.mnemo4j.Scope;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantMemory;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * Arbitrary JSON arguments to every tool give a result or a tool error with a known code (an
 * invalid request naming its argument), never an exception and never an internal error; and a
 * caller narrowed to one user never reads, changes or deletes another user's or another tenant's
 * memory, whatever it sends. Bounded tries; jqwik prints the seed of a failing run.
 */
class ToolArgumentsPropertiesTest {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> TOOLS =
      List.of(
          "add_memory",
          "search_memories",
          "get_memories",
          "get_memory",
          "update_memory",
          "delete_memory",
          "delete_all_memories",
          "delete_entities",
          "list_entities");
  private static final List<String> NAMES =
      List.of(
          "text",
          "messages",
          "role",
          "content",
          "name",
          "user_id",
          "agent_id",
          "app_id",
          "run_id",
          "metadata",
          "enable_graph",
          "query",
          "filters",
          "limit",
          "page",
          "page_size",
          "memory_id",
          "AND",
          "OR",
          "NOT",
          "eq",
          "in",
          "gte",
          "created_at",
          "categories",
          "top_k",
          "*",
          "");
  private static final Set<String> CODES = Set.of("invalid_request", "not_found", "forbidden");
  private static final String BOBS_SECRET = "Bob's bank PIN is 4321";
  private static final String GLOBEX_SECRET = "Globex merger code Falcon";

  private static TestMemory memory;
  private static TenantMemory acme;
  private static TenantMemory globex;
  private static String bobsId;
  private static final MemoryTools TOOLSET = MemoryTools.create();

  @BeforeContainer
  static void open() {
    memory = new TestMemory();
    acme = memory.tenant("acme");
    globex = memory.tenant("globex");
    globex.add(List.of(Message.user(GLOBEX_SECRET)), Scope.user("alice"));
  }

  @BeforeTry
  void seed() {
    if (acme.count(Selection.in(Scope.user("bob"))) == 0) {
      bobsId = acme.add(List.of(Message.user(BOBS_SECRET)), Scope.user("bob")).get(0).id();
    }
    if (acme.count(Selection.in(Scope.user("alice"))) == 0) {
      acme.add(List.of(Message.user("Alice hikes in the Alps")), Scope.user("alice"));
    }
  }

  @AfterContainer
  static void close() {
    memory.close();
  }

  @Property(tries = 400)
  void anyArguments_giveAResultOrAToolErrorNamingTheArgument(
      @ForAll("tools") String tool, @ForAll("arguments") ObjectNode args) throws IOException {
    Caller caller = Caller.local(acme, "alice", null, "fuzz");
    JsonNode body = call(caller, tool, args);
    if (body.has("error")) {
      JsonNode err = body.get("error");
      assertThat(err.get("code").asText()).as("%s %s -> %s", tool, args, body).isIn(CODES);
      if (err.get("code").asText().equals("invalid_request")) {
        assertThat(err.get("field").isTextual()).as("%s %s -> %s", tool, args, body).isTrue();
      }
    }
    assertThat(globex.count(Selection.everywhere())).isEqualTo(1);
  }

  @Property(tries = 400)
  void narrowedCaller_neverReachesAnotherUserOrTenant(
      @ForAll("tools") String tool, @ForAll("arguments") ObjectNode args) throws IOException {
    Caller narrowed = Caller.key(acme, "alice", "fuzz-key");
    JsonNode body = call(narrowed, tool, args);
    if (body.has("error")) {
      assertThat(body.get("error").get("code").asText()).as("%s %s", tool, body).isIn(CODES);
    }
    assertThat(body.toString()).doesNotContain(BOBS_SECRET).doesNotContain(GLOBEX_SECRET);
    assertThat(acme.get(bobsId)).as("bob's memory after %s %s", tool, args).isPresent();
    assertThat(acme.get(bobsId).orElseThrow().text()).isEqualTo(BOBS_SECRET);
    assertThat(globex.count(Selection.everywhere())).isEqualTo(1);
  }

  private static JsonNode call(Caller caller, String tool, ObjectNode args) throws IOException {
    @SuppressWarnings("unchecked")
    Map<String, Object> map = JSON.convertValue(args, Map.class);
    McpSchema.CallToolResult r = TOOLSET.call(caller, tool, map);
    JsonNode body = JSON.readTree(((McpSchema.TextContent) r.content().get(0)).text());
    assertThat(r.isError()).isEqualTo(body.has("error"));
    return body;
  }

  @Provide
  Arbitrary<String> tools() {
    return Arbitraries.of(TOOLS);
  }

  @Provide
  Arbitrary<ObjectNode> arguments() {
    Arbitrary<ObjectNode> random = object(3);
    Arbitrary<ObjectNode> plausible =
        Combinators.combine(Arbitraries.of(NAMES), node(3), Arbitraries.of(NAMES), node(2))
            .as(
                (k1, v1, k2, v2) -> {
                  ObjectNode o = F.objectNode();
                  o.put("text", "fuzz text about hiking");
                  o.put("query", "hiking");
                  o.put("memory_id", bobsId == null ? "x" : bobsId);
                  o.set(k1, v1);
                  o.set(k2, v2);
                  return o;
                });
    return Arbitraries.frequencyOf(Tuple.of(1, random), Tuple.of(3, plausible));
  }

  private static Arbitrary<ObjectNode> object(int depth) {
    return Combinators.combine(
            Arbitraries.of(NAMES).list().ofMaxSize(4), node(depth - 1).list().ofSize(4))
        .as(
            (keys, values) -> {
              ObjectNode o = F.objectNode();
              for (int i = 0; i < keys.size(); i++) {
                o.set(keys.get(i), values.get(i));
              }
              return o;
            });
  }

  private static Arbitrary<JsonNode> node(int depth) {
    Arbitrary<JsonNode> leaf =
        Arbitraries.oneOf(
            Arbitraries.just(F.nullNode()),
            Arbitraries.of(true, false).map(F::booleanNode),
            Arbitraries.integers().map(F::numberNode),
            Arbitraries.doubles().map(F::numberNode),
            Arbitraries.of(
                    "alice",
                    "bob",
                    "*",
                    "",
                    " ",
                    "user",
                    "assistant",
                    "robot",
                    "2024-01-01",
                    "10",
                    "true",
                    "{\"user_id\":\"bob\"}",
                    "0190a000-0000-7000-8000-000000000000")
                .map(F::textNode),
            Arbitraries.strings().ofMaxLength(20).map(F::textNode));
    if (depth <= 0) {
      return leaf;
    }
    Arbitrary<JsonNode> array =
        node(depth - 1)
            .list()
            .ofMaxSize(3)
            .map(
                items -> {
                  ArrayNode a = F.arrayNode();
                  items.forEach(a::add);
                  return a;
                });
    Arbitrary<JsonNode> obj = object(depth).map(o -> (JsonNode) o);
    return Arbitraries.frequencyOf(Tuple.of(3, leaf), Tuple.of(2, array), Tuple.of(3, obj));
  }
}
