package io.mnemo4j.store.embedded;

import static io.mnemo4j.testing.TestMemories.T0;
import static io.mnemo4j.testing.TestMemories.memory;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.ConflictException;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantId;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import io.mnemo4j.testing.ChildJvm;
import io.mnemo4j.testing.TestMemories;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit: writes that arrive while a commit runs share the next one (one transaction, one
 * fsync), and each is acknowledged only after the commit that holds it. A crash before that commit
 * loses nothing acknowledged, and leaves none of the group half-written.
 */
class GroupCommitTest {
  static final int WRITERS = 8;

  @TempDir Path dir;

  /** The batch of one add: a memory with its history row and its operation record. */
  static WriteBatch add(String id, @Nullable String key) {
    StoredMemory m = memory(id, "memory " + id, Scope.user("user-" + id));
    return new WriteBatch(
        List.of(new Change.Put(m)),
        List.of(TestMemories.add(m.memory())),
        List.of(),
        List.of(new StoredEvent("e-" + id, key, EventStatus.SUCCEEDED, "{}", "{}", T0, T0)));
  }

  /**
   * Queues {@link #WRITERS} concurrent writes behind held commits, checks that none returned, and
   * releases them: returns their futures.
   */
  static List<Future<?>> writeTogether(TenantStore ts, ExecutorService pool, List<WriteBatch> all)
      throws Exception {
    List<Future<?>> futures = new ArrayList<>();
    try (AutoCloseable held = TestSecrets.holdCommits(ts)) {
      for (WriteBatch b : all) {
        futures.add(pool.submit(() -> ts.write(b)));
      }
      awaitQueued(ts, all.size());
      assertThat(futures).as("acknowledged before any commit held it").noneMatch(Future::isDone);
    }
    return futures;
  }

  static void awaitQueued(TenantStore ts, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (TestSecrets.queuedWrites(ts) < n && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
    assertThat(TestSecrets.queuedWrites(ts)).isEqualTo(n);
  }

  @Test
  void eightConcurrentWrites_shareOneCommit_andEachIsAcknowledgedAfterIt() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    try (EmbeddedStore store = EmbeddedStore.open(dir.resolve("eu"));
        TenantStore ts = store.open(TenantId.of("acme"))) {
      List<WriteBatch> batches = new ArrayList<>();
      for (int i = 0; i < WRITERS; i++) {
        batches.add(add("a" + i, null));
      }
      long before = TestSecrets.groupCommits(ts);
      for (Future<?> f : writeTogether(ts, pool, batches)) {
        f.get(30, TimeUnit.SECONDS);
      }
      assertThat(TestSecrets.groupCommits(ts) - before).isEqualTo(1);
      for (int i = 0; i < WRITERS; i++) {
        assertThat(ts.get("a" + i)).isPresent();
        assertThat(ts.event("e-a" + i)).isPresent();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Each batch of a group runs in a savepoint: its undo pages stay in memory instead of a temporary
   * file created and deleted on every commit ({@link
   * #refusedBatchInAGroup_failsAloneAndTheOthersCommit} rolls one back).
   */
  @Test
  void savepointUndo_isKeptInMemoryOnTheWriteConnection() {
    try (EmbeddedStore store = EmbeddedStore.open(dir.resolve("eu"));
        TenantStore ts = store.open(TenantId.of("acme"))) {
      ts.write(add("a", null));
      assertThat(TestSecrets.tempStore(ts)).isEqualTo(2);
    }
  }

  @Test
  void refusedBatchInAGroup_failsAloneAndTheOthersCommit() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    try (EmbeddedStore store = EmbeddedStore.open(dir.resolve("eu"));
        TenantStore ts = store.open(TenantId.of("acme"))) {
      ts.write(add("held", "key-1"));
      List<WriteBatch> batches = new ArrayList<>();
      for (int i = 0; i < WRITERS; i++) {
        batches.add(add("b" + i, i == 3 ? "key-1" : "key-b" + i)); // b3 reuses a held key
      }
      long before = TestSecrets.groupCommits(ts);
      List<Future<?>> futures = writeTogether(ts, pool, batches);
      for (int i = 0; i < WRITERS; i++) {
        Future<?> f = futures.get(i);
        if (i == 3) {
          assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
              .isInstanceOf(ExecutionException.class)
              .cause()
              .isInstanceOf(ConflictException.class);
        } else {
          f.get(30, TimeUnit.SECONDS);
        }
      }
      assertThat(TestSecrets.groupCommits(ts) - before).isEqualTo(1);
      for (int i = 0; i < WRITERS; i++) {
        assertThat(ts.get("b" + i).isPresent()).as("b" + i).isEqualTo(i != 3);
      }
      assertThat(ts.event("e-b3")).isEmpty();
      assertThat(ts.history("b3")).isEmpty();
      assertThat(ts.eventByIdempotencyKey("key-1").orElseThrow().id()).isEqualTo("e-held");
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * A child JVM ({@link GroupCommitChild}) lets 8 concurrent writes commit as one group and prints
   * each acknowledgement, then queues 8 more behind held commits and prints them; we kill it there,
   * before their commit. Every acknowledged write is present after reopening, and none of the
   * unacknowledged group is, not even in part.
   */
  @Test
  void killedBeforeAGroupCommit_losesNothingAcknowledged() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(ChildJvm.command(GroupCommitChild.class, dir.toString()));
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process child = pb.start();
    List<String> acked = new ArrayList<>();
    List<String> queued = new ArrayList<>();
    long commits = -1;
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        String[] parts = line.split(" ");
        switch (parts[0]) {
          case "ACK" -> acked.add(parts[1]);
          case "COMMITS" -> commits = Long.parseLong(parts[1]);
          case "QUEUED" -> queued.add(parts[1]);
          default -> {}
        }
        if (queued.size() == WRITERS) {
          break;
        }
      }
      child.destroyForcibly(); // kill -9, commits held: the second group never committed
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(acked).hasSize(WRITERS);
    assertThat(commits).as("the acknowledged writes shared one commit").isEqualTo(1);
    assertThat(queued).hasSize(WRITERS);
    try (EmbeddedStore store = EmbeddedStore.open(dir.resolve("eu"));
        TenantStore ts = store.open(TenantId.of("acme"))) {
      for (String id : acked) {
        assertThat(ts.get(id)).as("acknowledged " + id).isPresent();
        assertThat(ts.history(id)).hasSize(1);
        assertThat(ts.event("e-" + id)).isPresent();
      }
      for (String id : queued) {
        assertThat(ts.get(id)).as("never committed " + id).isEmpty();
        assertThat(ts.event("e-" + id)).isEmpty();
      }
    }
  }
}
