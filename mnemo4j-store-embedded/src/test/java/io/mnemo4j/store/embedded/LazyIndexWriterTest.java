package io.mnemo4j.store.embedded;

import static io.mnemo4j.testing.TestMemories.id;
import static io.mnemo4j.testing.TestMemories.memory;
import static io.mnemo4j.testing.TestMemories.puts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.EntityType;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Scope;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantId;
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
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tenant whose index needs no catch-up opens with a Lucene reader alone and creates its index
 * writer at its first write (creating the writer was half the cost of opening a tenant, and most
 * opened tenants are only searched). These tests pin what that must not change: reads see every
 * acknowledged write across the switch to a writer, a crash after it still replays, and the tenant
 * stays locked against a second opener without the writer's {@code write.lock}.
 */
class LazyIndexWriterTest {
  static final TenantId ACME = TenantId.of("acme");
  static final Scope ALICE = Scope.user("alice");
  static final FilterExpr ALL = new FilterExpr.All();
  static final ScopeFilter EVERYTHING = new ScopeFilter.Everything();
  static final int INITIAL = 50;

  @TempDir Path dir;
  private ClosingStores stores;

  @BeforeEach
  void closer() {
    stores = new ClosingStores(dir.resolve("eu"));
  }

  @AfterEach
  void closeAll() throws Exception {
    stores.close();
  }

  private EmbeddedStore store() {
    return stores.store();
  }

  private TenantStore open(EmbeddedStore store) {
    return stores.open(store, ACME);
  }

  /** Writes {@link #INITIAL} memories and closes cleanly: the index commit covers all of them. */
  private void writeInitialAndClose() {
    EmbeddedStore store = EmbeddedStore.open(dir.resolve("eu"));
    try (TenantStore ts = store.open(ACME)) {
      List<StoredMemory> ms = new ArrayList<>();
      for (int i = 0; i < INITIAL; i++) {
        ms.add(memory(id(i), "stored fact number " + i, ALICE));
      }
      ts.write(puts(ms));
    }
    store.close();
  }

  private static List<String> ids(List<ScoredId> hits) {
    return hits.stream().map(ScoredId::id).toList();
  }

  private static List<ScoredId> nearest(TenantStore ts, String text, int k) {
    return ts.vectorSearch(TestEmbeddings.MODEL, TestEmbeddings.embed(text), EVERYTHING, ALL, k);
  }

  @Test
  void openWithNothingToReplay_everyReadWithoutIndexWriter() {
    writeInitialAndClose();
    TenantStore ts = open(store());

    assertThat(ts.textSearch("fact", EVERYTHING, ALL, 100)).hasSize(INITIAL);
    assertThat(ids(nearest(ts, "stored fact number 7", 1))).containsExactly(id(7));
    assertThat(ts.count(EVERYTHING, ALL)).isEqualTo(INITIAL);
    assertThat(ts.list(EVERYTHING, ALL, PageRequest.first(10)).items()).hasSize(10);
    assertThat(ts.countByEntity(EntityType.USER, EVERYTHING, ALL, PageRequest.first(10)).items())
        .hasSize(1);
    assertThat(ts.textScores("fact", List.of(id(3)))).hasSize(1);
    assertThat(ts.get(id(3))).isPresent();

    assertThat(TestSecrets.holdsIndexWriter(ts)).isFalse();
  }

  @Test
  void firstWriteAfterReadOnlyOpen_isVisibleToTheNextReads_andSurvivesReopen() {
    writeInitialAndClose();
    EmbeddedStore store = store();
    TenantStore ts = open(store);
    assertThat(ts.count(EVERYTHING, ALL)).isEqualTo(INITIAL);

    ts.write(
        new WriteBatch(
            List.of(
                new Change.Remove(id(0)),
                new Change.Put(memory("m-new", "freshly written zebra fact", ALICE))),
            List.of(),
            List.of()));

    assertThat(ids(nearest(ts, "freshly written zebra fact", 1))).containsExactly("m-new");
    assertThat(ids(ts.textSearch("zebra", EVERYTHING, ALL, 10))).containsExactly("m-new");
    assertThat(ts.count(EVERYTHING, ALL)).isEqualTo(INITIAL);
    assertThat(ts.list(EVERYTHING, ALL, PageRequest.first(100)).items())
        .extracting(StoredMemory::id)
        .contains("m-new")
        .doesNotContain(id(0));
    assertThat(TestSecrets.holdsIndexWriter(ts)).isTrue();

    ts.close();
    TenantStore again = open(store);
    assertThat(ids(again.textSearch("zebra", EVERYTHING, ALL, 10))).containsExactly("m-new");
    assertThat(again.count(EVERYTHING, ALL)).isEqualTo(INITIAL);
    assertThat(TestSecrets.holdsIndexWriter(again))
        .as("a clean close committed the index: nothing to replay, so no writer")
        .isFalse();
  }

