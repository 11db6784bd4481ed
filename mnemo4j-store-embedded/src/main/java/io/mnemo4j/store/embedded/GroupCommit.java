package io.mnemo4j.store.embedded;

import io.mnemo4j.internal.store.ModelDimensions;
import io.mnemo4j.spi.WriteBatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jspecify.annotations.Nullable;

/**
 * The group commit of one tenant's engine: writes queue their batches here, and whoever next holds
 * the engine's snapshot write lock commits every batch queued by then in one SQLite transaction
 * (one fsync), each batch still all-or-nothing. Thread-safe for {@link #enqueue}; everything else
 * runs under the engine's snapshot write lock.
 */
final class GroupCommit {
  private final Queue<Queued> queue = new ConcurrentLinkedQueue<>();
  private long commits; // guarded by the snapshot write lock; read by test hooks

  /** Queues a batch for the next commit; the caller then takes the lock and commits if not done. */
  Queued enqueue(WriteBatch batch) {
    Queued mine = new Queued(batch, IndexCatchUp.Documents.of(batch));
    queue.add(mine);
    return mine;
  }

  /** Batches queued and not yet taken by a commit. */
  int queued() {
    return queue.size();
  }

  /** Transactions committed so far. */
  long commits() {
    return commits;
  }

  /**
   * A batch waiting for the commit that will hold it. Fields guarded by the snapshot write lock.
   */
  static final class Queued {
    final WriteBatch batch;
    final IndexCatchUp.Documents documents;
    boolean done;
    @Nullable Exception failure;

    Queued(WriteBatch batch, IndexCatchUp.Documents documents) {
      this.batch = batch;
      this.documents = documents;
    }

    /** Whether a commit has taken this batch (committed or refused). Caller holds the lock. */
    boolean done() {
      return done;
    }

    /** Returns if the batch committed; throws why it did not. Caller took the lock after done. */
    void result() throws SQLException {
      switch (failure) {
        case null -> {}
        case SQLException e -> throw e;
        case RuntimeException e -> throw e;
        default -> throw new IllegalStateException(failure);
      }
    }
  }

  /**
   * Commits every queued batch in one transaction and marks each done, with its failure if any;
   * returns whether the transaction committed. Caller holds the snapshot write lock. {@code
   * sharedTimes} is the tenant's flag of {@link Rows#sharedCreationTimes}, set in the transaction
   * if the group makes it so.
   */
  boolean commitQueued(
      Connection writeConnection,
      Map<String, PreparedStatement> writeStatements,
      ModelDimensions dimensions,
      IndexCatchUp catchUp,
      java.util.concurrent.atomic.AtomicBoolean sharedTimes) {
    List<Queued> group = new ArrayList<>();
    for (Queued q; (q = queue.poll()) != null; ) {
      group.add(q);
    }
    List<WriteBatch> batches = new ArrayList<>(group.size());
    for (Queued q : group) {
      batches.add(q.batch);
    }
    // Dimensions a batch introduces bind the later batches of the group; learnt for good only once
    // the group is durable, so a refused or failed write teaches nothing.
    ModelDimensions trial = new ModelDimensions(dimensions.asMap());
    List<Rows.Outcome> outcomes;
    try {
      outcomes =
          Rows.writeGroup(
              writeConnection,
              writeStatements,
              batches,
              b -> trial.record(trial.check(b)),
              sharedTimes);
    } catch (SQLException | RuntimeException e) {
      for (Queued q : group) {
        q.done = true;
        q.failure = e;
      }
      return false;
    }
    commits++;
    dimensions.record(trial.asMap());
    for (int i = 0; i < group.size(); i++) {
      Queued q = group.get(i);
      Rows.Outcome outcome = outcomes.get(i);
      q.done = true;
      q.failure = outcome.refused();
      if (outcome.refused() == null) {
        catchUp.enqueue(outcome.seq(), q.documents, q.batch);
      }
    }
    return true;
  }
}
