package io.mnemo4j.llm.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.AddOptions;
import io.mnemo4j.AddResult;
import io.mnemo4j.AddStatus;
import io.mnemo4j.EventType;
import io.mnemo4j.Hit;
import io.mnemo4j.InferenceSettings;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryEvent;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.llm.LanguageModel;
import io.mnemo4j.llm.langchain4j.testing.ScriptedModelServer;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.testing.HashingEmbedder;
import io.mnemo4j.testing.InMemoryBackend;
import io.mnemo4j.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inference pipeline end to end against a scripted OpenAI-compatible HTTP server: the requests
 * it sends (session date, aliases instead of ids, the schema) and the state it leaves after each
 * scripted decision and failure. No test talks to a real model.
 */
class InferenceOverHttpTest {
  static final Scope ALICE = Scope.user("alice");

  @TempDir Path dir;
  final MutableClock clock = new MutableClock(Instant.parse("2026-01-05T10:00:00Z"));
  final InMemoryBackend backend = new InMemoryBackend();
  final List<Mnemo> opened = new ArrayList<>();
  ScriptedModelServer server;

  @BeforeEach
  void start() {
    server = ScriptedModelServer.start();
  }

  @AfterEach
  void stop() {
    opened.forEach(Mnemo::close);
    server.close();
  }

  LanguageModel model(String timeout) {
    return LanguageModels.create(
        LlmConfig.parse(
            Map.of(
                "provider",
                "openai",
                "base_url",
                server.baseUrl(),
                "model",
                "scripted-model",
                "timeout",
                timeout)),
        name -> null);
  }

  Mnemo open(LanguageModel model) {
    Mnemo m =
        Mnemo.builder()
            .dataDir(dir)
            .clock(clock)
            .embedder(new HashingEmbedder())
            .backend(backend)
            .inference(InferenceSettings.with(model))
            .expirySweep(Duration.ZERO, Duration.ZERO)
            .build();
    opened.add(m);
    return m;
  }

  TenantMemory acme() {
    return open(model("5s")).tenant("acme");
  }

  static String facts(String text, String validFrom) {
    return "{\"facts\":[{\"text\":\""
        + text
        + "\",\"categories\":[],\"valid_from\":"
        + (validFrom == null ? "null" : "\"" + validFrom + "\"")
        + "}]}";
  }

  static String decide(String event, String id, String text) {
    return "{\"decisions\":[{\"fact\":0,\"event\":\""
        + event
        + "\",\"id\":"
        + (id == null ? "null" : "\"" + id + "\"")
        + ",\"text\":"
        + (text == null ? "null" : "\"" + text + "\"")
        + "}]}";
  }

  AddResult say(TenantMemory t, String text) {
    return t.ingest(List.of(Message.user(text)), ALICE, AddOptions.none());
  }

  String seed(TenantMemory acme, String fact) {
    server.enqueueCompletion(facts(fact, null), 50, 10);
    return say(acme, fact).events().get(0).id();
  }

  @Test
  void add_sendsSessionDateAndSchema_andStoresTheFact() {
    TenantMemory acme = acme();
    server.enqueueCompletion(facts("Alice adopted a cat on 2026-01-04", "2026-01-04"), 120, 30);

    AddResult r =
        acme.ingest(
            List.of(Message.user("I adopted a cat yesterday")),
            ALICE,
            AddOptions.none().withSessionDate(Instant.parse("2026-01-05T08:00:00Z")));

    assertThat(r.inferred()).isTrue();
    assertThat(r.usage().inputTokens()).isEqualTo(120);
    assertThat(r.usage().outputTokens()).isEqualTo(30);
    ScriptedModelServer.Request sent = server.onlyRequest();
    assertThat(sent.messages().get(0).role()).isEqualTo("system");
    assertThat(sent.messages().get(0).content()).contains("2026-01-05 (Monday)");
    assertThat(sent.messages().get(1).content()).contains("I adopted a cat yesterday");
    assertThat(sent.responseFormat().orElseThrow().toString())
        .contains("json_schema")
        .contains("mnemo_facts");
    Memory m = acme.get(r.events().get(0).id()).orElseThrow();
    assertThat(m.validFrom()).isEqualTo(Instant.parse("2026-01-04T00:00:00Z"));
  }