  @Test
  void crashAfterFirstWriteOfReadOnlyOpen_reopenReplaysTheChangeLog() {
    writeInitialAndClose();
    EmbeddedStore store = store();
    TenantStore ts = store.open(ACME);
    assertThat(ts.count(EVERYTHING, ALL)).isEqualTo(INITIAL);
    ts.write(
        new WriteBatch(
            List.of(
                new Change.Remove(id(1)),
                new Change.Put(memory("m-late", "late zebra fact", Scope.user("bob")))),
            List.of(),
            List.of()));
    assertThat(ts.count(EVERYTHING, ALL)).isEqualTo(INITIAL); // applied, not committed
    TestSecrets.crash(ts);
    store.close();

    TenantStore again = open(store());
    assertThat(TestSecrets.holdsIndexWriter(again))
        .as("changes to replay: opened with a writer, as before")
        .isTrue();
    assertThat(ids(again.textSearch("zebra", EVERYTHING, ALL, 10))).containsExactly("m-late");
    assertThat(again.count(EVERYTHING, ALL)).isEqualTo(INITIAL);
    assertThat(again.textScores("fact", List.of(id(1)))).isEmpty();
    assertThat(
            ids(
                again.vectorSearch(
                    TestEmbeddings.MODEL,
                    TestEmbeddings.embed("late zebra fact"),
                    new ScopeFilter.Exact(Scope.user("bob")),
                    ALL,
                    5)))
        .containsExactly("m-late");
  }

  @Test
  void readOnlyOpen_stillKeepsSecondOpenerOut() {
    writeInitialAndClose();
    TenantStore ts = open(store());
    assertThat(ts.count(EVERYTHING, ALL)).isEqualTo(INITIAL);
    assertThat(TestSecrets.holdsIndexWriter(ts)).isFalse();

    EmbeddedStore second = store();
    assertThatThrownBy(() -> second.open(ACME)).isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> second.purge(ACME)).isInstanceOf(RuntimeException.class);
    assertThat(ts.count(EVERYTHING, ALL)).isEqualTo(INITIAL);
  }

  /**
   * Readers running while the first writes create the index writer: every read sees at least the
   * memories acknowledged before it started (never a missing or older view), and vector search
   * finds the last acknowledged memory (alone in its scope) whether the searcher or the pending
   * overlay holds it.
   */
  @Test
  void concurrentReads_duringFirstWrites_seeEveryAcknowledgedMemory() throws Exception {
    writeInitialAndClose();
    TenantStore ts = open(store());
    assertThat(TestSecrets.holdsIndexWriter(ts)).isFalse();
    int writes = 60;
    AtomicInteger acknowledged = new AtomicInteger();
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService pool =
        Executors.newFixedThreadPool(4, Thread.ofPlatform().name("lazy-writer-test-", 0).factory());
    try {
      List<Future<?>> readers = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        int reader = r;
        readers.add(
            pool.submit(
                () -> {
                  int rounds = 0;
                  while (!done.get() || rounds < 5) {
                    int before = acknowledged.get();
                    switch ((reader + rounds) % 3) {
                      case 0 ->
                          assertThat(ts.count(EVERYTHING, ALL))
                              .isGreaterThanOrEqualTo(INITIAL + before);
                      case 1 ->
                          assertThat(ts.textSearch("fact", EVERYTHING, ALL, 500).size())
                              .isGreaterThanOrEqualTo(INITIAL + before);
                      default -> {
                        if (before > 0) {
                          int last = before - 1;
                          assertThat(
                                  ids(
                                      ts.vectorSearch(
                                          TestEmbeddings.MODEL,
                                          TestEmbeddings.embed("written fact " + last),
                                          new ScopeFilter.Exact(Scope.user("writer-" + last)),
                                          ALL,
                                          5)))
                              .containsExactly("w-" + last);
                        }
                      }
                    }
                    rounds++;
                  }
                  return null;
                }));
      }
      Future<?> writer =
          pool.submit(
              () -> {
                for (int i = 0; i < writes; i++) {
                  ts.write(puts(memory("w-" + i, "written fact " + i, Scope.user("writer-" + i))));
                  acknowledged.incrementAndGet();
                }
                return null;
              });
      try {
        writer.get();
      } finally {
        done.set(true);
      }
      for (Future<?> f : readers) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(ts.count(EVERYTHING, ALL)).isEqualTo(INITIAL + writes);
    assertThat(TestSecrets.holdsIndexWriter(ts)).isTrue();
  }
}
