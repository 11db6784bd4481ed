package io.mnemo4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.internal.ingest.ModelCalls;
import io.mnemo4j.llm.ChatMessage;
import io.mnemo4j.llm.CompletionRequest;
import io.mnemo4j.llm.LanguageModelException;
import io.mnemo4j.llm.LanguageModelException.Failure;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.testing.HashingEmbedder;
import io.mnemo4j.testing.InMemoryBackend;
import io.mnemo4j.testing.MutableClock;
import io.mnemo4j.testing.ScriptedModel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inference pipeline's logic against an in-process scripted model and the reference store. */
class InferenceTest {
  @TempDir Path dir;
  final MutableClock clock = new MutableClock(Instant.parse("2026-01-05T10:00:00Z"));
  final InMemoryBackend backend = new InMemoryBackend();
  final ScriptedModel model = new ScriptedModel();
  final List<Mnemo> opened = new ArrayList<>();
  static final Scope ALICE = Scope.user("alice");

  Mnemo open(InferenceSettings settings) {
    Mnemo m =
        Mnemo.builder()
            .dataDir(dir)
            .clock(clock)
            .embedder(new HashingEmbedder())
            .backend(backend)
            .inference(settings)
            .expirySweep(Duration.ZERO, Duration.ofDays(1))
            .build();
    opened.add(m);
    return m;
  }

  TenantMemory acme() {
    return open(InferenceSettings.with(model).withCategories(List.of("food", "home")))
        .tenant("acme");
  }

