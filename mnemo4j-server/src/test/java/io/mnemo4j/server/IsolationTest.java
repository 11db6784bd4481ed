package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Tenant A's key can never read, list, search, update, delete or see the history of tenant B's
 * memories (same user ids, same texts on both sides), on native and Mem0 routes alike; a
 * user-narrowed key cannot reach another user.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IsolationTest {
  private static final String TEXT = "The launch code word is pineapple";
  private TestServer s;
  private String keyA;
  private String keyB;
  private String idA;
  private String idB;

  @BeforeAll
  void start() {
    s = new TestServer();
    keyA = s.tenant("tenant-a");
    keyB = s.tenant("tenant-b");
    idA = add(keyA);
    idB = add(keyB);
  }

  @AfterAll
  void stop() {
    s.close();
  }

  private String add(String key) {
    return s.post("/v1/mem/add", key, "{\"user_id\":\"alice\",\"text\":\"" + TEXT + "\"}")
        .ok()
        .j()
        .get("results")
        .get(0)
        .get("id")
        .asText();
  }

  private static List<String> ids(JsonNode results) {
    List<String> out = new ArrayList<>();
    results.forEach(r -> out.add(r.get("id").asText()));
    return out;
  }

  @Test
  void otherTenantsId_isNotFoundOnEveryByIdRoute() {
    assertThat(idA).isNotEqualTo(idB);
    s.get("/v1/mem/" + idB, keyA).error(404, "not_found");
    s.put("/v1/mem/" + idB, keyA, "{\"text\":\"hijacked\"}").error(404, "not_found");
    s.delete("/v1/mem/" + idB, keyA).error(404, "not_found");
    s.get("/v1/mem/" + idB + "/history", keyA).error(404, "not_found");
    s.get("/v1/mem/" + idB + "/versions", keyA).error(404, "not_found");
    s.get("/v1/memories/" + idB + "/", keyA).error(404, "not_found");
    s.put("/v1/memories/" + idB + "/", keyA, "{\"text\":\"hijacked\"}").error(404, "not_found");
    s.delete("/v1/memories/" + idB + "/", keyA).error(404, "not_found");
    s.get("/v1/memories/" + idB + "/history/", keyA).error(404, "not_found");
    s.put(
            "/v1/batch/",
            keyA,
            "{\"memories\":[{\"memory_id\":\"" + idB + "\",\"text\":\"hijacked\"}]}")
        .error(404, "not_found");
    s.send("DELETE", "/v1/batch/", keyA, "{\"memories\":[{\"memory_id\":\"" + idB + "\"}]}")
        .error(404, "not_found");
    // indistinguishable from an id that never existed
    String never = "0190a000-0000-7000-8000-0000000000ff";
    String missing =
        s.get("/v1/mem/" + never, keyA)
            .error(404, "not_found")
            .j()
            .get("error")
            .get("code")
            .asText();
    assertThat(missing).isEqualTo("not_found");
    // B's memory is untouched
    assertThat(s.get("/v1/mem/" + idB, keyB).ok().j().get("memory").asText()).isEqualTo(TEXT);
    assertThat(s.get("/v1/mem/" + idB + "/history", keyB).ok().j().get("results")).hasSize(1);
  }

  @Test
  void listSearchEntities_neverShowTheOtherTenant() {
    assertThat(ids(s.get("/v1/mem?all=true", keyA).ok().j().get("results"))).containsExactly(idA);
    assertThat(ids(s.get("/v1/mem?user_id=alice", keyA).ok().j().get("results")))
        .containsExactly(idA);
    assertThat(
            ids(
                s.post("/v1/mem/search", keyA, "{\"query\":\"launch code\",\"all\":true}")
                    .ok()
                    .j()
                    .get("results")))
        .containsExactly(idA);
    assertThat(
            ids(
                s.post("/v1/mem/search", keyA, "{\"query\":\"launch code\",\"user_id\":\"alice\"}")
                    .ok()
                    .j()
                    .get("results")))
        .containsExactly(idA);
    assertThat(
            ids(
                s.post(
                        "/v3/memories/search/",
                        keyA,
                        "{\"query\":\"launch code\",\"filters\":{\"user_id\":\"alice\"}}")
                    .ok()
                    .j()
                    .get("results")))
        .containsExactly(idA);
    assertThat(
            ids(
                s.post("/v3/memories/", keyA, "{\"filters\":{\"user_id\":\"*\"}}")
                    .ok()
                    .j()
                    .get("results")))
        .containsExactly(idA);
    assertThat(s.get("/v1/entities/", keyA).ok().j().get("results").get(0).get("owner").asText())
        .isEqualTo("tenant-a");
    assertThat(s.get("/v1/mem/entities?type=user", keyA).ok().j().get("results"))
        .hasSize(1)
        .first()
        .satisfies(e -> assertThat(e.get("memories").asLong()).isEqualTo(1));
    assertThat(s.get("/v1/mem/count?all=true", keyA).ok().j().get("count").asLong()).isEqualTo(1);
    assertThat(
            s.get("/v1/mem/count?all=true&include_closed=true&include_expired=true", keyA)
                .ok()
                .j()
                .get("count")
                .asLong())
        .isEqualTo(1);
  }

  @Test
  void deleteAllInOneTenant_leavesTheOtherAlone() {
    String k1 = s.tenant("iso-c");
    String k2 = s.tenant("iso-d");
    s.post("/v1/mem/add", k1, "{\"user_id\":\"bob\",\"text\":\"same text both sides\"}").ok();
    String d =
        s.post("/v1/mem/add", k2, "{\"user_id\":\"bob\",\"text\":\"same text both sides\"}")
            .ok()
            .j()
            .get("results")
            .get(0)
            .get("id")
            .asText();
    s.post("/v1/mem/delete-all", k1, "{\"all\":true}").ok();
    s.delete("/v1/memories/?user_id=*", k1).ok();
    s.delete("/v2/entities/user/bob/", k1).ok();
    assertThat(ids(s.get("/v1/mem?all=true", k2).ok().j().get("results"))).containsExactly(d);
  }

  @Test
  void userNarrowedKey_cannotReachAnotherUser() {
    String k = s.tenant("narrow");
    String alice = s.userKey("narrow", "alice");
    String bobId =
        s.post("/v1/mem/add", k, "{\"user_id\":\"bob\",\"text\":\"bob private note\"}")
            .ok()
            .j()
            .get("results")
            .get(0)
            .get("id")
            .asText();
    String orgId =
        s.post("/v1/mem/add", k, "{\"text\":\"org wide handbook note\"}")
            .ok()
            .j()
            .get("results")
            .get(0)
            .get("id")
            .asText();

    // writes go to alice, whatever the request says; another user is forbidden
    JsonNode added = s.post("/v1/mem/add", alice, "{\"text\":\"alice private note\"}").ok().j();
    String aliceId = added.get("results").get(0).get("id").asText();
    assertThat(s.get("/v1/mem/" + aliceId, k).ok().j().get("user_id").asText()).isEqualTo("alice");
    s.post("/v1/mem/add", alice, "{\"user_id\":\"bob\",\"text\":\"x\"}").error(403, "forbidden");
    s.post("/v3/memories/add/", alice, "{\"messages\":\"x\",\"user_id\":\"bob\"}")
        .error(403, "forbidden");

    // by id: another user's memory is "not found"; tenant-wide memory is readable but not writable
    s.get("/v1/mem/" + bobId, alice).error(404, "not_found");
    s.get("/v1/memories/" + bobId + "/", alice).error(404, "not_found");
    s.get("/v1/mem/" + bobId + "/history", alice).error(404, "not_found");
    s.put("/v1/mem/" + bobId, alice, "{\"text\":\"y\"}").error(404, "not_found");
    s.delete("/v1/mem/" + bobId, alice).error(404, "not_found");
    assertThat(s.get("/v1/mem/" + orgId, alice).ok().j().get("memory").asText())
        .isEqualTo("org wide handbook note");
    s.delete("/v1/mem/" + orgId, alice).error(404, "not_found");

    // list and search: another user or the whole tenant is forbidden; its own scope plus
    // tenant-wide is fine
    s.post("/v1/mem/search", alice, "{\"query\":\"note\",\"user_id\":\"bob\"}")
        .error(403, "forbidden");
    s.post("/v1/mem/search", alice, "{\"query\":\"note\",\"all\":true}").error(403, "forbidden");
    s.get("/v1/mem?user_id=bob", alice).error(403, "forbidden");
    s.post("/v3/memories/search/", alice, "{\"query\":\"note\",\"filters\":{\"user_id\":\"bob\"}}")
        .error(403, "forbidden");
    assertThat(
            ids(
                s.post("/v1/mem/search", alice, "{\"query\":\"note\",\"include_tenant_wide\":true}")
                    .ok()
                    .j()
                    .get("results")))
        .containsExactlyInAnyOrder(aliceId, orgId);
    assertThat(
            ids(
                s.post(
                        "/v3/memories/search/",
                        alice,
                        "{\"query\":\"note\",\"filters\":{\"user_id\":\"*\"}}")
                    .ok()
                    .j()
                    .get("results")))
        .containsExactly(aliceId);
    assertThat(s.get("/v1/entities/", alice).ok().j().get("results").findValuesAsText("name"))
        .containsExactly("alice");

    // the console's routes: counts, entities and versions hold to the same rules
    s.get("/v1/mem/" + bobId + "/versions", alice).error(404, "not_found");
    s.get("/v1/mem/count?user_id=bob", alice).error(403, "forbidden");
    s.get("/v1/mem/count?all=true", alice).error(403, "forbidden");
    s.get("/v1/mem/entities?type=user&user_id=bob", alice).error(403, "forbidden");
    assertThat(s.get("/v1/mem/count", alice).ok().j().get("count").asLong()).isEqualTo(1);
    assertThat(
            s.get("/v1/mem/entities?type=user", alice)
                .ok()
                .j()
                .get("results")
                .findValuesAsText("id"))
        .containsExactly("alice");
    assertThat(
            s.get("/v1/mem/entities?type=user", k).ok().j().get("results").findValuesAsText("id"))
        .containsExactly("alice", "bob");
    assertThat(s.get("/v1/whoami", alice).ok().j().get("user_id").asText()).isEqualTo("alice");

    // delete-all: another user or everything is forbidden
    s.post("/v1/mem/delete-all", alice, "{\"user_id\":\"bob\"}").error(403, "forbidden");
    s.post("/v1/mem/delete-all", alice, "{\"all\":true}").error(403, "forbidden");
    s.delete("/v1/memories/?user_id=*", alice).error(403, "forbidden");
    s.delete("/v2/entities/user/bob/", alice).error(403, "forbidden");
    assertThat(s.get("/v1/mem/" + bobId, k).ok().j().get("memory").asText())
        .isEqualTo("bob private note");
  }

  @Test
  void addEvents_areVisibleOnlyToTheirTenantAndUser() {
    String k = s.tenant("events");
    String alice = s.userKey("events", "alice");
    String bobEvent =
        s.send(
                "POST",
                "/v1/mem/add",
                k,
                "{\"user_id\":\"bob\",\"text\":\"bob private plan\"}",
                Map.of("Idempotency-Key", "bob-1"))
            .ok()
            .j()
            .get("event_id")
            .asText();
    String aliceEvent =
        s.send(
                "POST",
                "/v1/mem/add",
                alice,
                "{\"text\":\"alice private plan\"}",
                Map.of("Idempotency-Key", "alice-1"))
            .ok()
            .j()
            .get("event_id")
            .asText();

    assertThat(s.get("/v1/events/" + bobEvent, k).ok().j().get("status").asText())
        .isEqualTo("SUCCEEDED");
    s.get("/v1/events/" + bobEvent, keyA).error(404, "not_found");
    s.get("/v1/event/" + bobEvent + "/", keyA).error(404, "not_found");
    // a user-narrowed key sees its own operations only
    s.get("/v1/events/" + bobEvent, alice).error(404, "not_found");
    s.get("/v1/event/" + bobEvent + "/", alice).error(404, "not_found");
    assertThat(
            s.get("/v1/events/" + aliceEvent, alice)
                .ok()
                .j()
                .get("result")
                .get("results")
                .get(0)
                .get("memory")
                .asText())
        .isEqualTo("alice private plan");
    // idempotency keys are per tenant: the same key in another tenant is a new add
    String otherTenant = s.tenant("events-other");
    JsonNode other =
        s.send(
                "POST",
                "/v1/mem/add",
                otherTenant,
                "{\"user_id\":\"bob\",\"text\":\"tenant b plan\"}",
                Map.of("Idempotency-Key", "bob-1"))
            .ok()
            .j();
    assertThat(other.get("replayed").asBoolean()).isFalse();
    assertThat(other.get("event_id").asText()).isNotEqualTo(bobEvent);
  }

  /**
   * Regression (issue 9): a key narrowed to alice that reused an idempotency key first used for bob
   * got bob's memory text back ("Bob salary is 91k") and alice's message was silently not stored.
   * The key is bound to its scope and body: reusing it elsewhere is a 409 naming {@code
   * idempotency_key} that reveals nothing of the first add.
   */
  @Test
  void idempotencyKey_reusedByANarrowedKey_isAConflictAndLeaksNothing() {
    String k = s.tenant("idem");
    String alice = s.userKey("idem", "alice");
    s.send(
            "POST",
            "/v1/mem/add",
            k,
            "{\"user_id\":\"bob\",\"text\":\"Bob salary is 91k\"}",
            Map.of("Idempotency-Key", "pay-1"))
        .ok();

    TestServer.Res res =
        s.send(
            "POST",
            "/v1/mem/add",
            alice,
            "{\"text\":\"Alice prefers tea\"}",
            Map.of("Idempotency-Key", "pay-1"));
    assertThat(res.error(409, "conflict").field()).isEqualTo("idempotency_key");
    assertThat(res.body()).doesNotContain("91k").doesNotContain("bob");
    TestServer.Res mem0 =
        s.send(
            "POST",
            "/v3/memories/add/",
            alice,
            "{\"messages\":[{\"role\":\"user\",\"content\":\"Alice prefers tea\"}]}",
            Map.of("Idempotency-Key", "pay-1"));
    assertThat(mem0.error(409, "conflict").field()).isEqualTo("idempotency_key");
    assertThat(mem0.body()).doesNotContain("91k");
    // With a fresh key alice's message is stored.
    s.send(
            "POST",
            "/v1/mem/add",
            alice,
            "{\"text\":\"Alice prefers tea\"}",
            Map.of("Idempotency-Key", "pay-2"))
        .ok();
    assertThat(s.get("/v1/mem", alice).ok().j().get("results").findValuesAsText("memory"))
        .containsExactly("Alice prefers tea");
  }

  /** Every add, synchronous or not, has an event the caller can poll, and only in its own scope. */
  @Test
  void addEvents_ofSynchronousAndQueuedAdds_arePollableInTheirScopeOnly() {
    String k = s.tenant("polls");
    String alice = s.userKey("polls", "alice");
    String sync =
        s.post(
                "/v3/memories/add/",
                k,
                "{\"messages\":[{\"role\":\"user\",\"content\":\"bob likes jazz\"}],"
                    + "\"user_id\":\"bob\"}")
            .ok()
            .j()
            .get("event_id")
            .asText();
    assertThat(s.get("/v1/event/" + sync + "/", k).ok().j().get("status").asText())
        .isEqualTo("SUCCEEDED");
    s.get("/v1/event/" + sync + "/", alice).error(404, "not_found");
    String queued =
        s.post(
                "/v1/mem/add",
                k,
                "{\"user_id\":\"bob\",\"text\":\"bob plays piano\",\"async\":true}")
            .status(202)
            .j()
            .get("event_id")
            .asText();
    // Whether it already ran or not, another user's narrowed key never sees it.
    s.get("/v1/events/" + queued, alice).error(404, "not_found");
    s.get("/v1/events/" + queued, k).ok();
  }
}
