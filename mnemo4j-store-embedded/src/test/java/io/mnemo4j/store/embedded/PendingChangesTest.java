package io.mnemo4j.store.embedded;

import static io.mnemo4j.testing.TestMemories.id;
import static io.mnemo4j.testing.TestMemories.memory;
import static io.mnemo4j.testing.TestMemories.puts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mnemo4j.Memory;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantId;
import io.mnemo4j.filter.FilterEvaluator;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import io.mnemo4j.testing.TestEmbeddings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes do not refresh the searcher: vector search overlays the pending changes, text search a few
 * of them, every other index read refreshes first, and pending stays bounded. Every read must still
 * see every acknowledged write.
 */
class PendingChangesTest {
  static final Scope ALICE = Scope.user("alice");
  static final Scope BOB = Scope.user("bob");
  static final FilterExpr ALL = new FilterExpr.All();
  static final ScopeFilter EVERYTHING = new ScopeFilter.Everything();

  @TempDir Path dir;
  private EmbeddedStore store;
  private TenantStore ts;

  @BeforeEach
  void open() {
    store = EmbeddedStore.open(dir.resolve("eu"));
    ts = store.open(TenantId.of("acme"));
  }

  @AfterEach
  void close() {
    ts.close();
    store.close();
  }

  private int pending() {
    return TestSecrets.pendingChanges(ts);
  }

  private static List<String> ids(List<ScoredId> hits) {
    return hits.stream().map(ScoredId::id).toList();
  }

  private static StoredMemory withVector(String id, Scope scope, float[] vector) {
    return new StoredMemory(memory(id, "text of " + id, scope).memory(), vector);
  }

  private static WriteBatch remove(String id) {
    return new WriteBatch(List.of(new Change.Remove(id)), List.of(), List.of());
  }