  @AfterEach
  void close() {
    opened.forEach(Mnemo::close);
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

  static String decision(int fact, String event, String id, String text) {
    return "{\"fact\":"
        + fact
        + ",\"event\":\""
        + event
        + "\",\"id\":"
        + (id == null ? "null" : "\"" + id + "\"")
        + ",\"text\":"
        + (text == null ? "null" : "\"" + text + "\"")
        + "}";
  }

  static String decisions(String... ds) {
    return "{\"decisions\":[" + String.join(",", ds) + "]}";
  }

  static String system(CompletionRequest r) {
    return r.messages().get(0).text();
  }

  static String user(CompletionRequest r) {
    return r.messages().get(1).text();
  }

  AddResult say(TenantMemory t, String text) {
    return t.ingest(List.of(Message.user(text)), ALICE, AddOptions.none());
  }

  @Test
  void firstFacts_areAddedWithOneCall_typedSemantic_withSessionDateInThePrompt() {
    TenantMemory acme = acme();
    model.answer(
        "{\"facts\":[{\"text\":\"Alice is vegetarian\",\"categories\":[\"food\",\"made-up\"],"
            + "\"valid_from\":\"2026-01-04\"}]}");

    AddResult r =
        acme.ingest(
            List.of(Message.user("I became vegetarian yesterday"), Message.assistant("Noted!")),
            ALICE,
            AddOptions.none().withSessionDate(Instant.parse("2026-01-05T09:00:00Z")));

    assertThat(r.inferred()).isTrue();
    assertThat(r.events()).extracting(MemoryEvent::event).containsExactly(EventType.ADD);
    assertThat(r.usage()).isEqualTo(new io.mnemo4j.llm.TokenUsage(100, 20, 1));
    Memory m = acme.get(r.events().get(0).id()).orElseThrow();
    assertThat(m.text()).isEqualTo("Alice is vegetarian");
    assertThat(m.type()).isEqualTo(MemoryType.SEMANTIC);
    assertThat(m.inferred()).isTrue();
    assertThat(m.categories()).containsExactly("food");
    assertThat(m.validFrom()).isEqualTo(Instant.parse("2026-01-04T00:00:00Z"));
    assertThat(m.provenance().messageIds()).hasSize(2);
    CompletionRequest extract = model.requests().get(0);
    assertThat(system(extract)).contains("2026-01-05 (Monday)").contains("food, home");
    assertThat(user(extract)).contains("user: I became vegetarian yesterday");
    assertThat(extract.schema()).isNotNull();
    assertThat(model.requests()).hasSize(1);
  }

  @Test
  void update_keepsTheIdAndLeavesTheOldVersionVisibleAsOfEarlier() {
    TenantMemory acme = acme();
    model.answer(facts("Alice lives in Paris"));
    String id = say(acme, "I live in Paris").events().get(0).id();
    Instant beforeUpdate = clock.instant();
    clock.advance(Duration.ofDays(1));
    model
        .answer(facts("Alice lives in Paris in the 11th arrondissement"))
        .answer(
            decisions(
                decision(0, "UPDATE", "0", "Alice lives in Paris, in the 11th arrondissement")));

    AddResult r = say(acme, "I live in the 11th arrondissement of Paris");

    assertThat(r.events()).hasSize(1);
    MemoryEvent.Updated u = (MemoryEvent.Updated) r.events().get(0);
    assertThat(u.id()).isEqualTo(id);
    assertThat(u.previous()).isEqualTo("Alice lives in Paris");
    // The model saw an alias, never the id.
    CompletionRequest decide = model.requests().get(2);
    assertThat(user(decide)).contains("\"id\" : \"0\"").doesNotContain(id);
    assertThat(texts(acme.search("where does Alice live", Search.in(ALICE))))
        .containsExactly("Alice lives in Paris, in the 11th arrondissement");
    assertThat(texts(acme.search("where does Alice live", Search.in(ALICE).asOf(beforeUpdate))))
        .containsExactly("Alice lives in Paris");
    assertThat(acme.count(Selection.in(ALICE))).isEqualTo(1);
    assertThat(acme.history(id))
        .extracting(HistoryEntry::event)
        .containsExactly(EventType.ADD, EventType.UPDATE);
  }

  /**
   * A fact refined by a second conversation comes from both: erasing the first conversation keeps
   * it (the second still says it), and its closed earlier version, which only the first said, goes.
   */
  @Test
  void update_byAModel_addsTheNewMessagesToTheProvenance_soErasingTheFirstKeepsIt() {
    TenantMemory acme = acme();
    model.answer(facts("Alice lives in Paris"));
    String id = say(acme, "I live in Paris").events().get(0).id();
    List<String> first = acme.get(id).orElseThrow().provenance().messageIds();
    model
        .answer(facts("Alice lives in Paris in the 11th arrondissement"))
        .answer(
            decisions(
                decision(0, "UPDATE", "0", "Alice lives in Paris, in the 11th arrondissement")));
    say(acme, "I live in the 11th arrondissement of Paris");
    List<String> both = acme.get(id).orElseThrow().provenance().messageIds();
    assertThat(both).hasSize(2).startsWith(first.get(0));

    ErasureReceipt receipt = acme.eraseMessage(first.get(0));

    assertThat(receipt).isEqualTo(new ErasureReceipt(1, 0, 1));
    Memory kept = acme.get(id).orElseThrow();
    assertThat(kept.text()).isEqualTo("Alice lives in Paris, in the 11th arrondissement");
    assertThat(kept.provenance().messageIds()).containsExactly(both.get(1));
    assertThat(acme.versions(id, Selection.everywhere())).isEmpty();
  }

  @Test
  void contradiction_closesTheOldFact_atTheNewFactsStart_keepingItForAsOf() {
    TenantMemory acme = acme();
    model.answer(facts("Alice lives in Paris"));
    String paris = say(acme, "I live in Paris").events().get(0).id();
    clock.advance(Duration.ofDays(60));
    model
        .answer(
            "{\"facts\":[{\"text\":\"Alice lives in Berlin\",\"categories\":[],"
                + "\"valid_from\":\"2026-03-01\"}]}")
        .answer(
            decisions(
                decision(0, "DELETE", "0", null),
                decision(0, "ADD", null, "Alice lives in Berlin")));

    AddResult r = say(acme, "I moved to Berlin on March 1st");

    assertThat(r.events())
        .extracting(MemoryEvent::event)
        .containsExactly(EventType.DELETE, EventType.ADD);
    Memory closed = acme.get(paris).orElseThrow();
    assertThat(closed.validTo()).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
    assertThat(texts(acme.search("where does Alice live", Search.in(ALICE))))
        .containsExactly("Alice lives in Berlin");
    assertThat(
            texts(
                acme.search(
                    "where does Alice live",
                    Search.in(ALICE).asOf(Instant.parse("2026-02-01T00:00:00Z")))))
        .containsExactly("Alice lives in Paris");
    HistoryEntry last = acme.history(paris).get(acme.history(paris).size() - 1);
    assertThat(last.event()).isEqualTo(EventType.DELETE);
    assertThat(last.reason()).contains("contradicted");
  }

  @Test
  void none_changesNothing() {
    TenantMemory acme = acme();
    model.answer(facts("Alice likes tea"));
    String id = say(acme, "I like tea").events().get(0).id();
    model.answer(facts("Alice enjoys tea")).answer(decisions(decision(0, "NONE", "0", null)));

    AddResult r = say(acme, "tea is nice");

    assertThat(r.events()).singleElement().satisfies(e -> assertThat(e.id()).isEqualTo(id));
    assertThat(r.events().get(0).event()).isEqualTo(EventType.NONE);
    assertThat(acme.count(Selection.in(ALICE))).isEqualTo(1);
  }

  @Test
  void inventedAlias_isRejected_andRepairedOnce() {
    TenantMemory acme = acme();
    model.answer(facts("Alice likes tea"));
    say(acme, "I like tea");
    model
        .answer(facts("Alice likes green tea"))
        .answer(decisions(decision(0, "UPDATE", "7", "Alice likes green tea")))
        .answer(decisions(decision(0, "UPDATE", "0", "Alice likes green tea")));

    AddResult r = say(acme, "green tea especially");

    assertThat(r.inferred()).isTrue();
    assertThat(r.events().get(0).event()).isEqualTo(EventType.UPDATE);
    CompletionRequest repair = model.requests().get(3);
    assertThat(repair.messages().get(repair.messages().size() - 1).text())
        .contains("id 7 is not one of the ids shown");
    assertThat(repair.messages().get(repair.messages().size() - 2).role())
        .isEqualTo(ChatMessage.ChatRole.ASSISTANT);
    assertThat(r.usage().calls()).isEqualTo(3);
  }

  @Test
  void malformedJson_isRepaired_andMalformedTwice_fallsBackToVerbatim() {
    TenantMemory acme = acme();
    model.answer("not json at all").answer("```json\n" + facts("Alice likes tea") + "\n```");
    assertThat(say(acme, "I like tea").inferred()).isTrue();

    model.answer("{\"facts\": 3}").answer("still not json");
    AddResult r = say(acme, "my cat is called Tom");

    assertThat(r.inferred()).isFalse();
    assertThat(r.fallbackReason()).contains("invalid twice");
    Memory stored = acme.get(r.events().get(0).id()).orElseThrow();
    assertThat(stored.text()).isEqualTo("my cat is called Tom");
    assertThat(stored.type()).isEqualTo(MemoryType.EPISODIC);
    assertThat(stored.inferred()).isFalse();
  }

  @Test
  void rateLimit_isRetriedAfterTheAskedWait_andPersistentOutage_fallsBack() {
    TenantMemory acme = acme();
    model
        .fail(new LanguageModelException(Failure.RATE_LIMITED, "429", Duration.ofMillis(300), null))
        .answer(facts("Alice likes tea"));
    long start = System.nanoTime();
    assertThat(say(acme, "I like tea").inferred()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));

    for (int i = 0; i < ModelCalls.MAX_ATTEMPTS; i++) {
      model.fail(new LanguageModelException(Failure.UNAVAILABLE, "503", null, null));
    }
    AddResult r = say(acme, "the boiler is broken");
    assertThat(r.inferred()).isFalse();
    assertThat(r.fallbackReason()).contains("unavailable");
    assertThat(r.events()).extracting(MemoryEvent::event).containsExactly(EventType.ADD);

    model.fail(new LanguageModelException(Failure.AUTHENTICATION, "401", null, null));
    assertThat(say(acme, "never retried").fallbackReason()).contains("authentication");
  }

