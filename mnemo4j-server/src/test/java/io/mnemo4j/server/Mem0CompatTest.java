package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Replays the request bodies Mem0's official Python and TypeScript clients send (fixtures under
 * {@code mem0/}) and asserts the response fields those clients read.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Mem0CompatTest {
  private TestServer s;
  private String key;

  @BeforeAll
  void start() {
    s = new TestServer();
    key = s.tenant("mem0app");
  }

  @AfterAll
  void stop() {
    s.close();
  }

  static String fixture(String name) {
    try (InputStream in = Mem0CompatTest.class.getResourceAsStream("/mem0/" + name)) {
      assertThat(in).as("fixture %s", name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertMemoryShape(JsonNode m) {
    for (String f :
        List.of(
            "id",
            "memory",
            "user_id",
            "agent_id",
            "app_id",
            "run_id",
            "hash",
            "metadata",
            "categories",
            "created_at",
            "updated_at")) {
      assertThat(m.has(f)).as("field %s in %s", f, m).isTrue();
    }
  }

  private String addPy(String k) {
    JsonNode r = s.post("/v3/memories/add/", k, fixture("py_add.json")).ok().j();
    return r.get("results").get(0).get("id").asText();
  }

  @Test
  void ping_answersWhatClientsRead() {
    JsonNode r = s.get("/v1/ping/", key).ok().j();
    assertThat(r.get("status").asText()).isEqualTo("ok");
    assertThat(r.get("org_id").asText()).isEqualTo("mem0app");
    assertThat(r.get("project_id").asText()).isNotEmpty();
    assertThat(r.has("user_email")).isTrue();
    s.get("/v1/ping/", "bad").error(401, "unauthorized");
  }

  @Test
  void add_v3_pythonAndTypescriptBodies() {
    JsonNode py = s.post("/v3/memories/add/", key, fixture("py_add.json")).ok().j();
    // infer defaults to true and no model is configured: what the user said is stored, the
    // assistant's "Great! I'll remember that..." is kept as a raw message only.
    assertThat(py.get("results")).hasSize(1);
    JsonNode first = py.get("results").get(0);
    assertThat(first.get("event").asText()).isEqualTo("ADD");
    assertThat(first.get("memory").asText()).isEqualTo("I'm planning a trip to Tokyo next month.");
    assertThat(first.get("data").get("memory").asText()).isEqualTo(first.get("memory").asText());
    assertThat(py.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(py.get("event_id").asText()).isNotEmpty();
    assertThat(py.get("inferred").asBoolean(true)).isFalse(); // infer defaults to true; no LLM here

    JsonNode noInfer =
        s.post("/v3/memories/add/", key, fixture("py_add_infer_false.json")).ok().j();
    assertThat(noInfer.has("inferred")).isFalse();
    JsonNode ts = s.post("/v3/memories/add/", key, fixture("ts_add.json")).ok().j();
    assertThat(ts.get("results").get(0).get("id").asText()).hasSize(36);

    // an exact duplicate is left out of the results, as Mem0 leaves out no-op decisions
    JsonNode dup = s.post("/v3/memories/add/", key, fixture("py_add_infer_false.json")).ok().j();
    assertThat(dup.get("results")).isEmpty();
  }

  @Test
  void add_legacyV1_withOutputFormatAndOrgFields() {
    JsonNode r = s.post("/v1/memories/", key, fixture("legacy_py_add_v1.json")).ok().j();
    assertThat(r.get("results").get(0).get("event").asText()).isEqualTo("ADD");
    JsonNode bare =
        s.post(
                "/v1/memories/",
                key,
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Alice likes green tea\"}],\"user_id\":\"alice\"}")
            .ok()
            .j();
    assertThat(bare.isArray()).isTrue();
    assertThat(bare.get(0).get("data").get("memory").asText()).isEqualTo("Alice likes green tea");
  }

  @Test
  void search_v3_andLegacy() {
    String key = s.tenant("mem0search");
    addPy(key);
    s.post("/v3/memories/add/", key, fixture("ts_add.json")).ok();
    JsonNode py = s.post("/v3/memories/search/", key, fixture("py_search.json")).ok().j();
    assertThat(py.get("results")).isNotEmpty();
    JsonNode hit = py.get("results").get(0);
    assertMemoryShape(hit);
    assertThat(hit.get("score").isNumber()).isTrue();
    // Mem0 hits carry the native pair too: score (relevance, in [0, 1]) and similarity (cosine).
    assertThat(py.get("results"))
        .allSatisfy(
            h -> {
              assertThat(h.get("score").asDouble()).isBetween(0.0, 1.0);
              assertThat(h.get("similarity").isNumber()).isTrue();
            });
    assertThat(py.get("results").findValuesAsText("user_id")).containsOnly("alice");

    JsonNode ts = s.post("/v3/memories/search/", key, fixture("ts_search.json")).ok().j();
    assertThat(ts.get("results").findValuesAsText("user_id")).isNotEmpty().containsOnly("alex");

    JsonNode v2 = s.post("/v2/memories/search/", key, fixture("legacy_ts_search_v2.json")).ok().j();
    assertThat(v2.isArray()).isTrue();
    assertThat(v2.findValuesAsText("user_id")).containsOnly("alice");
    JsonNode v1 = s.post("/v1/memories/search/", key, fixture("legacy_py_search_v1.json")).ok().j();
    assertThat(v1.get("results").findValuesAsText("user_id")).containsOnly("alice");

    assertThat(
            s.post("/v3/memories/search/", key, "{\"query\":\"x\"}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("filters");
    assertThat(
            s.post("/v3/memories/search/", key, "{\"query\":\"x\",\"filters\":{\"app_id\":\"a\"}}")
                .error(400, "invalid_request")
                .field())
        .startsWith("filters");
  }

  @Test
  void getAll_v3_paginates() {
    for (int i = 0; i < 3; i++) {
      s.post(
              "/v3/memories/add/",
              key,
              "{\"messages\":[{\"role\":\"user\",\"content\":\"pager item "
                  + i
                  + " distinct"
                  + i
                  + "\"}],\"user_id\":\"pager\"}")
          .ok();
    }
    JsonNode p1 =
        s.post("/v3/memories/?page=1&page_size=2", key, "{\"filters\":{\"user_id\":\"pager\"}}")
            .ok()
            .j();
    assertThat(p1.get("count").asLong()).isEqualTo(3);
    assertThat(p1.get("results")).hasSize(2);
    assertThat(p1.get("previous").isNull()).isTrue();
    assertThat(p1.get("next").asText()).contains("page=2");
    JsonNode p2 =
        s.post("/v3/memories/?page=2&page_size=2", key, "{\"filters\":{\"user_id\":\"pager\"}}")
            .ok()
            .j();
    assertThat(p2.get("results")).hasSize(1);
    assertThat(p2.get("next").isNull()).isTrue();
    assertThat(p2.get("previous").asText()).contains("page=1");
    assertMemoryShape(p2.get("results").get(0));

    JsonNode py =
        s.post("/v3/memories/?page=1&page_size=50", key, fixture("py_get_all.json")).ok().j();
    assertThat(py.has("count")).isTrue();
    JsonNode ts = s.post("/v3/memories/", key, fixture("ts_get_all.json")).ok().j();
    assertThat(ts.has("results")).isTrue();
  }

  @Test
  void byId_getUpdateHistoryDelete() {
    String key = s.tenant("mem0byid");
    String id = addPy(key);
    assertMemoryShape(s.get("/v1/memories/" + id + "/", key).ok().j());
    JsonNode upd = s.put("/v1/memories/" + id + "/", key, fixture("py_update.json")).ok().j();
    assertThat(upd.get("text").asText()).isEqualTo("Alice is planning a trip to Kyoto next month.");
    assertThat(upd.get("id").asText()).isEqualTo(id);
    JsonNode md =
        s.put("/v1/memories/" + id + "/", key, fixture("ts_update_metadata.json")).ok().j();
    assertThat(md.get("metadata").get("source").asText()).isEqualTo("edit");
    assertThat(md.get("memory").asText())
        .isEqualTo("Alice is planning a trip to Kyoto next month.");
    s.put("/v1/memories/" + id + "/", key, "{\"expiration_date\":\"2030-01-31\"}")
        .error(501, "not_implemented");

    JsonNode hist = s.get("/v1/memories/" + id + "/history/", key).ok().j();
    assertThat(hist.isArray()).isTrue();
    for (String f :
        List.of(
            "id",
            "memory_id",
            "old_memory",
            "new_memory",
            "event",
            "created_at",
            "updated_at",
            "user_id",
            "categories",
            "input")) {
      assertThat(hist.get(0).has(f)).as("history field %s", f).isTrue();
    }
    assertThat(hist.findValuesAsText("event")).startsWith("ADD", "UPDATE");
    assertThat(hist.get(1).get("new_memory").asText()).contains("Kyoto");

    assertThat(s.delete("/v1/memories/" + id + "/", key).ok().j().get("message").asText())
        .isNotEmpty();
    s.get("/v1/memories/" + id + "/", key).error(404, "not_found");
  }

  @Test
  void batch_updateAndDelete() {
    String id =
        s.post(
                "/v3/memories/add/",
                key,
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Batch person eats meat\"}],\"user_id\":\"batch\"}")
            .ok()
            .j()
            .get("results")
            .get(0)
            .get("id")
            .asText();
    s.put("/v1/batch/", key, fixture("ts_batch_update.json").replace("{{ID}}", id)).ok();
    assertThat(s.get("/v1/memories/" + id + "/", key).ok().j().get("memory").asText())
        .isEqualTo("Alex is vegan and allergic to nuts.");
    String missing = "0190a000-0000-7000-8000-000000000000";
    s.send("DELETE", "/v1/batch/", key, fixture("py_batch_delete.json").replace("{{ID}}", missing))
        .error(404, "not_found");
    s.send("DELETE", "/v1/batch/", key, fixture("py_batch_delete.json").replace("{{ID}}", id)).ok();
    s.get("/v1/memories/" + id + "/", key).error(404, "not_found");

    StringBuilder tooMany = new StringBuilder("{\"memories\":[");
    for (int i = 0; i <= Mem0Requests.MAX_BATCH; i++) {
      tooMany.append(i == 0 ? "" : ",").append("{\"memory_id\":\"").append(missing).append("\"}");
    }
    s.put("/v1/batch/", key, tooMany.append("]}").toString()).error(400, "invalid_request");
  }

  @Test
  void entitiesAndDeletes() {
    s.post(
            "/v3/memories/add/",
            key,
            "{\"messages\":[{\"role\":\"user\",\"content\":\"entity fact one\"}],\"user_id\":\"ent-user\"}")
        .ok();
    s.post(
            "/v3/memories/add/",
            key,
            "{\"messages\":[{\"role\":\"user\",\"content\":\"entity fact two\"}],\"agent_id\":\"ent-agent\"}")
        .ok();
    JsonNode ents = s.get("/v1/entities/", key).ok().j();
    assertThat(ents.has("count")).isTrue();
    assertThat(ents.get("results").findValuesAsText("name")).contains("ent-user", "ent-agent");
    JsonNode u = null;
    for (JsonNode e : ents.get("results")) {
      if (e.get("name").asText().equals("ent-user")) {
        u = e;
      }
    }
    assertThat(u.get("type").asText()).isEqualTo("user");
    assertThat(u.get("total_memories").asInt()).isEqualTo(1);

    s.delete("/v2/entities/agent/ent-agent/", key).ok();
    s.delete("/v1/memories/", key).error(400, "invalid_request");
    assertThat(s.delete("/v1/memories/?user_id=ent-user", key).ok().j().get("message").asText())
        .isNotEmpty();
    assertThat(s.get("/v1/entities/", key).ok().j().get("results").findValuesAsText("name"))
        .doesNotContain("ent-user", "ent-agent");
  }

  @Test
  void deleteAll_wildcard_deletesTheWholeTenant() {
    String k = s.tenant("wild");
    s.post("/v3/memories/add/", k, fixture("py_add.json")).ok();
    s.post("/v3/memories/add/", k, fixture("ts_add.json")).ok();
    // Two user messages became memories (infer defaults to true; the assistant's are raw context).
    assertThat(s.delete("/v1/memories/?user_id=*", k).ok().j().get("deleted").asLong())
        .isEqualTo(2);
    assertThat(
            s.post("/v3/memories/", k, "{\"filters\":{\"user_id\":\"*\"}}")
                .ok()
                .j()
                .get("count")
                .asLong())
        .isZero();
  }

  @Test
  void unsupportedFeatures_are501NamingThem() {
    TestServer.Res r =
        s.post("/v1/feedback/", key, "{\"memory_id\":\"x\",\"feedback\":\"POSITIVE\"}");
    r.error(501, "not_implemented");
    assertThat(r.j().get("error").get("message").asText()).contains("feedback");
    assertThat(s.post("/v1/exports/", key, "{}").error(400, "invalid_request").field())
        .isEqualTo("schema");
    s.get("/api/v1/webhooks/projects/p1/", key).error(501, "not_implemented");
    s.post("/v1/feedback/", null, "{}").error(401, "unauthorized");
    JsonNode graph =
        s.post(
                "/v3/memories/add/",
                key,
                "{\"messages\":\"Graph person likes chess\",\"user_id\":\"g\",\"enable_graph\":true}")
            .ok()
            .j();
    assertThat(graph.get("relations").isArray()).isTrue();
    assertThat(
            s.post("/v3/memories/add/", key, "{\"messages\":\"x y z\",\"app_id\":\"my-app\"}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("app_id");
    assertThat(
            s.post(
                    "/v3/memories/add/",
                    key,
                    "{\"messages\":[{\"role\":\"user\",\"content\":{\"type\":\"image_url\",\"image_url\":{\"url\":\"u\"}}}]}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("messages[0].content");
  }

  /**
   * Regression (issue 9): on the Mem0 routes {@code infer: false} now has Mem0's meaning, store
   * every message given, exact duplicates aside; near-duplicate detection applies only when
   * inference is asked for. {@code near_duplicate_threshold} sets it per call.
   */
  @Test
  void add_inferFalse_storesNearDuplicates_butNotExactOnes() {
    String k = s.tenant("verbatim");
    String first =
        "{\"messages\":[{\"role\":\"user\",\"content\":\"I am allergic to peanuts and tree nuts since childhood\"}],"
            + "\"user_id\":\"amy\",\"infer\":false}";
    String near =
        "{\"messages\":[{\"role\":\"user\",\"content\":\"Um, I am allergic to peanuts and tree nuts since childhood\"}],"
            + "\"user_id\":\"amy\",\"infer\":false}";
    assertThat(s.post("/v3/memories/add/", k, first).ok().j().get("results")).hasSize(1);
    assertThat(s.post("/v3/memories/add/", k, near).ok().j().get("results")).hasSize(1);
    assertThat(s.post("/v3/memories/add/", k, near).ok().j().get("results")).isEmpty();

    String nearDefault =
        "{\"messages\":[{\"role\":\"user\",\"content\":\"Um, I am allergic to peanuts and tree nuts since childhood\"}],"
            + "\"user_id\":\"bea\"}";
    String again =
        "{\"messages\":[{\"role\":\"user\",\"content\":\"I am allergic to peanuts and tree nuts since childhood\"}],"
            + "\"user_id\":\"bea\"}";
    assertThat(s.post("/v3/memories/add/", k, nearDefault).ok().j().get("results")).hasSize(1);
    assertThat(s.post("/v3/memories/add/", k, again).ok().j().get("results")).isEmpty();
    String perCall =
        "{\"messages\":[{\"role\":\"user\",\"content\":\"I am allergic to peanuts and tree nuts since childhood\"}],"
            + "\"user_id\":\"bea\",\"near_duplicate_threshold\":1.0}";
    assertThat(s.post("/v3/memories/add/", k, perCall).ok().j().get("results")).hasSize(1);
    assertThat(
            s.post(
                    "/v3/memories/add/",
                    k,
                    "{\"messages\":\"x\",\"user_id\":\"bea\",\"near_duplicate_threshold\":1.5}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("near_duplicate_threshold");
    assertThat(
            s.post(
                    "/v1/mem/add",
                    k,
                    "{\"text\":\"x\",\"user_id\":\"bea\",\"near_duplicate_threshold\":0}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("near_duplicate_threshold");
  }
}