  @Test
  void update_showsAliasesNotIds_andAsOfSeesBothVersions() {
    TenantMemory acme = acme();
    String id = seed(acme, "Alice works at Acme");
    Instant before = clock.instant();
    clock.advance(Duration.ofDays(2));
    server
        .enqueueCompletion(facts("Alice works at Acme as a designer", null), 50, 10)
        .enqueueCompletion(decide("UPDATE", "0", "Alice works at Acme as a designer"), 80, 15);

    AddResult r = say(acme, "I am a designer at Acme");

    assertThat(r.events()).singleElement().isInstanceOf(MemoryEvent.Updated.class);
    assertThat(r.usage().calls()).isEqualTo(2);
    String decideBody = server.requests().get(2).body();
    assertThat(decideBody).contains("\\\"id\\\" : \\\"0\\\"").doesNotContain(id);
    assertThat(texts(acme.search("Alice job", Search.in(ALICE))))
        .containsExactly("Alice works at Acme as a designer");
    assertThat(texts(acme.search("Alice job", Search.in(ALICE).asOf(before))))
        .containsExactly("Alice works at Acme");
  }

  @Test
  void delete_closesValidity_andNone_changesNothing() {
    TenantMemory acme = acme();
    String paris = seed(acme, "Alice lives in Paris");
    server
        .enqueueCompletion(facts("Alice lives in Berlin", "2026-01-03"), 50, 10)
        .enqueueCompletion(
            "{\"decisions\":[{\"fact\":0,\"event\":\"DELETE\",\"id\":\"0\",\"text\":null},"
                + "{\"fact\":0,\"event\":\"ADD\",\"id\":null,\"text\":\"Alice lives in Berlin\"}]}",
            80,
            15);

    AddResult r = say(acme, "I moved to Berlin two days ago");

    assertThat(r.events())
        .extracting(MemoryEvent::event)
        .containsExactly(EventType.DELETE, EventType.ADD);
    assertThat(acme.get(paris).orElseThrow().validTo())
        .isEqualTo(Instant.parse("2026-01-03T00:00:00Z"));
    assertThat(acme.history(paris)).hasSize(2);

    server
        .enqueueCompletion(facts("Alice lives in Berlin", null), 50, 10)
        .enqueueCompletion(decide("NONE", "0", null), 80, 15);
    AddResult none = say(acme, "Berlin is home now");
    assertThat(none.events()).extracting(MemoryEvent::event).containsExactly(EventType.NONE);
    assertThat(acme.count(Selection.in(ALICE))).isEqualTo(1);
  }

  @Test
  void inventedAlias_isRejected_andRepaired() {
    TenantMemory acme = acme();
    seed(acme, "Alice likes tea");
    server
        .enqueueCompletion(facts("Alice likes green tea", null), 50, 10)
        .enqueueCompletion(decide("UPDATE", "12", "Alice likes green tea"), 80, 15)
        .enqueueCompletion(decide("UPDATE", "0", "Alice likes green tea"), 80, 15);

    AddResult r = say(acme, "green tea please");

    assertThat(r.events().get(0).event()).isEqualTo(EventType.UPDATE);
    List<ScriptedModelServer.Message> repair = server.requests().get(3).messages();
    assertThat(repair.get(repair.size() - 1).content())
        .contains("id 12 is not one of the ids shown");
  }

  @Test
  void malformedThenRepaired_andMalformedTwice_fallsBackToVerbatim() {
    TenantMemory acme = acme();
    server
        .enqueueCompletion("{\"facts\": [ {\"text\": ", 50, 10)
        .enqueueCompletion(facts("Alice plays chess", null), 50, 10);
    assertThat(say(acme, "I play chess").inferred()).isTrue();

    server.enqueueCompletion("nonsense", 50, 10).enqueueCompletion("{\"facts\":\"no\"}", 50, 10);
    AddResult r = say(acme, "my sister is called Eve");

    assertThat(r.inferred()).isFalse();
    assertThat(r.fallbackReason()).isNotBlank();
    Memory kept = acme.get(r.events().get(0).id()).orElseThrow();
    assertThat(kept.text()).isEqualTo("my sister is called Eve");
    assertThat(kept.inferred()).isFalse();
  }