  /**
   * The matches of a vector-search filter are computed once per searcher and reused: repeated
   * searches with one scope filter must still follow every removal and addition, in every segment,
   * as a new searcher shows them.
   */
  @Test
  void vectorSearch_sameScopeFilterAcrossRefreshes_matchesExactSearch() {
    Random random = new Random(11);
    List<StoredMemory> alice = new ArrayList<>();
    int n = 0;
    for (int segment = 0; segment < 4; segment++) {
      List<StoredMemory> batch = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        StoredMemory m =
            withVector(id(n++), i % 2 == 0 ? ALICE : BOB, TestEmbeddings.random(random));
        batch.add(m);
        if (m.memory().scope().equals(ALICE)) {
          alice.add(m);
        }
      }
      ts.write(puts(batch));
      ts.count(EVERYTHING, ALL); // refresh: one more segment
    }
    ScopeFilter.Exact onlyAlice = new ScopeFilter.Exact(ALICE);
    for (int round = 0; round < 3; round++) {
      for (int probe = 0; probe < 5; probe++) {
        float[] q = TestEmbeddings.random(random);
        List<String> expected =
            alice.stream()
                .sorted(
                    Comparator.comparingDouble(
                        (StoredMemory m) -> -TestEmbeddings.dot(q, m.embedding())))
                .limit(5)
                .map(StoredMemory::id)
                .toList();
        assertThat(ids(ts.vectorSearch(TestEmbeddings.MODEL, q, onlyAlice, ALL, 5)))
            .as("round %d", round)
            .containsExactlyElementsOf(expected);
      }
      StoredMemory gone = alice.remove(0);
      ts.write(remove(gone.id()));
      StoredMemory added = withVector(id(n++), ALICE, TestEmbeddings.random(random));
      ts.write(puts(added));
      alice.add(added);
      ts.count(EVERYTHING, ALL); // a new searcher, with a deletion and a new segment
    }
  }

  @Test
  void vectorSearch_rightAfterWrite_seesNewMemory_withTheScoreLuceneGives() {
    ts.write(puts(memory("m-1", "our crm is called atlas", ALICE)));
    assertThat(pending()).isEqualTo(1);

    float[] q = TestEmbeddings.embed("crm atlas");
    List<ScoredId> pendingHits =
        ts.vectorSearch(TestEmbeddings.MODEL, q, new ScopeFilter.Exact(ALICE), ALL, 3);
    assertThat(ids(pendingHits)).containsExactly("m-1");
    assertThat(pending()).as("vector search does not refresh").isEqualTo(1);

    assertThat(ts.count(EVERYTHING, ALL)).isEqualTo(1);
    assertThat(pending()).as("other reads refresh").isZero();
    List<ScoredId> indexedHits =
        ts.vectorSearch(TestEmbeddings.MODEL, q, new ScopeFilter.Exact(ALICE), ALL, 3);
    assertThat(ids(indexedHits)).containsExactly("m-1");
    assertThat(pendingHits.get(0).score()).isCloseTo(indexedHits.get(0).score(), within(1e-6));
    assertThat(pendingHits.get(0).score())
        .isCloseTo(
            TestEmbeddings.dot(q, TestEmbeddings.embed("our crm is called atlas")), within(1e-5));
  }

  @Test
  void updateAndRemoval_areVisibleImmediately_toEveryRead() {
    ts.write(puts(memory("m-1", "apples are red", ALICE), memory("m-2", "pears are green", ALICE)));
    assertThat(ts.count(EVERYTHING, ALL)).isEqualTo(2); // now indexed
    float[] apples = TestEmbeddings.embed("apples are red");

    // Update: new text, new vector, new scope. The indexed version must not leak out of any read.
    ts.write(puts(memory("m-1", "bananas are yellow", BOB)));
    assertThat(pending()).isEqualTo(1);
    ScopeFilter alice = new ScopeFilter.Exact(ALICE);
    assertThat(ids(ts.vectorSearch(TestEmbeddings.MODEL, apples, alice, ALL, 5)))
        .containsExactly("m-2");
    List<ScoredId> all = ts.vectorSearch(TestEmbeddings.MODEL, apples, EVERYTHING, ALL, 5);
    assertThat(ids(all)).containsExactlyInAnyOrder("m-1", "m-2");
    ScoredId m1 = all.stream().filter(h -> h.id().equals("m-1")).findFirst().orElseThrow();
    assertThat(m1.score())
        .isCloseTo(
            TestEmbeddings.dot(apples, TestEmbeddings.embed("bananas are yellow")), within(1e-5));
    assertThat(ids(ts.textSearch("apples", EVERYTHING, ALL, 5))).isEmpty();
    assertThat(ids(ts.textSearch("bananas", EVERYTHING, ALL, 5))).containsExactly("m-1");

    // Removal. Text search read the update from its row: it is still pending.
    ts.write(remove("m-2"));
    assertThat(pending()).isEqualTo(2);
    assertThat(ts.vectorSearch(TestEmbeddings.MODEL, apples, alice, ALL, 5)).isEmpty();
    assertThat(ids(ts.vectorSearch(TestEmbeddings.MODEL, apples, EVERYTHING, ALL, 5)))
        .containsExactly("m-1");
    assertThat(ts.count(alice, ALL)).isZero();

    ts.write(remove("m-1"));
    assertThat(ts.list(EVERYTHING, ALL, PageRequest.first(10)).items()).isEmpty();
    ts.write(remove("m-1"));
    assertThat(ts.textSearch("bananas", EVERYTHING, ALL, 5)).isEmpty();
    assertThat(ts.vectorSearch(TestEmbeddings.MODEL, apples, EVERYTHING, ALL, 5)).isEmpty();
  }

  @Test
  void textSearch_overPendingMemories_scoresThemAsTheRefreshedIndexWill_withoutRefreshing() {
    List<StoredMemory> indexed = new ArrayList<>();
    String[] words = {"coffee", "train", "paris", "chess", "garden", "tea"};
    for (int i = 0; i < 30; i++) {
      String text = words[i % 6] + " and " + words[(i * 5 + 1) % 6] + " number " + i;
      indexed.add(memory(id(i), text, i % 3 == 0 ? BOB : ALICE));
    }
    ts.write(puts(indexed));
    assertThat(ts.count(EVERYTHING, ALL)).isEqualTo(30); // now indexed
    // Pending: new memories (one with a context, one out of scope), an update and a removal.
    ts.write(
        puts(
            new StoredMemory(
                memory("p-1", "tea in paris", ALICE).memory(),
                TestEmbeddings.embed("tea in paris"),
                "we talked about chess and coffee"),
            memory("p-2", "coffee coffee coffee", ALICE),
            memory("p-3", "paris by train", BOB),
            memory(id(4), "garden tea chess", ALICE)));
    ts.write(remove(id(7)));
    assertThat(pending()).isEqualTo(5);
    List<String> queries = List.of("coffee", "tea paris", "chess train garden", "number 7");
    Map<String, List<ScoredId>> before = new HashMap<>();
    Map<String, List<ScoredId>> scoresBefore = new HashMap<>();
    List<String> asked = List.of("p-1", "p-2", "p-3", id(4), id(7), id(8), "unknown");
    ScopeFilter alice = new ScopeFilter.Exact(ALICE);
    for (String q : queries) {
      before.put(q, ts.textSearch(q, alice, ALL, 10));
      scoresBefore.put(q, sorted(ts.textScores(q, asked)));
    }
    assertThat(pending()).as("text reads did not refresh").isEqualTo(5);
    assertThat(ids(before.get("coffee"))).startsWith("p-2").contains("p-1").doesNotContain("p-3");
    assertThat(ids(before.get("number 7"))).doesNotContain(id(7));
    assertThat(ids(scoresBefore.get("tea paris"))).contains("p-1", "p-3", id(4));
    assertThat(ids(scoresBefore.get("tea paris"))).doesNotContain(id(7), "unknown");

    assertThat(ts.count(EVERYTHING, ALL)).isEqualTo(32); // refreshes: now everything is indexed
    assertThat(pending()).isZero();
    for (String q : queries) {
      assertThat(ts.textSearch(q, alice, ALL, 10)).as(q).isEqualTo(before.get(q));
      assertThat(sorted(ts.textScores(q, asked))).as(q).isEqualTo(scoresBefore.get(q));
    }
  }

  @Test
  void textSearch_overAMemoryUpdatedWhilePending_readsItsLatestVersion() {
    ts.write(puts(memory("m-1", "coffee in the morning", ALICE)));
    assertThat(ids(ts.textSearch("coffee", EVERYTHING, ALL, 5))).containsExactly("m-1");
    ts.write(puts(memory("m-1", "tea in the evening", ALICE)));
    assertThat(pending()).isEqualTo(1);
    assertThat(ts.textSearch("coffee", EVERYTHING, ALL, 5)).isEmpty();
    assertThat(ids(ts.textSearch("tea evening", EVERYTHING, ALL, 5))).containsExactly("m-1");
    assertThat(ids(ts.textScores("evening", List.of("m-1")))).containsExactly("m-1");
    assertThat(ts.textScores("morning", List.of("m-1"))).isEmpty();
  }

  @Test
  void textSearch_withMorePendingThanItScoresFromRows_refreshesFirst() {
    List<StoredMemory> batch = new ArrayList<>();
    for (int i = 0; i <= IndexReads.PENDING_TEXT_LIMIT; i++) {
      batch.add(memory(id(i), "walnut number " + i, ALICE));
    }
    ts.write(puts(batch));
    assertThat(pending()).isEqualTo(IndexReads.PENDING_TEXT_LIMIT + 1);
    assertThat(ts.textSearch("walnut", EVERYTHING, ALL, 1000))
        .hasSize(IndexReads.PENDING_TEXT_LIMIT + 1);
    assertThat(pending()).isZero();
  }

  private static List<ScoredId> sorted(List<ScoredId> hits) {
    return hits.stream().sorted(Comparator.comparing(ScoredId::id)).toList();
  }

  @Test
  void staleIndexedHits_doNotStarveTopK() {
    Random random = new Random(7);
    List<StoredMemory> initial = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      initial.add(withVector(id(i), ALICE, TestEmbeddings.random(random)));
    }
    ts.write(puts(initial));
    assertThat(ts.count(EVERYTHING, ALL)).isEqualTo(40);
    float[] q = TestEmbeddings.random(random);
    List<StoredMemory> byScore = new ArrayList<>(initial);
    byScore.sort(
        Comparator.comparingDouble((StoredMemory m) -> -TestEmbeddings.dot(q, m.embedding())));

    // Move the 10 best to Bob and remove the next 10: the index's top 20 for Alice are all stale.
    List<StoredMemory> moved =
        byScore.subList(0, 10).stream().map(m -> withVector(m.id(), BOB, m.embedding())).toList();
    ts.write(puts(moved));
    for (StoredMemory m : byScore.subList(10, 20)) {
      ts.write(remove(m.id()));
    }
    assertThat(pending()).isEqualTo(20);

    List<String> expected = byScore.subList(20, 25).stream().map(StoredMemory::id).toList();
    assertThat(ids(ts.vectorSearch(TestEmbeddings.MODEL, q, new ScopeFilter.Exact(ALICE), ALL, 5)))
        .containsExactlyElementsOf(expected);
    assertThat(ids(ts.vectorSearch(TestEmbeddings.MODEL, q, EVERYTHING, ALL, 10)))
        .containsExactlyElementsOf(byScore.subList(0, 10).stream().map(StoredMemory::id).toList());
  }

  @Test
  void mixedIndexedAndPending_selectsWhatTheReferenceEvaluatorSelects() {
    Random random = new Random(11);
    Map<String, StoredMemory> state = new HashMap<>();
    List<Scope> scopes = List.of(ALICE, BOB, Scope.tenantWide(), new Scope("alice", "bot", null));
    for (int round = 0; round < 6; round++) {
      for (int i = 0; i < 15; i++) {
        String id = id(random.nextInt(40));
        if (random.nextInt(4) == 0) {
          ts.write(remove(id));
          state.remove(id);
        } else {
          Memory base = memory(id, "t", scopes.get(random.nextInt(scopes.size()))).memory();
          Memory m =
              new Memory(
                  id,
                  "t",
                  "h",
                  base.scope(),
                  Map.of("n", random.nextInt(5)),
                  List.of(),
                  null,
                  null,
                  base.createdAt(),
                  base.updatedAt(),
                  null,
                  null,
                  null,
                  base.provenance(),
                  TestEmbeddings.MODEL,
                  base.type());
          StoredMemory stored = new StoredMemory(m, TestEmbeddings.random(random));
          ts.write(puts(stored));
          state.put(id, stored);
        }
      }
      if (round % 2 == 0) {
        ts.count(EVERYTHING, ALL); // index this round's changes; odd rounds stay pending
      }
      float[] q = TestEmbeddings.random(random);
      FilterExpr lessThan3 =
          new FilterExpr.Compare(
              FilterExpr.Field.metadata("n"), FilterExpr.Op.LT, new FilterExpr.Value.Number(3));
      for (ScopeFilter scope :
          List.of(EVERYTHING, new ScopeFilter.Exact(ALICE), new ScopeFilter.Within(ALICE, true))) {
        for (FilterExpr filter : List.of(ALL, lessThan3)) {
          List<String> expected =
              state.values().stream()
                  .filter(
                      m ->
                          scope.test(m.memory().scope())
                              && FilterEvaluator.matches(filter, m.memory()))
                  .sorted(
                      Comparator.comparingDouble(
                          (StoredMemory m) -> -TestEmbeddings.dot(q, m.embedding())))
                  .map(StoredMemory::id)
                  .toList();
          List<ScoredId> hits = ts.vectorSearch(TestEmbeddings.MODEL, q, scope, filter, 100);
          assertThat(ids(hits))
              .as("round %d %s %s", round, scope, filter)
              .containsExactlyElementsOf(expected);
          assertThat(ids(ts.vectorSearch(TestEmbeddings.MODEL, q, scope, filter, 3)))
              .containsExactlyElementsOf(expected.subList(0, Math.min(3, expected.size())));
        }
      }
    }
  }

  @Test
  void pending_neverExceedsBound_andIsRefreshedInTheBackground() throws Exception {
    Random random = new Random(3);
    int written = 0;
    int last = 0;
    int drops = 0;
    while (written < 2 * IndexCatchUp.MAX_PENDING + 300) {
      List<StoredMemory> batch = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        batch.add(withVector(id(written++), ALICE, TestEmbeddings.random(random)));
      }
      ts.write(puts(batch));
      int pending = pending();
      assertThat(pending).isBetween(0, IndexCatchUp.MAX_PENDING);
      drops += pending < last ? 1 : 0;
      last = pending;
      if (written % 700 == 0) {
        float[] q = batch.get(3).embedding();
        assertThat(ts.vectorSearch(TestEmbeddings.MODEL, q, EVERYTHING, ALL, 1).get(0).id())
            .isEqualTo(batch.get(3).id());
      }
    }
    assertThat(drops).as("the searcher was refreshed without any read").isGreaterThanOrEqualTo(2);

    // A batch larger than the bound is caught up by the write itself.
    List<StoredMemory> huge = new ArrayList<>();
    for (int i = 0; i < IndexCatchUp.MAX_PENDING + 1; i++) {
      huge.add(withVector(id(written++), BOB, TestEmbeddings.random(random)));
    }
    ts.write(puts(huge));
    assertThat(pending()).isZero();

    // Enough changes for the background indexer: refreshed with no read and no further write.
    List<StoredMemory> half = new ArrayList<>();
    for (int i = 0; i < IndexCatchUp.REFRESH_PENDING; i++) {
      half.add(withVector(id(written++), BOB, TestEmbeddings.random(random)));
    }
    ts.write(puts(half));
    awaitNoPending();

    // One write, then silence: the change is refreshed once old, with no read and no write.
    StoredMemory lone = withVector(id(written++), BOB, TestEmbeddings.random(random));
    ts.write(puts(lone));
    assertThat(pending()).isEqualTo(1);
    awaitNoPending();
    assertThat(ts.vectorSearch(TestEmbeddings.MODEL, lone.embedding(), EVERYTHING, ALL, 1))
        .extracting(ScoredId::id)
        .containsExactly(lone.id());

    ts.write(puts(withVector(id(written++), BOB, TestEmbeddings.random(random))));
    Thread.sleep(IndexCatchUp.MAX_PENDING_NANOS / 1_000_000 + 50);
    ts.write(puts(withVector(id(written++), BOB, TestEmbeddings.random(random))));
    awaitNoPending(); // the indexer refreshes old changes
    assertThat(ts.count(EVERYTHING, ALL)).isEqualTo(written);
  }

  @Test
  void closeRightAfterWrites_indexesEverythingQueued() {
    Random random = new Random(5);
    List<StoredMemory> all = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      StoredMemory m = withVector(id(i), ALICE, TestEmbeddings.random(random));
      all.add(m);
      ts.write(puts(m));
    }
    ts.close();
    store.close();
    store = EmbeddedStore.open(dir.resolve("eu"));
    ts = store.open(TenantId.of("acme"));
    assertThat(pending()).isZero();
    for (StoredMemory m : all) {
      assertThat(
              ts.vectorSearch(TestEmbeddings.MODEL, m.embedding(), EVERYTHING, ALL, 1).get(0).id())
          .isEqualTo(m.id());
    }
    assertThat(ts.textSearch("text", EVERYTHING, ALL, 100)).hasSize(30);
  }

  private void awaitNoPending() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (pending() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(pending()).isZero();
  }

  /**
   * Each writer owns its ids; right after each write it must see exactly that write in vector
   * search, while other threads write and refresh the searcher (via text search, count and list)
   * concurrently.
   */
  @Test
  void concurrentWritersAndRefreshingReaders_alwaysSeeOwnWrites() throws Exception {
    int writers = 3;
    int idsPerWriter = 12;
    ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger maxPending = new AtomicInteger();
    List<Map<String, StoredMemory>> finals = new ArrayList<>();
    try {
      List<Future<?>> writes = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        Map<String, StoredMemory> mine = new HashMap<>();
        finals.add(mine);
        int writer = w;
        writes.add(
            pool.submit(
                () -> {
                  Random random = new Random(writer);
                  Scope scope = Scope.user("w" + writer);
                  ScopeFilter exact = new ScopeFilter.Exact(scope);
                  for (int i = 0; i < 300; i++) {
                    String id = id(writer * 1000 + random.nextInt(idsPerWriter));
                    if (random.nextInt(5) == 0) {
                      StoredMemory old = mine.remove(id);
                      ts.write(remove(id));
                      if (old != null) {
                        assertThat(
                                ids(
                                    ts.vectorSearch(
                                        TestEmbeddings.MODEL,
                                        old.embedding(),
                                        exact,
                                        ALL,
                                        idsPerWriter)))
                            .doesNotContain(id);
                      }
                    } else {
                      StoredMemory m = withVector(id, scope, TestEmbeddings.random(random));
                      ts.write(puts(m));
                      mine.put(id, m);
                      List<ScoredId> hits =
                          ts.vectorSearch(
                              TestEmbeddings.MODEL, m.embedding(), exact, ALL, idsPerWriter);
                      assertThat(hits.get(0).id()).isEqualTo(id);
                      assertThat(hits.get(0).score()).isCloseTo(1.0, within(1e-4));
                      assertThat(ids(hits))
                          .doesNotHaveDuplicates()
                          .containsExactlyInAnyOrderElementsOf(mine.keySet());
                    }
                    maxPending.accumulateAndGet(pending(), Math::max);
                  }
                }));
      }
      List<Future<?>> reads = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        int reader = r;
        reads.add(
            pool.submit(
                () -> {
                  while (!done.get()) {
                    switch (reader) {
                      case 0 -> ts.textSearch("text", EVERYTHING, ALL, 10);
                      default -> {
                        ts.count(EVERYTHING, ALL);
                        ts.list(EVERYTHING, ALL, PageRequest.first(20));
                      }
                    }
                    Thread.yield();
                  }
                }));
      }
      for (Future<?> f : writes) {
        f.get();
      }
      done.set(true);
      for (Future<?> f : reads) {
        f.get();
      }
    } finally {
      done.set(true);
      pool.shutdownNow();
    }
    assertThat(maxPending.get()).isLessThanOrEqualTo(IndexCatchUp.MAX_PENDING);
    Set<String> expected = new HashSet<>();
    finals.forEach(m -> expected.addAll(m.keySet()));
    float[] q = TestEmbeddings.random(new Random(99));
    assertThat(ids(ts.vectorSearch(TestEmbeddings.MODEL, q, EVERYTHING, ALL, 1000)))
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(ts.count(EVERYTHING, ALL)).isEqualTo(expected.size());
    assertThat(ids(ts.vectorSearch(TestEmbeddings.MODEL, q, EVERYTHING, ALL, 1000)))
        .containsExactlyInAnyOrderElementsOf(expected);
  }
}
