package io.mnemo4j.store.embedded;

import io.mnemo4j.TenantId;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The child JVM of {@link GroupCommitTest#killedBeforeAGroupCommit_losesNothingAcknowledged}: 8
 * concurrent writes committed as one group, each printed as {@code ACK id} once its write returned,
 * then {@code COMMITS n} (commits they took), then 8 writes queued behind held commits, printed as
 * {@code QUEUED id}; then it waits to be killed.
 */
public final class GroupCommitChild {
  private GroupCommitChild() {}

  public static void main(String[] args) throws Exception {
    EmbeddedStore store = EmbeddedStore.open(Path.of(args[0]).resolve("eu"));
    TenantStore ts = store.open(TenantId.of("acme"));
    ExecutorService pool = Executors.newFixedThreadPool(GroupCommitTest.WRITERS);
    long before = TestSecrets.groupCommits(ts);
    List<WriteBatch> first = new ArrayList<>();
    List<WriteBatch> second = new ArrayList<>();
    for (int i = 0; i < GroupCommitTest.WRITERS; i++) {
      first.add(GroupCommitTest.add("acked-" + i, null));
      second.add(GroupCommitTest.add("queued-" + i, null));
    }
    List<Future<?>> acks = new ArrayList<>();
    try (AutoCloseable held = TestSecrets.holdCommits(ts)) {
      for (WriteBatch b : first) {
        String id = ((Change.Put) b.changes().getFirst()).memory().id();
        acks.add(
            pool.submit(
                () -> {
                  ts.write(b);
                  print("ACK " + id);
                }));
      }
      GroupCommitTest.awaitQueued(ts, first.size());
    }
    for (Future<?> f : acks) {
      f.get();
    }
    print("COMMITS " + (TestSecrets.groupCommits(ts) - before));
    AutoCloseable held = TestSecrets.holdCommits(ts); // never released: killed while held
    for (WriteBatch b : second) {
      pool.submit(() -> ts.write(b));
    }
    GroupCommitTest.awaitQueued(ts, second.size());
    for (WriteBatch b : second) {
      print("QUEUED " + ((Change.Put) b.changes().getFirst()).memory().id());
    }
    Thread.sleep(Long.MAX_VALUE);
    held.close();
  }

  private static synchronized void print(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
