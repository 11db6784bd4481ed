package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Arbitrary JSON bodies sent to the add, search and list routes (native and Mem0) of a real server,
 * and as the filter of the list, count and entities routes, over HTTP get a 2xx or a 4xx JSON
 * error, never a 500. Bounded tries; jqwik prints the seed of a failing run.
 */
class JsonBodyPropertiesTest {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final List<String> NAMES =
      List.of(
          "query",
          "text",
          "messages",
          "role",
          "content",
          "name",
          "user_id",
          "agent_id",
          "run_id",
          "app_id",
          "metadata",
          "categories",
          "filters",
          "limit",
          "top_k",
          "threshold",
          "mode",
          "all",
          "include_tenant_wide",
          "infer",
          "output_format",
          "expires_at",
          "expiration_date",
          "page",
          "page_size",
          "memories",
          "memory_id",
          "AND",
          "OR",
          "NOT",
          "eq",
          "ne",
          "gt",
          "in",
          "contains",
          "created_at",
          "valid_from",
          "valid_to",
          "memory_type",
          "idempotency_key",
          "session_date",
          "instructions",
          "async",
          "async_mode",
          "as_of",
          "include_expired",
          "include_closed",
          "custom_instructions",
          "includes",
          "excludes",
          "timestamp",
          "tenant",
          "*",
          "",
          "x");
  private static final List<String> ROUTES =
      List.of(
          "/v1/mem/add",
          "/v1/mem/search",
          "/v3/memories/add/",
          "/v3/memories/search/",
          "/v3/memories/",
          "/v1/memories/",
          "/v1/memories/search/",
          "/v2/memories/search/",
          "/v1/mem/delete-all",
          "LIST",
          "COUNT",
          "ENTITIES",
          "BATCH");

  private static TestServer server;
  private static String key;

  @BeforeContainer
  static void start() {
    server = new TestServer();
    key = server.tenant("fuzz");
    server
        .post("/v1/mem/add", key, "{\"user_id\":\"alice\",\"text\":\"seed memory about hiking\"}")
        .ok();
  }

  @AfterContainer
  static void stop() {
    server.close();
  }

  @Property(tries = 200)
  void anyJsonBody_isA2xxOrA4xxJsonError(
      @ForAll("routes") String route, @ForAll("bodies") String body) {
    TestServer.Res r =
        switch (route) {
          case "LIST" ->
              server.get("/v1/mem?filters=" + URLEncoder.encode(body, StandardCharsets.UTF_8), key);
          case "COUNT" ->
              server.get(
                  "/v1/mem/count?all=true&filters="
                      + URLEncoder.encode(body, StandardCharsets.UTF_8),
                  key);
          case "ENTITIES" ->
              server.get(
                  "/v1/mem/entities?type=user&filters="
                      + URLEncoder.encode(body, StandardCharsets.UTF_8),
                  key);
          case "BATCH" -> server.put("/v1/batch/", key, body);
          default -> server.post(route, key, body);
        };
    assertThat(r.status()).as("%s %s -> %s", route, body, r.body()).isLessThan(500);
    assertThat(r.json()).as("JSON response to %s %s: %s", route, body, r.body()).isNotNull();
    if (r.status() >= 400) {
      r.error(r.status(), r.j().get("error").get("code").asText());
    }
  }

  @Provide
  Arbitrary<String> routes() {
    return Arbitraries.of(ROUTES);
  }

  @Provide
  Arbitrary<String> bodies() {
    Arbitrary<String> json = node(4).map(JsonNode::toString);
    Arbitrary<String> garbage = Arbitraries.strings().ofMaxLength(40);
    Arbitrary<String> plausible =
        Combinators.combine(Arbitraries.of(NAMES), node(3), Arbitraries.of(NAMES), node(2))
            .as(
                (k1, v1, k2, v2) -> {
                  ObjectNode o = F.objectNode();
                  o.set(k1, v1);
                  o.set(k2, v2);
                  o.put("query", "hiking");
                  return o.toString();
                });
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(2, json),
        net.jqwik.api.Tuple.of(1, garbage),
        net.jqwik.api.Tuple.of(5, plausible));
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
                    "*",
                    "",
                    "user",
                    "assistant",
                    "hybrid",
                    "2024-01-01",
                    "2024-01-01T00:00:00Z",
                    "procedural",
                    "procedural_memory",
                    "v1.1",
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
    Arbitrary<JsonNode> object =
        Combinators.combine(
                Arbitraries.of(NAMES).list().ofMaxSize(3), node(depth - 1).list().ofSize(3))
            .as(
                (keys, values) -> {
                  ObjectNode o = F.objectNode();
                  for (int i = 0; i < keys.size(); i++) {
                    o.set(keys.get(i), values.get(i));
                  }
                  return (JsonNode) o;
                });
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, leaf),
        net.jqwik.api.Tuple.of(2, array),
        net.jqwik.api.Tuple.of(3, object));
  }
}
