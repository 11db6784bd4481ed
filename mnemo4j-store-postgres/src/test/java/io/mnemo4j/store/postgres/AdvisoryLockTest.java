package io.mnemo4j.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.EventType;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.MemoryEvent;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Scope;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantId;
import io.mnemo4j.spi.DuplicateProbe;
import io.mnemo4j.spi.ScopeGuard;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.testing.HashingEmbedder;
import io.mnemo4j.testing.TestEmbeddings;
import io.mnemo4j.testing.TestMemories;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scope locks serialise writers across processes sharing one database: two stores with their own
 * pools stand in for two servers.
 */
class AdvisoryLockTest {
  @TempDir Path dataDir;
  private String db;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create();
  }

  @AfterEach
  void tearDown() {
    TestDatabase.drop(db);
  }

  private Mnemo server() {
    return Mnemo.builder()
        .dataDir(dataDir)
        .embedder(new HashingEmbedder())
        .backend(PostgresBackend.single("local", TestDatabase.options(db)))
        .build();
  }

  @Test
  void add_sameTextFromTwoServersAndManyThreads_storesOneMemory() throws Exception {
    try (Mnemo one = server();
        Mnemo two = server()) {
      one.tenant("acme");
      ExecutorService pool = Executors.newFixedThreadPool(12);
      try {
        // Several rounds: one race can be won by luck, three rarely are.
        for (int round = 0; round < 3; round++) {
          String text = "the deploy freeze starts on friday";
          Scope scope = Scope.user("alice-" + round);
          CountDownLatch start = new CountDownLatch(1);
          List<Future<List<MemoryEvent>>> results = new ArrayList<>();
          for (int i = 0; i < 24; i++) {
            Mnemo via = i % 2 == 0 ? one : two;
            results.add(
                pool.submit(
                    () -> {
                      start.await();
                      return via.tenant("acme").add(List.of(Message.user(text)), scope);
                    }));
          }
          start.countDown();
          List<EventType> events = new ArrayList<>();
          for (Future<List<MemoryEvent>> f : results) {
            events.addAll(f.get(60, TimeUnit.SECONDS).stream().map(MemoryEvent::event).toList());
          }
          assertThat(events).as("round %d", round).filteredOn(e -> e == EventType.ADD).hasSize(1);
          assertThat(events).as("round %d", round).filteredOn(e -> e == EventType.NONE).hasSize(23);
        }
        assertThat(one.tenant("acme").count(Selection.everywhere())).isEqualTo(3);
        assertThat(two.tenant("acme").count(Selection.everywhere())).isEqualTo(3);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /**
   * A guard holds its lock from its first statement on (here a read); the other store's guard of
   * the same scope gets its lock, with its own first statement, only once the guarded write
   * committed: until then its read waits, and then sees the write.
   */
  @Test
  void lockScope_blocksTheOtherStoresGuardedReadUntilTheGuardedWriteCommits() throws Exception {
    try (PostgresStore first = PostgresStore.open(TestDatabase.options(db));
        PostgresStore second = PostgresStore.open(TestDatabase.options(db));
        TenantStore a = first.open(TenantId.of("acme"));
        TenantStore b = second.open(TenantId.of("acme"))) {
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        CountDownLatch otherLocked = new CountDownLatch(1);
        Future<Long> other;
        try (ScopeGuard guard = a.lockScope(Scope.user("alice"))) {
          assertThat(a.get("m-1")).isEmpty(); // sends the lock
          other =
              pool.submit(
                  () -> {
                    try (ScopeGuard g = b.lockScope(Scope.user("alice"))) {
                      long n =
                          b.count(
                              new io.mnemo4j.spi.ScopeFilter.Everything(),
                              new io.mnemo4j.filter.FilterExpr.All());
                      otherLocked.countDown();
                      return n;
                    }
                  });
          assertThat(otherLocked.await(500, TimeUnit.MILLISECONDS)).isFalse(); // still waiting
          a.write(
              TestMemories.puts(
                  List.of(TestMemories.memory("m-1", "guarded", Scope.user("alice")))));
          // The write committed the guard's transaction: the lock is gone, the row visible.
          assertThat(otherLocked.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(other.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        // Another scope is never blocked.
        try (ScopeGuard guard = a.lockScope(Scope.user("alice"));
            ScopeGuard unrelated = b.lockScope(Scope.user("bob"))) {
          assertThat(guard).isNotNull();
          assertThat(unrelated).isNotNull();
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /**
   * A guard's first statement on a connection of its own (a count: not a read the guard's
   * transaction runs) still comes after the lock: the lock goes first, alone. So does a second
   * scope's lock taken before anything was sent: both are held from that statement on.
   */
  @Test
  void aGuardsFirstStatementOnAnotherConnection_runsHoldingBothOfItsLocks() throws Exception {
    try (PostgresStore first = PostgresStore.open(TestDatabase.options(db));
        PostgresStore second = PostgresStore.open(TestDatabase.options(db));
        TenantStore a = first.open(TenantId.of("acme"));
        TenantStore b = second.open(TenantId.of("acme"))) {
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<CountDownLatch> entered = List.of(new CountDownLatch(1), new CountDownLatch(1));
        List<Future<?>> others = new ArrayList<>();
        try (ScopeGuard guard = a.lockScope(Scope.user("alice"));
            ScopeGuard nested = a.lockScope(Scope.user("bob"))) {
          assertThat(
                  a.count(
                      new io.mnemo4j.spi.ScopeFilter.Everything(),
                      new io.mnemo4j.filter.FilterExpr.All()))
              .isZero();
          for (int i = 0; i < 2; i++) {
            Scope scope = Scope.user(i == 0 ? "alice" : "bob");
            others.add(guardedRead(pool, b, scope, "m-1", entered.get(i)));
          }
          for (CountDownLatch in : entered) {
            assertThat(in.await(300, TimeUnit.MILLISECONDS)).isFalse(); // still waiting
          }
          a.write(
              TestMemories.puts(
                  List.of(TestMemories.memory("m-1", "guarded", Scope.user("alice")))));
        }
        for (Future<?> other : others) {
          other.get(10, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /**
   * A read under a guard that fails before sending anything (a query vector of the wrong length)
   * leaves the lock unsent, not lost: the thread's next statement sends it, and the other store's
   * guard of the scope waits until the guard closes.
   */
  @Test
  void aReadFailingBeforeItsFirstStatement_leavesTheLockToTheThreadsNextOne() throws Exception {
    try (PostgresStore first = PostgresStore.open(TestDatabase.options(db));
        PostgresStore second = PostgresStore.open(TestDatabase.options(db));
        TenantStore a = first.open(TenantId.of("acme"));
        TenantStore b = second.open(TenantId.of("acme"))) {
      a.write(TestMemories.puts(List.of(TestMemories.memory("m-1", "known", Scope.user("alice")))));
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        CountDownLatch entered = new CountDownLatch(1);
        Future<?> other;
        try (ScopeGuard guard = a.lockScope(Scope.user("alice"))) {
          assertThatThrownBy(
                  () ->
                      a.duplicateCandidates(
                          Scope.user("alice"),
                          TestEmbeddings.MODEL,
                          List.of(new DuplicateProbe("h", new float[TestEmbeddings.DIM + 1])),
                          3))
              .isInstanceOf(InvalidRequestException.class);
          assertThat(
                  a.count(
                      new io.mnemo4j.spi.ScopeFilter.Everything(),
                      new io.mnemo4j.filter.FilterExpr.All()))
              .isEqualTo(1);
          other = guardedRead(pool, b, Scope.user("alice"), "m-1", entered);
          assertThat(entered.await(300, TimeUnit.MILLISECONDS)).isFalse(); // still waiting
        }
        other.get(10, TimeUnit.SECONDS);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /**
   * Submits a read of {@code id} under {@code store}'s guard of {@code scope}, which waits for the
   * guard's lock and must find the memory; {@code done} counts down once it has.
   */
  private static Future<?> guardedRead(
      ExecutorService pool, TenantStore store, Scope scope, String id, CountDownLatch done) {
    return pool.submit(
        () -> {
          try (ScopeGuard g = store.lockScope(scope)) {
            assertThat(store.get(id)).isPresent();
            done.countDown();
          }
          return null;
        });
  }

  @Test
  void closingAGuardWithoutWriting_releasesTheLockAndWritesNothing() throws Exception {
    try (PostgresStore first = PostgresStore.open(TestDatabase.options(db));
        PostgresStore second = PostgresStore.open(TestDatabase.options(db));
        TenantStore a = first.open(TenantId.of("acme"));
        TenantStore b = second.open(TenantId.of("acme"))) {
      a.lockScope(Scope.user("alice")).close();
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<?> locked =
            pool.submit(
                () -> {
                  try (ScopeGuard g = b.lockScope(Scope.user("alice"))) {
                    return null;
                  }
                });
        locked.get(10, TimeUnit.SECONDS);
      } finally {
        pool.shutdownNow();
      }
      // A write after the guard closed runs in its own transaction.
      a.write(TestMemories.puts(List.of(TestMemories.memory("m-1", "later", Scope.user("a")))));
      assertThat(b.get("m-1")).isPresent();
    }
  }
}