  @Test
  void rateLimit_honoursRetryAfter() {
    TenantMemory acme = acme();
    server
        .enqueueError(429, Map.of("Retry-After", "1"), "rate_limit_exceeded", "slow down")
        .enqueueCompletion(facts("Alice likes jazz", null), 50, 10);
    long start = System.nanoTime();

    AddResult r = say(acme, "I like jazz");

    assertThat(r.inferred()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void timeout_isRetried_thenFallsBack() {
    TenantMemory acme = open(model("300ms")).tenant("acme");
    for (int i = 0; i < 3; i++) {
      server.enqueueDelayed(facts("late", null), Duration.ofMillis(900));
    }

    AddResult r = say(acme, "I like jazz");

    assertThat(r.inferred()).isFalse();
    assertThat(r.fallbackReason()).contains("timeout");
    assertThat(texts(acme.search("jazz", Search.in(ALICE)))).containsExactly("I like jazz");
  }

  @Test
  void tenConcurrentIdenticalAdds_storeOneMemory() throws Exception {
    TenantMemory acme = acme();
    // One answer fits both calls: extraction reads "facts", the decision reads "decisions".
    String both =
        "{\"facts\":[{\"text\":\"Alice has a dog named Rex\",\"categories\":[],\"valid_from\":null}],"
            + "\"decisions\":[{\"fact\":0,\"event\":\"NONE\",\"id\":\"0\",\"text\":null}]}";
    for (int i = 0; i < 20; i++) {
      server.enqueueCompletion(both, 50, 10);
    }
    try (ExecutorService pool = Executors.newFixedThreadPool(10)) {
      List<Future<AddResult>> all = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        all.add(pool.submit(() -> say(acme, "My dog is called Rex")));
      }
      for (Future<AddResult> f : all) {
        assertThat(f.get().inferred()).isTrue();
      }
    }
    assertThat(acme.count(Selection.in(ALICE))).isEqualTo(1);
  }

  @Test
  void idempotencyKey_replaysWithoutCallingTheModelAgain() {
    TenantMemory acme = acme();
    server.enqueueCompletion(facts("Alice likes tea", null), 50, 10);
    AddOptions keyed = AddOptions.none().withIdempotencyKey("req-1");

    AddResult first = acme.ingest(List.of(Message.user("I like tea")), ALICE, keyed);
    AddResult again = acme.ingest(List.of(Message.user("I like tea")), ALICE, keyed);

    assertThat(again.replayed()).isTrue();
    assertThat(again.events()).isEqualTo(first.events());
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void asyncAdd_survivesARestart() throws Exception {
    // The first instance's model never answers in time; it is closed with the add in flight.
    Mnemo first = open(model("2s"));
    server.enqueueDelayed(facts("never used", null), Duration.ofMillis(1500));
    AddStatus queued =
        first
            .tenant("acme")
            .addAsync(List.of(Message.user("I like tea")), ALICE, AddOptions.none());
    Thread.sleep(200);
    first.close();

    server.enqueueCompletion(facts("Alice likes tea", null), 50, 10);
    Mnemo second = open(model("5s"));
    assertThat(second.operations().awaitAsyncAdds(Duration.ofSeconds(15))).isTrue();
    AddStatus done = second.tenant("acme").addStatus(queued.id()).orElseThrow();
    assertThat(done.status()).isEqualTo(EventStatus.SUCCEEDED);
    assertThat(done.result().events())
        .extracting(MemoryEvent::memory)
        .containsExactly("Alice likes tea");
  }

  private static List<String> texts(List<Hit> hits) {
    return hits.stream().map(h -> h.memory().text()).toList();
  }
}
