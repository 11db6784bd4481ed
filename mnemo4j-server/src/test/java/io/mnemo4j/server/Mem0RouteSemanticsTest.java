package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo4j.testing.MutableClock;
import io.mnemo4j.testing.ScriptedModel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Mem0 route semantics found wrong by the new-user audit (issue 9, item 4), one test each, with
 * what Mem0's own documentation and TypeScript client say the route means.
 */
class Mem0RouteSemanticsTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private final ScriptedModel model = new ScriptedModel();
  private TestServer s;
  private String key;

  @BeforeEach
  void start() {
    s =
        new TestServer(
            TestServer.defaultConfig(),
            b ->
                b.clock(clock)
                    .inference(io.mnemo4j.InferenceSettings.with(model))
                    .expirySweep(Duration.ZERO, Duration.ZERO),
            new ModelUsageMeter());
    key = s.tenant("semantics");
  }

  @AfterEach
  void stop() {
    s.close();
  }

  private String addVerbatim(String userId, String text) {
    return s.post(
            "/v3/memories/add/",
            key,
            "{\"messages\":[{\"role\":\"user\",\"content\":\""
                + text
                + "\"}],\"user_id\":\""
                + userId
                + "\",\"infer\":false}")
        .ok()
        .j()
        .get("results")
        .get(0)
        .get("id")
        .asText();
  }

  /**
   * Regression: a Mem0 add with no user_id, agent_id or run_id was stored tenant-wide, where no
   * Mem0 read (each needs an entity) could ever reach it. Mem0 answers 400 ("At least one entity ID
   * is required"); so does Mnemo4j, on the v3 and the legacy v1 route, storing nothing.
   */
  @Test
  void add_withoutAnyEntityId_is400NamingTheIds_andStoresNothing() {
    for (String route : List.of("/v3/memories/add/", "/v1/memories/")) {
      for (String body :
          List.of(
              "{\"messages\":[{\"role\":\"user\",\"content\":\"I live in Lyon\"}],\"infer\":false}",
              "{\"messages\":\"I live in Lyon\",\"user_id\":\"\",\"infer\":false}",
              "{\"messages\":\"I live in Lyon\",\"async_mode\":true}")) {
        TestServer.Res r = s.post(route, key, body).error(400, "invalid_request");
        assertThat(r.field()).isEqualTo("user_id");
        assertThat(r.j().get("error").get("message").asText())
            .contains("user_id")
            .contains("agent_id")
            .contains("run_id");
      }
    }
    assertThat(s.get("/v1/mem?all=true", key).ok().j().get("results")).isEmpty();
    // any one id is enough, and a key narrowed to a user supplies its user
    s.post(
            "/v3/memories/add/",
            key,
            "{\"messages\":\"I live in Lyon\",\"run_id\":\"r1\",\"infer\":false}")
        .ok();
    String narrowed = s.userKey("semantics", "zoe");
    JsonNode r =
        s.post("/v3/memories/add/", narrowed, "{\"messages\":\"I live in Lyon\",\"infer\":false}")
            .ok()
            .j();
    String id = r.get("results").get(0).get("id").asText();
    assertThat(s.get("/v1/memories/" + id + "/", key).ok().j().get("user_id").asText())
        .isEqualTo("zoe");
  }

  /**
   * Regression: get_all ignored {@code start_date}/{@code end_date} (the TypeScript client's
   * startDate/endDate) and listed everything. They now bound the creation time, both inclusive, a
   * bare end date counting its whole day; the count follows.
   */
  @Test
  void getAll_withStartAndEndDate_listsOnlyMemoriesCreatedInThatRange() {
    List<String> ids = new ArrayList<>();
    for (int day = 1; day <= 5; day++) {
      ids.add(addVerbatim("dana", "note of day " + day + " about kayaks")); // 2026-03-0<day>, noon
      clock.advance(Duration.ofDays(1));
    }
    JsonNode mid =
        s.post(
                "/v3/memories/",
                key,
                "{\"filters\":{\"user_id\":\"dana\"},\"start_date\":\"2026-03-02\","
                    + "\"end_date\":\"2026-03-04\"}")
            .ok()
            .j();
    assertThat(listedIds(mid)).containsExactly(ids.get(1), ids.get(2), ids.get(3));
    assertThat(mid.get("count").asLong()).isEqualTo(3);
    JsonNode from =
        s.post(
                "/v3/memories/",
                key,
                "{\"filters\":{\"user_id\":\"dana\"},\"start_date\":\"2026-03-04T12:00:00Z\"}")
            .ok()
            .j();
    assertThat(listedIds(from)).containsExactly(ids.get(3), ids.get(4));
    JsonNode until =
        s.post(
                "/v3/memories/",
                key,
                "{\"filters\":{\"user_id\":\"dana\"},\"end_date\":\"2026-03-01T11:59:59Z\"}")
            .ok()
            .j();
    assertThat(listedIds(until)).isEmpty();
    assertThat(
            s.post(
                    "/v3/memories/",
                    key,
                    "{\"filters\":{\"user_id\":\"dana\"},\"start_date\":\"2026-03-04\","
                        + "\"end_date\":\"2026-03-02\"}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("end_date");
    assertThat(
            s.post(
                    "/v3/memories/",
                    key,
                    "{\"filters\":{\"user_id\":\"dana\"},\"start_date\":\"last week\"}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("start_date");
  }

  private static List<String> listedIds(JsonNode page) {
    List<String> out = new ArrayList<>();
    page.get("results").forEach(m -> out.add(m.get("id").asText()));
    return out;
  }

  /**
   * Regression: {@code GET /v1/entities/} ignored {@code page}/{@code page_size} and always
   * answered every entity with {@code next: null}. Without either it still lists every entity (the
   * clients' deleteUsers() deletes what users() returns); with them it pages, with next/previous
   * links and the total count.
   */
  @Test
  void entities_honourPageAndPageSize() {
    for (int i = 0; i < 5; i++) {
      addVerbatim("user" + i, "entity note number " + i);
    }
    JsonNode all = s.get("/v1/entities/", key).ok().j();
    assertThat(all.get("count").asInt()).isEqualTo(5);
    assertThat(all.get("results")).hasSize(5);
    assertThat(all.get("next").isNull()).isTrue();

    JsonNode p1 = s.get("/v1/entities/?page=1&page_size=2", key).ok().j();
    JsonNode p2 = s.get("/v1/entities/?page=2&page_size=2", key).ok().j();
    JsonNode p3 = s.get("/v1/entities/?page=3&page_size=2", key).ok().j();
    assertThat(p1.get("count").asInt()).isEqualTo(5);
    assertThat(p1.get("results")).hasSize(2);
    assertThat(p2.get("results")).hasSize(2);
    assertThat(p3.get("results")).hasSize(1);
    assertThat(p1.get("previous").isNull()).isTrue();
    assertThat(p1.get("next").asText()).contains("page=2").contains("page_size=2");
    assertThat(p2.get("previous").asText()).contains("page=1");
    assertThat(p3.get("next").isNull()).isTrue();
    List<String> names = new ArrayList<>();
    for (JsonNode p : List.of(p1, p2, p3)) {
      p.get("results").forEach(e -> names.add(e.get("name").asText()));
    }
    assertThat(names).containsExactlyInAnyOrder("user0", "user1", "user2", "user3", "user4");
    assertThat(s.get("/v1/entities/?page=9&page_size=2", key).ok().j().get("results")).isEmpty();
    assertThat(s.get("/v1/entities/?page_size=1001", key).error(400, "invalid_request").field())
        .isEqualTo("page_size");
  }

  /**
   * Regression: the deprecated {@code DELETE /v1/entities/{type}/{id}/} (what the TypeScript
   * client's deleteUser calls) was a 404. It now deletes like the v2 route, narrowed keys included.
   */
  @Test
  void deprecatedV1EntityDelete_worksLikeV2() {
    addVerbatim("old", "a memory of the old user");
    addVerbatim("keep", "a memory to keep");
    JsonNode r = s.delete("/v1/entities/user/old/", key).ok().j();
    assertThat(r.get("message").asText()).isEqualTo("Entity deleted successfully.");
    JsonNode left = s.post("/v3/memories/", key, "{\"filters\":{\"user_id\":\"*\"}}").ok().j();
    assertThat(left.get("count").asLong()).isEqualTo(1);
    assertThat(left.get("results").get(0).get("user_id").asText()).isEqualTo("keep");
    assertThat(s.delete("/v1/entities/app/x/", key).error(400, "invalid_request").field())
        .isEqualTo("entity_type");
    String narrowed = s.userKey("semantics", "keep");
    s.delete("/v1/entities/user/other/", narrowed).error(403, "forbidden");
  }

  /**
   * Regression: an update carrying Mem0's {@code timestamp} (which rewrites the memory's creation
   * time) answered a 400 naming {@code text}, as if the body were empty. Mnemo4j keeps created_at
   * as system time (as_of and history depend on it), so it answers 501 naming {@code timestamp},
   * and changes nothing.
   */
  @Test
  void update_withTimestamp_is501NamingTimestamp_andChangesNothing() {
    String id = addVerbatim("tim", "I drink oolong");
    for (String body :
        List.of(
            "{\"timestamp\":1735689600}",
            "{\"text\":\"I drink sencha\",\"timestamp\":1735689600}",
            "{\"text\":\"I drink sencha\",\"timestamp\":\"2025-01-01T00:00:00Z\"}")) {
      assertThat(s.put("/v1/memories/" + id + "/", key, body).error(501, "not_implemented").field())
          .isEqualTo("timestamp");
    }
    JsonNode m = s.get("/v1/memories/" + id + "/", key).ok().j();
    assertThat(m.get("memory").asText()).isEqualTo("I drink oolong");
  }

  /**
   * Regression: when the model failed and the messages were stored verbatim, the native add said
   * why ({@code fallback_reason}) but the Mem0 add answered only {@code inferred: false}. Mem0 sync
   * adds and their events now carry {@code fallback_reason}; it is null when inference worked.
   */
  @Test
  void syncAdd_whenInferenceFellBack_carriesFallbackReason() {
    model.answer("this is not JSON").answer("still not JSON");
    JsonNode fell =
        s.post(
                "/v3/memories/add/",
                key,
                "{\"messages\":[{\"role\":\"user\",\"content\":\"I moved to Oslo\"}],"
                    + "\"user_id\":\"fb\"}")
            .ok()
            .j();
    assertThat(fell.get("inferred").asBoolean()).isFalse();
    assertThat(fell.get("fallback_reason").asText()).isNotBlank();
    assertThat(fell.get("results").get(0).get("memory").asText()).isEqualTo("I moved to Oslo");

    model.answer(InferenceRoutesTest.facts("Lives in Oslo"));
    JsonNode ok =
        s.post(
                "/v3/memories/add/",
                key,
                "{\"messages\":[{\"role\":\"user\",\"content\":\"I live in Oslo now\"}],"
                    + "\"user_id\":\"fb2\"}")
            .ok()
            .j();
    assertThat(ok.get("inferred").asBoolean()).isTrue();
    assertThat(ok.has("fallback_reason")).isTrue();
    assertThat(ok.get("fallback_reason").isNull()).isTrue();

    // infer: false asked for no inference: nothing fell back, so neither field is sent
    JsonNode verbatim =
        s.post(
                "/v3/memories/add/",
                key,
                "{\"messages\":\"I cycle to work\",\"user_id\":\"fb\",\"infer\":false}")
            .ok()
            .j();
    assertThat(verbatim.has("fallback_reason")).isFalse();
  }
}
