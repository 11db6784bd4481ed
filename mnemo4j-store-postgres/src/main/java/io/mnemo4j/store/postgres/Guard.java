package io.mnemo4j.store.postgres;

import io.mnemo4j.spi.ScopeGuard;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;

/**
 * A held scope lock: an open transaction on a pooled connection that took {@code
 * pg_advisory_xact_lock} and, in the same statement, entered the tenant ({@link Pg#lockAndEnter}).
 * The owning thread's reads under the lock ({@link #read}) and its next write run in it, the write
 * committing it (releasing the lock as the data becomes visible); {@link #close()} ends the
 * transaction if no write did and returns the connection. Used by one thread; close is idempotent.
 */
final class Guard implements ScopeGuard {
  private final PostgresTenantStore owner;
  private final Connection connection;
  private final Semaphore permits;
  private boolean finished;
  private boolean closed;

  Guard(PostgresTenantStore owner, Connection connection, Semaphore permits) {
    this.owner = owner;
    this.connection = connection;
    this.permits = permits;
  }

  /** Whether a write may still join the transaction. */
  boolean joinable() {
    return !finished && !closed;
  }

  /** Takes one more advisory lock in this transaction. */
  void lockToo(long key) {
    try {
      Pg.advisoryLock(connection, key);
    } catch (SQLException e) {
      throw Pg.translate("lock a scope in tenant '" + owner.tenant() + "'", e);
    }
  }

  /**
   * Runs {@code work} in this transaction without ending it: a read of the owning thread under the
   * lock, as the tenant under the row-level-security role, sparing it a connection and a
   * transaction of its own. A failure leaves the transaction unusable: the write that would follow
   * fails too, and closing the guard rolls it back.
   */
  <T extends @Nullable Object> T read(String what, Pg.Work<T> work) {
    if (!joinable()) {
      throw new IllegalStateException("the scope guard's transaction has ended");
    }
    try {
      return work.run(connection);
    } catch (SQLException e) {
      throw Pg.translate(what + " in tenant '" + owner.tenant() + "'", e);
    }
  }

  /** Runs the write in this transaction and commits (or rolls back) it: the lock goes with it. */
  void commitWith(Pg.Work<?> write) {
    finished = true;
    owner.forget(this);
    Pg.inTransaction(connection, "write in tenant '" + owner.tenant() + "'", write);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    owner.forget(this);
    try {
      if (!finished) {
        Pg.rollbackQuietly(connection, null); // nothing was written: only the lock ends
      }
      connection.close();
    } catch (SQLException e) {
      // Closing returns the connection to the pool; a broken one is evicted there.
    } finally {
      permits.release();
    }
  }
}
