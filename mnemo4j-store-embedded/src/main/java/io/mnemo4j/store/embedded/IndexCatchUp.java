package io.mnemo4j.store.embedded;

import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.WriteBatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;
import org.jspecify.annotations.Nullable;

/**
 * How a tenant's Lucene index catches up with SQLite off the write path (see {@link TenantEngine}):
 * committed batches queue for the index writer; a background indexer applies them, commits the
 * index when due and refreshes the searcher once the {@link PendingOverlay} is large ({@link
 * #REFRESH_PENDING}) or old ({@link #MAX_PENDING_NANOS}); a write that finds more than {@link
 * #MAX_PENDING} changes pending catches up itself. Index reads {@link #refresh} first when they
 * need the searcher to show everything. Thread-safe: {@code indexLock} guards what the index writer
 * holds (applying the queue, committing); callers take it after the engine's snapshot lock, never
 * before.
 */
final class IndexCatchUp {
  // Lucene commits are lazy because the change log replays whatever a crash loses; these bound
  // replay work.
  static final int COMMIT_EVERY_CHANGES = 1_000;
  static final long COMMIT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(60);

  /** Most changes kept pending; a write beyond it applies the queue and refreshes. */
  static final int MAX_PENDING = 1_000;

  /**
   * Oldest pending change the indexer or a vector search tolerates before refreshing the searcher.
   */
  static final long MAX_PENDING_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Pending changes at which the background indexer refreshes the searcher. */
  static final int REFRESH_PENDING = MAX_PENDING / 2;

  /**
   * Applies committed batches to tenants' index writers off the write path; one thread per core at
   * most, idle threads expire. When it falls behind, writers catch up themselves once {@link
   * #MAX_PENDING} is exceeded.
   */
  private static final ExecutorService INDEXERS = indexers();

