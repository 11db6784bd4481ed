package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo4j.InferenceSettings;
import io.mnemo4j.Mnemo;
import io.mnemo4j.TenantId;
import io.mnemo4j.llm.CompletionRequest;
import io.mnemo4j.llm.TokenUsage;
import io.mnemo4j.testing.MutableClock;
import io.mnemo4j.testing.ScriptedModel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Language-model inference over HTTP, with an in-process scripted model: native and Mem0 adds
 * (synchronous, idempotent, queued), event polling, {@code as_of} reads, back-pressure (429) and
 * the model usage metrics.
 */
class InferenceRoutesTest {
  private final ScriptedModel model = new ScriptedModel();
  private final List<TestServer> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(TestServer::close);
  }

  private TestServer start(UnaryOperator<Mnemo.Builder> customize) {
    return start(TestServer.defaultConfig(), customize, new ModelUsageMeter());
  }

  private TestServer start(
      ServerConfig config, UnaryOperator<Mnemo.Builder> customize, ModelUsageMeter meter) {
    TestServer s =
        new TestServer(
            config, b -> customize.apply(b.inference(InferenceSettings.with(model))), meter);
    servers.add(s);
    return s;
  }

  static String facts(String... texts) {
    StringBuilder b = new StringBuilder("{\"facts\":[");
    for (int i = 0; i < texts.length; i++) {
      b.append(i > 0 ? "," : "")
          .append("{\"text\":\"")
          .append(texts[i])
          .append("\",\"categories\":[],\"valid_from\":null}");
    }
    return b.append("]}").toString();
  }

  static String update(String alias, String text) {
    return "{\"decisions\":[{\"fact\":0,\"event\":\"UPDATE\",\"id\":\""
        + alias
        + "\",\"text\":\""
        + text
        + "\"}]}";
  }

  static String system(CompletionRequest r) {
    return r.messages().get(0).text();
  }

  /** Polls an event route until the add finished (SUCCEEDED or FAILED). */
  static JsonNode poll(TestServer s, String path, String key) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      JsonNode e = s.get(path, key).ok().j();
      String status = e.get("status").asText();
      assertThat(status).isIn("PENDING", "RUNNING", "SUCCEEDED", "FAILED");
      if (status.equals("SUCCEEDED") || status.equals("FAILED")) {
        return e;
      }
      assertThat(System.nanoTime()).as("event %s still %s", path, status).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void add_withModel_infersAndReportsUsage() {
    TestServer s = start(b -> b);
    String key = s.tenant("acme");
    model.answer(facts("Alice is vegetarian"));

    JsonNode r =
        s.post(
                "/v1/mem/add",
                key,
                """
                {"text":"I became vegetarian yesterday","user_id":"alice",
                 "session_date":"2026-01-04","instructions":"Only remember food preferences"}
                """)
            .ok()
            .j();

    assertThat(r.get("inferred").asBoolean()).isTrue();
    assertThat(r.get("fallback_reason").isNull()).isTrue();
    assertThat(r.get("replayed").asBoolean()).isFalse();
    // Every add is recorded, so its event can be polled.
    assertThat(
            s.get("/v1/events/" + r.get("event_id").asText(), key).ok().j().get("status").asText())
        .isEqualTo("SUCCEEDED");
    assertThat(r.get("usage").get("input_tokens").asLong()).isEqualTo(100);
    assertThat(r.get("usage").get("output_tokens").asLong()).isEqualTo(20);
    assertThat(r.get("usage").get("calls").asInt()).isEqualTo(1);
    assertThat(r.get("results")).hasSize(1);
    assertThat(r.get("results").get(0).get("event").asText()).isEqualTo("ADD");
    assertThat(r.get("results").get(0).get("memory").asText()).isEqualTo("Alice is vegetarian");
    String prompt = system(model.requests().get(0));
    assertThat(prompt).contains("2026-01-04").contains("Only remember food preferences");

    JsonNode listed = s.get("/v1/mem?user_id=alice", key).ok().j().get("results").get(0);
    assertThat(listed.get("memory_type").asText()).isEqualTo("semantic");
    assertThat(listed.get("inferred").asBoolean()).isTrue();
    assertThat(listed.has("valid_from")).isTrue();
  }

  @Test
  void add_idempotencyKeyHeader_replaysTheFirstResultWithOneModelCall() {
    TestServer s = start(b -> b);
    String key = s.tenant("acme");
    model.answer(facts("Bob drinks oat milk"));
    String body = "{\"text\":\"I only drink oat milk\",\"user_id\":\"bob\"}";
    Map<String, String> header = Map.of("Idempotency-Key", "order-42");

    JsonNode first = s.send("POST", "/v1/mem/add", key, body, header).ok().j();
    JsonNode again = s.send("POST", "/v1/mem/add", key, body, header).ok().j();

    String eventId = first.get("event_id").asText();
    assertThat(eventId).hasSize(36);
    assertThat(first.get("replayed").asBoolean()).isFalse();
    assertThat(again.get("event_id").asText()).isEqualTo(eventId);
    assertThat(again.get("replayed").asBoolean()).isTrue();
    assertThat(again.get("results")).isEqualTo(first.get("results"));
    assertThat(model.requests()).hasSize(1);
    assertThat(s.get("/v1/mem?user_id=bob", key).ok().j().get("results")).hasSize(1);

    JsonNode event = s.get("/v1/events/" + eventId, key).ok().j();
    assertThat(event.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(event.get("result").get("results")).isEqualTo(first.get("results"));

    String bodyWithKey =
        "{\"text\":\"I only drink oat milk\",\"user_id\":\"bob\",\"idempotency_key\":\"other\"}";
    assertThat(
            s.send("POST", "/v1/mem/add", key, bodyWithKey, header)
                .error(400, "invalid_request")
                .field())
        .isEqualTo("idempotency_key");
  }

  @Test
  void addAsync_answers202_andTheEventSucceeds() throws Exception {
    TestServer s = start(b -> b);
    String key = s.tenant("acme");
    String otherKey = s.tenant("other");
    model.answer(facts("Carol plays the cello"));

    TestServer.Res accepted =
        s.post(
                "/v1/mem/add",
                key,
                "{\"text\":\"I play the cello\",\"user_id\":\"carol\",\"async\":true}")
            .status(202);
    assertThat(accepted.j().get("status").asText()).isEqualTo("PENDING");
    String eventId = accepted.j().get("event_id").asText();

    JsonNode done = poll(s, "/v1/events/" + eventId, key);
    assertThat(done.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(done.get("id").asText()).isEqualTo(eventId);
    assertThat(done.get("created_at").asText()).isNotEmpty();
    assertThat(done.get("updated_at").asText()).isNotEmpty();
    JsonNode result = done.get("result");
    assertThat(result.get("inferred").asBoolean()).isTrue();
    assertThat(result.get("event_id").asText()).isEqualTo(eventId);
    assertThat(result.get("usage").get("calls").asInt()).isEqualTo(1);
    assertThat(result.get("results").get(0).get("memory").asText())
        .isEqualTo("Carol plays the cello");
    assertThat(done.has("error")).isFalse();

    s.get("/v1/events/" + eventId, otherKey).error(404, "not_found");
    s.get("/v1/events/" + UUID.randomUUID(), key).error(404, "not_found");
    assertThat(s.get("/v1/events/not-a-uuid", key).error(400, "invalid_request").field())
        .isEqualTo("id");
    s.get("/v1/events/" + eventId, null).error(401, "unauthorized");
  }

  @Test
  void mem0AsyncMode_queues_andTheEventRouteReportsTheResults() throws Exception {
    TestServer s = start(b -> b);
    String key = s.tenant("acme");
    model.answer(facts("Alice likes sushi"));

    JsonNode queued =
        s.post(
                "/v3/memories/add/",
                key,
                """
                {"messages":[{"role":"user","content":"I love sushi"}],"user_id":"alice",
                 "async_mode":true,"custom_instructions":"Focus on food",
                 "includes":"cuisines","excludes":"passwords"}
                """)
            .ok()
            .j();
    assertThat(queued.get("status").asText()).isEqualTo("PENDING");
    assertThat(queued.get("message").asText()).contains("queued");
    String eventId = queued.get("event_id").asText();

    JsonNode done = poll(s, "/v1/event/" + eventId + "/", key);
    assertThat(done.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(done.get("event_type").asText()).isEqualTo("ADD");
    JsonNode first = done.get("results").get(0);
    assertThat(first.get("event").asText()).isEqualTo("ADD");
    assertThat(first.get("memory").asText()).isEqualTo("Alice likes sushi");
    assertThat(first.get("data").get("memory").asText()).isEqualTo("Alice likes sushi");
    assertThat(done.get("completed_at").asText()).isNotEmpty();
    assertThat(system(model.requests().get(0)))
        .contains("Focus on food")
        .contains("cuisines")
        .contains("passwords");

    // the legacy route answers in its own shapes, and infer=false needs no model call
    JsonNode legacy =
        s.post(
                "/v1/memories/",
                key,
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Alice has a cat\"}],"
                    + "\"user_id\":\"alice\",\"infer\":false,\"async_mode\":true}")
            .ok()
            .j();
    assertThat(legacy.isArray()).isTrue();
    assertThat(legacy.get(0).get("status").asText()).isEqualTo("PENDING");
    JsonNode verbatim = poll(s, "/v1/event/" + legacy.get(0).get("event_id").asText() + "/", key);
    assertThat(verbatim.get("results").get(0).get("memory").asText()).isEqualTo("Alice has a cat");
    assertThat(verbatim.get("inferred").asBoolean()).isFalse();
    assertThat(model.requests()).hasSize(1);

    // synchronous Mem0 adds now report whether the model made the memories
    model.answer(facts("Zoe is learning Japanese")); // a new scope: one extraction call
    JsonNode sync =
        s.post(
                "/v3/memories/add/",
                key,
                "{\"messages\":\"I started learning Japanese\",\"user_id\":\"zoe\"}")
            .ok()
            .j();
    assertThat(sync.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(sync.get("inferred").asBoolean()).isTrue();
    assertThat(sync.get("results").get(0).get("memory").asText())
        .isEqualTo("Zoe is learning Japanese");

    s.get("/v1/event/" + UUID.randomUUID() + "/", key).error(404, "not_found");
    assertThat(
            s.post("/v3/memories/add/", key, "{\"messages\":\"x y\",\"async_mode\":\"soon\"}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("async_mode");
  }

  @Test
  void asOf_searchAndList_seeTheMemoryBeforeAndAfterAnUpdate() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-05T10:00:00Z"));
    TestServer s = start(b -> b.clock(clock));
    String key = s.tenant("acme");
    model.answer(facts("Alice lives in Paris"));
    String id =
        s.post("/v1/mem/add", key, "{\"text\":\"I live in Paris\",\"user_id\":\"alice\"}")
            .ok()
            .j()
            .get("results")
            .get(0)
            .get("id")
            .asText();
    clock.advance(Duration.ofDays(1));
    model
        .answer(facts("Alice lives in Paris in the 11th arrondissement"))
        .answer(update("0", "Alice lives in Paris, in the 11th arrondissement"));
    JsonNode updated =
        s.post(
                "/v1/mem/add",
                key,
                "{\"text\":\"I live in the 11th arrondissement\",\"user_id\":\"alice\"}")
            .ok()
            .j()
            .get("results")
            .get(0);
    assertThat(updated.get("event").asText()).isEqualTo("UPDATE");
    assertThat(updated.get("id").asText()).isEqualTo(id);
    assertThat(updated.get("previous_memory").asText()).isEqualTo("Alice lives in Paris");

    String now = "Alice lives in Paris, in the 11th arrondissement";
    String before = "Alice lives in Paris";
    assertThat(nativeSearch(s, key, "")).containsExactly(now);
    assertThat(nativeSearch(s, key, ",\"as_of\":\"2026-01-05T12:00:00Z\"")).containsExactly(before);
    // a date means its start (UTC): before the memory existed
    assertThat(nativeSearch(s, key, ",\"as_of\":\"2026-01-05\"")).isEmpty();
    assertThat(
            s.get("/v1/mem?user_id=alice&as_of=2026-01-05T12:00:00Z", key)
                .ok()
                .j()
                .get("results")
                .findValuesAsText("memory"))
        .containsExactly(before);
    assertThat(
            s.get("/v1/mem?user_id=alice&include_expired=true", key)
                .ok()
                .j()
                .get("results")
                .findValuesAsText("memory"))
        .containsExactly(now);
    JsonNode mem0 =
        s.post(
                "/v3/memories/search/",
                key,
                "{\"query\":\"where does Alice live\",\"filters\":{\"user_id\":\"alice\"},"
                    + "\"as_of\":\"2026-01-05T12:00:00Z\"}")
            .ok()
            .j();
    assertThat(mem0.get("results").findValuesAsText("memory")).containsExactly(before);
    JsonNode mem0List =
        s.post(
                "/v3/memories/",
                key,
                "{\"filters\":{\"user_id\":\"alice\"},\"as_of\":\"2026-01-05T12:00:00Z\"}")
            .ok()
            .j();
    assertThat(mem0List.get("count").asLong()).isEqualTo(1);
    assertThat(mem0List.get("results").findValuesAsText("memory")).containsExactly(before);

    assertThat(
            s.post(
                    "/v1/mem/search",
                    key,
                    "{\"query\":\"x\",\"user_id\":\"alice\",\"as_of\":\"last week\"}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("as_of");
    assertThat(s.get("/v1/mem?as_of=soon", key).error(400, "invalid_request").field())
        .isEqualTo("as_of");
  }

  private static List<String> nativeSearch(TestServer s, String key, String extra) {
    return s.post(
            "/v1/mem/search",
            key,
            "{\"query\":\"where does Alice live\",\"user_id\":\"alice\"" + extra + "}")
        .ok()
        .j()
        .get("results")
        .findValuesAsText("memory");
  }

  @Test
  void asyncQueueFull_is429WithRetryAfter() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch called = new CountDownLatch(1);
    model.otherwise(
        request -> {
          called.countDown();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return facts("Dave collects stamps");
        });
    TestServer s = start(b -> b.asyncAdds(1, 1));
    String key = s.tenant("acme");
    try {
      String body = "{\"text\":\"I collect stamps\",\"user_id\":\"dave\",\"async\":true}";
      String eventId = s.post("/v1/mem/add", key, body).status(202).j().get("event_id").asText();
      assertThat(called.await(20, TimeUnit.SECONDS)).isTrue();

      TestServer.Res refused =
          s.post(
                  "/v1/mem/add",
                  key,
                  "{\"text\":\"I also collect coins\",\"user_id\":\"dave\",\"async\":true}")
              .error(429, "overloaded");
      assertThat(refused.raw().headers().firstValue("Retry-After")).hasValue("1");
      TestServer.Res mem0Refused =
          s.post(
                  "/v3/memories/add/",
                  key,
                  "{\"messages\":\"coins too\",\"user_id\":\"dave\",\"async_mode\":true}")
              .error(429, "overloaded");
      assertThat(mem0Refused.raw().headers().firstValue("Retry-After")).hasValue("1");

      release.countDown();
      assertThat(poll(s, "/v1/events/" + eventId, key).get("status").asText())
          .isEqualTo("SUCCEEDED");
    } finally {
      release.countDown();
    }
  }

  @Test
  void metrics_countModelTokensAndCalls_includingUsageReportedBeforeStart() {
    ModelUsageMeter meter = new ModelUsageMeter();
    meter.accept(TenantId.of("early"), TokenUsage.ofCall(7, 3));
    TestServer s = start(TestServer.defaultConfig(), b -> b, meter);
    String key = s.tenant("acme");
    model.answer(facts("Erin runs marathons"));
    s.post("/v1/mem/add", key, "{\"text\":\"I run marathons\",\"user_id\":\"erin\"}").ok();

    String scrape = s.get("/metrics", null).ok().body();
    assertThat(scrape)
        .contains("mnemo_llm_tokens_total{direction=\"input\"} 107.0")
        .contains("mnemo_llm_tokens_total{direction=\"output\"} 23.0")
        .contains("mnemo_llm_calls_total 2.0")
        .doesNotContain("tenant=\"acme\"");
    assertThatThrownBy(() -> MnemoServer.start(TestServer.defaultConfig(), s.mnemo, meter))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already bound");

    TestServer labelled =
        start(
            TestServer.defaultConfig().withMetricsTenantLabels(true),
            b -> b,
            new ModelUsageMeter());
    String other = labelled.tenant("acme");
    model.answer(facts("Erin swims"));
    labelled.post("/v1/mem/add", other, "{\"text\":\"I swim\",\"user_id\":\"erin\"}").ok();
    assertThat(labelled.get("/metrics", null).ok().body())
        .contains("mnemo_llm_tokens_total{direction=\"input\",tenant=\"acme\"} 100.0")
        .contains("mnemo_llm_calls_total{tenant=\"acme\"} 1.0");
  }

  @Test
  void inferenceOptions_withoutAModel_storeVerbatimOrAre400NamingTheField() {
    TestServer s = new TestServer();
    servers.add(s);
    String key = s.tenant("acme");
    // infer: true without a model stores what the person said, and says why nothing was inferred.
    JsonNode verbatim =
        s.post("/v1/mem/add", key, "{\"text\":\"hello there\",\"infer\":true}").ok().j();
    assertThat(verbatim.get("inferred").asBoolean()).isFalse();
    assertThat(verbatim.get("fallback_reason").asText()).contains("no language model");
    assertThat(
            s.post(
                    "/v1/mem/add",
                    key,
                    "{\"text\":\"ran the deploy\",\"memory_type\":\"procedural\"}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("memory_type");
    assertThat(
            s.post("/v1/mem/add", key, "{\"text\":\"hello there\",\"memory_type\":\"semantic\"}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("memory_type");
    assertThat(
            s.post("/v1/mem/add", key, "{\"text\":\"hello there\",\"session_date\":\"yesterday\"}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("session_date");
    assertThat(
            s.post(
                    "/v3/memories/add/",
                    key,
                    "{\"messages\":\"ran the deploy\",\"user_id\":\"a\",\"memory_type\":\"procedural_memory\"}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("memory_type");
    // verbatim adds still work, and say so
    JsonNode r = s.post("/v1/mem/add", key, "{\"text\":\"hello there\",\"infer\":false}").ok().j();
    assertThat(r.get("inferred").asBoolean()).isFalse();
    assertThat(r.get("usage").get("calls").asInt()).isZero();
  }
}