  @Test
  void concurrentIdenticalAdds_storeOneMemory() throws Exception {
    TenantMemory acme = acme();
    model.otherwise(
        r ->
            r.purpose().startsWith("extract")
                ? facts("Alice has a dog named Rex")
                : decisions(decision(0, "NONE", "0", null)));
    try (ExecutorService pool = Executors.newFixedThreadPool(10)) {
      List<Future<AddResult>> all = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        all.add(pool.submit(() -> say(acme, "My dog is called Rex")));
      }
      for (Future<AddResult> f : all) {
        f.get();
      }
    }
    assertThat(acme.count(Selection.in(ALICE))).isEqualTo(1);
  }

  @Test
  void idempotencyKey_replaysTheFirstResult() {
    TenantMemory acme = acme();
    model.answer(facts("Alice likes tea"));
    AddOptions keyed = AddOptions.none().withIdempotencyKey("turn-42");

    AddResult first = acme.ingest(List.of(Message.user("I like tea")), ALICE, keyed);
    AddResult again = acme.ingest(List.of(Message.user("I like tea")), ALICE, keyed);

    assertThat(again.replayed()).isTrue();
    assertThat(again.events()).isEqualTo(first.events());
    assertThat(again.eventId()).isEqualTo(first.eventId());
    assertThat(model.requests()).hasSize(1);
    assertThat(acme.addStatus(first.eventId()).orElseThrow().status())
        .isEqualTo(EventStatus.SUCCEEDED);
  }

  @Test
  void asyncAdd_survivesARestart() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    ScriptedModel stuck =
        new ScriptedModel()
            .otherwise(
                r -> {
                  try {
                    never.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  throw new LanguageModelException(Failure.OTHER, "interrupted", null, null);
                });
    Mnemo first = open(InferenceSettings.with(stuck));
    AddStatus queued =
        first
            .tenant("acme")
            .addAsync(List.of(Message.user("I like tea")), ALICE, AddOptions.none());
    assertThat(queued.status()).isEqualTo(EventStatus.PENDING);
    Thread.sleep(100);
    first.close();

    model.answer(facts("Alice likes tea"));
    Mnemo second = open(InferenceSettings.with(model));
    assertThat(second.operations().awaitAsyncAdds(Duration.ofSeconds(10))).isTrue();
    AddStatus done = second.tenant("acme").addStatus(queued.id()).orElseThrow();
    assertThat(done.status()).isEqualTo(EventStatus.SUCCEEDED);
    assertThat(done.result().events())
        .extracting(MemoryEvent::memory)
        .containsExactly("Alice likes tea");
  }

  @Test
  void asyncQueue_pushesBackWhenFull() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    ScriptedModel slow =
        new ScriptedModel()
            .otherwise(
                r -> {
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  return facts();
                });
    Mnemo m =
        Mnemo.builder()
            .dataDir(dir)
            .clock(clock)
            .embedder(new HashingEmbedder())
            .backend(backend)
            .inference(InferenceSettings.with(slow))
            .asyncAdds(1, 1)
            .build();
    opened.add(m);
    TenantMemory acme = m.tenant("acme");
    acme.addAsync(List.of(Message.user("one")), ALICE, AddOptions.none());
    assertThatThrownBy(() -> acme.addAsync(List.of(Message.user("two")), ALICE, AddOptions.none()))
        .isInstanceOf(OverloadedException.class);
    release.countDown();
    assertThat(m.operations().awaitAsyncAdds(Duration.ofSeconds(10))).isTrue();
  }

  @Test
  void additiveMode_addsOnlyNewFacts_withOneCallEach() {
    TenantMemory acme =
        open(InferenceSettings.with(model).withMode(InferenceMode.ADDITIVE)).tenant("acme");
    model.answer(facts("Alice likes tea")).answer(facts("Alice likes tea", "Alice has a cat"));
    say(acme, "I like tea");

    AddResult r = say(acme, "I like tea and I have a cat");

    assertThat(r.events())
        .extracting(MemoryEvent::event)
        .containsExactly(EventType.NONE, EventType.ADD);
    assertThat(model.requests()).hasSize(2);
  }

  @Test
  void procedural_storesOneProcedureMemory() {
    TenantMemory acme = acme();
    model.answer(
        "{\"task\":\"deploy\",\"steps\":[{\"action\":\"mvn package\",\"result\":\"jar built\"}],"
            + "\"outcome\":\"deployed\"}");

    AddResult r =
        acme.ingest(
            List.of(Message.assistant("running mvn package"), Message.user("great, deploy it")),
            Scope.agent("deployer"),
            AddOptions.none().withProcedural(true));

    Memory m = acme.get(r.events().get(0).id()).orElseThrow();
    assertThat(m.type()).isEqualTo(MemoryType.PROCEDURAL);
    assertThat(m.text()).contains("Task: deploy").contains("1. mvn package -> jar built");
    assertThat(system(model.requests().get(0))).contains("procedure");
  }

  @Test
  void customInstructions_ofTenantAndCall_reachThePrompt() {
    TenantMemory acme =
        open(InferenceSettings.with(model).withInstructions("Never store health data."))
            .tenant("acme");
    model.answer(facts());
    acme.ingest(
        List.of(Message.user("hi")),
        ALICE,
        AddOptions.none().withInstructions("Only remember food preferences."));
    assertThat(system(model.requests().get(0)))
        .contains("Never store health data.")
        .contains("Only remember food preferences.");
  }

  /**
   * Regression (issue 9): a model answering 40 facts of 60 KB each had them all stored. An answer
   * is now cut to the tenant's limits (default 50 facts of at most 1,000 characters) and the result
   * says how much was cut.
   */
  @Test
  void add_runawayModelAnswer_isCutToTheLimits_andTheResultSaysSo() {
    TenantMemory acme = acme();
    String[] texts = new String[60];
    for (int i = 0; i < texts.length; i++) {
      texts[i] = "fact number " + i;
    }
    texts[3] = "long fact " + "x".repeat(5000);
    model.answer(facts(texts));

    AddResult r =
        acme.ingest(List.of(Message.user("tell me everything")), ALICE, AddOptions.none());

    assertThat(r.inferred()).isTrue();
    assertThat(r.truncation()).isEqualTo(new AddResult.Truncation(10, 1));
    assertThat(r.events()).hasSize(50);
    assertThat(r.events())
        .allSatisfy(e -> assertThat(e.memory().length()).isLessThanOrEqualTo(1000));
    assertThat(acme.count(Selection.in(ALICE))).isEqualTo(50);
  }

  @Test
  void add_limitsAreConfigurable() {
    TenantMemory acme = open(InferenceSettings.with(model).withLimits(2, 20)).tenant("acme");
    model.answer(facts("one", "two", "three is a rather long fact"));

    AddResult r = acme.ingest(List.of(Message.user("numbers")), ALICE, AddOptions.none());

    assertThat(r.events()).extracting(MemoryEvent::memory).containsExactly("one", "two");
    assertThat(r.truncation().factsDropped()).isEqualTo(1);
    assertThatThrownBy(() -> InferenceSettings.with(model).withLimits(0, 100))
        .isInstanceOf(InvalidRequestException.class);
  }

  /**
   * Regression (issue 9): with {@code infer} true (Mem0's default) and no model configured, the add
   * was refused (native) or stored every message, assistant ones included, so "Noted!" came back
   * from searches (Mem0 routes). Now what the person said becomes memories; assistant and system
   * messages are kept as raw messages only, and the result says why nothing was inferred.
   */
  @Test
  void inferTrue_withoutModel_storesOnlyWhatThePersonSaid() {
    TenantMemory plain = open(InferenceSettings.none()).tenant("plain");
    AddResult r =
        plain.ingest(
            List.of(
                new Message(Role.SYSTEM, "You are a helpful assistant", null),
                Message.user("I became vegetarian last year"),
                Message.assistant("Noted!")),
            ALICE,
            AddOptions.none().withInfer(true));

    assertThat(r.inferred()).isFalse();
    assertThat(r.fallbackReason()).contains("no language model");
    assertThat(r.events())
        .extracting(MemoryEvent::event, MemoryEvent::memory)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(EventType.ADD, "I became vegetarian last year"));
    // The assistant's words stay context (they may lead to the user's memory), never a memory.
    assertThat(plain.search("Noted", Search.in(ALICE)))
        .extracting(h -> h.memory().text())
        .doesNotContain("Noted!", "You are a helpful assistant");
    assertThat(plain.count(Selection.in(ALICE))).isEqualTo(1);

    AddResult all =
        plain.ingest(
            List.of(Message.user("keep every word"), Message.assistant("Will do!")),
            ALICE,
            AddOptions.none().withInfer(false));
    assertThat(all.events()).extracting(MemoryEvent::event).containsOnly(EventType.ADD).hasSize(2);
    assertThat(all.fallbackReason()).isNull();
  }

  @Test
  void inferTrue_withoutModel_andNoUserMessage_keepsTheMessages() {
    TenantMemory plain = open(InferenceSettings.none()).tenant("plain");
    AddResult r =
        plain.ingest(
            List.of(Message.assistant("deployed version 2.3 to staging")),
            Scope.agent("ci"),
            AddOptions.none().withInfer(true));
    assertThat(r.events()).extracting(MemoryEvent::event).containsExactly(EventType.ADD);
  }

  @Test
  void inferFalse_storesVerbatim_withoutCallingTheModel() {
    TenantMemory acme = acme();
    AddResult r =
        acme.ingest(
            List.of(Message.user("keep me as I am")), ALICE, AddOptions.none().withInfer(false));
    assertThat(r.inferred()).isFalse();
    assertThat(r.fallbackReason()).isNull();
    assertThat(model.requests()).isEmpty();
  }

  @Test
  void expiredMemories_areSweptAfterTheGrace_withAReasonInHistory() {
    TenantMemory acme = open(InferenceSettings.none()).tenant("acme");
    String id =
        acme.add(
                List.of(Message.user("door code 1234")),
                ALICE,
                AddOptions.none().withExpiry(clock.instant().plus(Duration.ofHours(1))))
            .get(0)
            .id();
    clock.advance(Duration.ofHours(2));
    assertThat(acme.getAll(Selection.in(ALICE), PageRequest.first(10)).items()).isEmpty();
    assertThat(
            acme.getAll(Selection.in(ALICE).includingExpired(true), PageRequest.first(10)).items())
        .hasSize(1);
    assertThat(acme.sweepExpired(Duration.ofDays(1))).isZero();

    clock.advance(Duration.ofDays(2));
    assertThat(acme.sweepExpired(Duration.ofDays(1))).isEqualTo(1);
    assertThat(acme.history(id).get(1).reason()).startsWith("expired at");
  }

  @Test
  void newTenants_arePlacedOnTheShardWithFewestTenants() {
    backend.withShards("us", "us1", "us2");
    Mnemo m =
        Mnemo.builder()
            .dataDir(dir)
            .clock(clock)
            .embedder(new HashingEmbedder())
            .backend(backend)
            .regions("us")
            .expirySweep(Duration.ZERO, Duration.ZERO)
            .build();
    opened.add(m);
    List<String> shards = new ArrayList<>();
    for (String t : List.of("a", "b", "c", "d")) {
      shards.add(m.admin().createTenant(t, "us").shard());
    }
    assertThat(shards).containsExactly("us1", "us2", "us1", "us2");
    m.tenant("c").add(List.of(Message.user("hello")), ALICE);
    assertThat(backend.tenantsIn("us", "us1")).as(backend.toString()).isEqualTo(1);
    assertThat(backend.tenantsIn("us", "us2")).isZero();
  }

  private static List<String> texts(List<Hit> hits) {
    return hits.stream().map(h -> h.memory().text()).toList();
  }
}