  /**
   * Wakes an indexer when pending changes come of age with no write to schedule it, so that no read
   * has to refresh on its own path. One daemon thread for every tenant; it only schedules.
   */
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("mnemo4j-index-timer").daemon(true).factory());

  /** What the background indexer needs of the engine it works for. */
  interface Owner {
    /** The engine's lifecycle lock, shared by every call; close holds it exclusively. */
    Lock lifecycle();

    /** Whether the engine is closed or has failed: nothing more to index. */
    boolean stopped();

    /** Records an unrecoverable index failure; the engine refuses calls from then on. */
    void recordFailure(Throwable cause);

    /** Closes the engine if a failure was recorded and it is still open. */
    void closeIfFailed();
  }

  /**
   * A batch's index changes: ids to delete or replace, with the replacing document or null for a
   * deletion. Built before SQLite commits, so that everything Lucene could refuse is refused first.
   */
  record Documents(List<Term> terms, List<@Nullable Document> docs) {
    /** The documents of the batch's changes. */
    static Documents of(WriteBatch batch) {
      List<Term> terms = new ArrayList<>();
      List<@Nullable Document> docs = new ArrayList<>();
      for (Change change : batch.changes()) {
        switch (change) {
          case Change.Put put -> {
            terms.add(new Term(IndexSchema.ID, put.memory().id()));
            docs.add(IndexSchema.document(put.memory()));
          }
          case Change.Remove remove -> {
            terms.add(new Term(IndexSchema.ID, remove.id()));
            docs.add(null);
          }
        }
      }
      return new Documents(terms, docs);
    }

    boolean isEmpty() {
      return terms.isEmpty();
    }
  }

  /** A committed batch for the index writer, with the last change seq it covers. */
  private record Indexing(long seq, Documents documents) {}

  /** Creates the index writer when the first batch is applied: see {@link TenantIndex.Opened}. */
  private final TenantIndex.Opened index;

  private final TenantSearchers searchers;
  private final String dbId;
  private final PendingOverlay overlay;
  private final Owner owner;

  /**
   * Committed batches not yet applied to the index writer, in commit order. A write appends under
   * the snapshot write lock; {@link #applyQueued} applies them under {@link #indexLock}, on a
   * background thread or inline.
   */
  private final Queue<Indexing> queue = new ConcurrentLinkedQueue<>();

  /**
   * Guards the index writer's content: applying queued batches, committing, and the fields below.
   */
  private final ReentrantLock indexLock = new ReentrantLock();

  private final AtomicBoolean scheduled = new AtomicBoolean();

  /** Whether a timer will wake the indexer for pending changes coming of age. */
  private final AtomicBoolean timerSet = new AtomicBoolean();

  // Guarded by indexLock.
  private long appliedSeq;
  private long lastCommitNanos;

  /**
   * Seq of the last index commit (guarded by indexLock for writing); log rows up to it may be
   * pruned.
   */
  private volatile long committedSeq;

  IndexCatchUp(TenantIndex.Opened index, String dbId, PendingOverlay overlay, Owner owner) {
    this.index = index;
    this.searchers = index.searchers();
    this.dbId = dbId;
    this.overlay = overlay;
    this.owner = owner;
    this.appliedSeq = index.seq();
    this.committedSeq = index.seq();
    this.lastCommitNanos = System.nanoTime();
  }

  /** Seq of the last index commit: change log rows up to it may be pruned. */
  long committedSeq() {
    return committedSeq;
  }

  /** The error that made Lucene close its writer, if any. */
  @Nullable Throwable tragedy() {
    IndexWriter writer = index.writerIfOpen();
    return writer == null ? null : writer.getTragicException();
  }

  /**
   * Queues a batch SQLite committed up to {@code seq} and publishes its changes as pending. Caller
   * holds the engine's snapshot write lock. When more than {@link #MAX_PENDING} changes are pending
   * (the indexer is behind) it catches up here, so that pending memory and brute-force time stay
   * bounded; a failure then is recorded, never thrown: the batch is durable and replays from the
   * change log when the tenant opens again.
   */
  void enqueue(long seq, Documents documents, WriteBatch batch) {
    if (documents.isEmpty()) {
      return;
    }
    // Queued before it is published as pending: whoever applies the queue after reading pending
    // applies it.
    queue.add(new Indexing(seq, documents));
    if (overlay.add(batch, System.nanoTime()).size() > MAX_PENDING) {
      try {
        indexLock.lock();
        try {
          applyQueued();
          maybeCommit();
          // Holding the snapshot write lock, nothing else reaches the writer: the searcher shows
          // every change.
          searchers.maybeRefreshBlocking();
          overlay.clear();
        } finally {
          indexLock.unlock();
        }
      } catch (IOException | RuntimeException e) {
        owner.recordFailure(e);
      }
    }
  }

  /** Wakes the background indexer if batches are queued and it is not already due to run. */
  void schedule() {
    if (!queue.isEmpty()) {
      wake();
    }
  }

  private void wake() {
    if (scheduled.compareAndSet(false, true)) {
      INDEXERS.execute(this::indexInBackground);
    }
  }

  /**
   * Sets a timer to run the indexer when the oldest of {@code pending} reaches {@link
   * #MAX_PENDING_NANOS}, unless one is set: a burst of writes followed by silence is still
   * refreshed in the background, not by the next read.
   */
  private void wakeWhenOld(PendingOverlay.Snapshot pending) {
    if (pending.isEmpty() || !timerSet.compareAndSet(false, true)) {
      return;
    }
    long delay = Math.max(0, pending.sinceNanos() + MAX_PENDING_NANOS - System.nanoTime());
    try {
      // Nothing waits on the timer: a failed wake is retried by the next write or read.
      var unused =
          TIMER.schedule(
              () -> {
                timerSet.set(false);
                if (!owner.stopped()) {
                  wake();
                }
              },
              delay,
              TimeUnit.NANOSECONDS);
    } catch (RuntimeException e) {
      timerSet.set(false); // rejected: the next write schedules the indexer anyway
    }
  }

  /**
   * Makes the searcher show every change pending when called: applies the queue, refreshes, then
   * forgets exactly the pending entries read before (a concurrent write may have added newer ones).
   */
  void refresh() throws IOException {
    PendingOverlay.Snapshot seen = overlay.snapshot();
    if (seen.isEmpty()) {
      return;
    }
    indexLock.lock();
    try {
      applyQueued(); // every change in seen was queued before it was published
    } finally {
      indexLock.unlock();
    }
    searchers.maybeRefreshBlocking();
    overlay.forget(seen);
  }

  /**
   * Applies the queue and commits whatever the index has not committed; at a clean close, with the
   * engine's snapshot write lock held.
   */
  void commitAll() throws IOException {
    indexLock.lock();
    try {
      applyQueued();
      IndexWriter writer = index.writerIfOpen(); // none when nothing was ever applied
      if (writer != null && (writer.hasUncommittedChanges() || appliedSeq > committedSeq)) {
        commitIndex();
      }
    } finally {
      indexLock.unlock();
    }
  }

  /** Applies every queued batch to the index writer, in order. Caller holds indexLock. */
  private void applyQueued() throws IOException {
    Indexing batch;
    while ((batch = queue.peek()) != null) {
      IndexWriter writer = index.writer();
      Documents documents = batch.documents();
      for (int i = 0; i < documents.terms().size(); i++) {
        Document doc = documents.docs().get(i);
        if (doc == null) {
          writer.deleteDocuments(documents.terms().get(i));
        } else {
          writer.updateDocument(documents.terms().get(i), doc);
        }
      }
      queue.poll(); // only now: a thread taking indexLock next finds every polled batch applied
      appliedSeq = Math.max(appliedSeq, batch.seq());
    }
  }

  /**
   * Commits the index when enough changes or time accumulated. Caller holds indexLock. Returns
   * whether it did.
   */
  private boolean maybeCommit() throws IOException {
    if (appliedSeq - committedSeq >= COMMIT_EVERY_CHANGES
        || (appliedSeq > committedSeq
            && System.nanoTime() - lastCommitNanos >= COMMIT_EVERY_NANOS)) {
      commitIndex();
      return true;
    }
    return false;
  }

  /**
   * Commits the index with the seq it covers. Caller holds indexLock. The next write prunes the
   * change log up to it (pruning needs the write connection, which only writes use).
   */
  private void commitIndex() throws IOException {
    TenantIndex.commit(index.writer(), dbId, appliedSeq);
    committedSeq = appliedSeq;
    lastCommitNanos = System.nanoTime();
  }

  /**
   * Applies queued batches to the index writer off the write path, commits when due, and refreshes
   * the searcher once pending holds {@link #REFRESH_PENDING} changes or is older than {@link
   * #MAX_PENDING_NANOS}, or after a commit (which has flushed every change, so refreshing then is
   * cheap). A failure closes the engine, as any index failure.
   */
  private void indexInBackground() {
    scheduled.set(false); // writes from now on schedule another run
    Lock lock = owner.lifecycle();
    if (!lock.tryLock()) {
      return; // closing: close applies the queue itself
    }
    try {
      if (owner.stopped()) {
        return;
      }
      indexLock.lock();
      try {
        PendingOverlay.Snapshot seen = overlay.snapshot();
        applyQueued();
        boolean committed = maybeCommit();
        if (committed
            || seen.size() >= REFRESH_PENDING
            || seen.olderThan(MAX_PENDING_NANOS, System.nanoTime())) {
          searchers.maybeRefreshBlocking();
          overlay.forget(seen);
        }
      } finally {
        indexLock.unlock();
      }
      wakeWhenOld(overlay.snapshot());
    } catch (IOException | RuntimeException e) {
      owner.recordFailure(e);
    } finally {
      lock.unlock();
    }
    owner.closeIfFailed();
  }

  private static ExecutorService indexers() {
    int threads = Runtime.getRuntime().availableProcessors();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            Thread.ofPlatform().name("mnemo4j-indexer-", 0).daemon(true).factory());
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
