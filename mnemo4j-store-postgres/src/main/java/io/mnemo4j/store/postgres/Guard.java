package io.mnemo4j.store.postgres;

import io.mnemo4j.spi.ScopeGuard;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;

/**
 * A held scope lock: a transaction on a pooled connection that takes {@code pg_advisory_xact_lock}
 * and, in the same statement, enters the tenant ({@link Pg#lockAndEnter}). That statement is sent
 * in front of the transaction's first read or write, in its round trip, not on its own: the lock is
 * held before anything that statement reads or writes, which is what it serialises, and an add
 * makes one round trip fewer. A statement of the owning thread on another connection while the lock
 * is not sent yet ({@link TenantContext#lockFirst}) sends it alone first: whatever the thread does
 * under the guard, it does holding the lock. The owning thread's reads under the lock ({@link
 * #readAhead}) and its next write run in the transaction, the write committing it (releasing the
 * lock as the data becomes visible); {@link #close()} ends the transaction if no write did and
 * returns the connection. Used by one thread; close is idempotent.
 */
final class Guard implements ScopeGuard {
  /** A read or write that sends {@code lock}, when not null, in front of its first statement. */
  interface AheadWork<T extends @Nullable Object> {
    /** Runs on {@code c}; {@code lock} must go with (or before) its first statement. */
    T run(Connection c, @Nullable Ahead lock) throws SQLException;
  }

  private final PostgresTenantStore owner;
  private final Connection connection;
  private final Semaphore permits;
  private final String role;

  /** The lock keys not sent yet, in the order they were asked for; empty once sent. */
  private final List<Long> unsent = new ArrayList<>();

  private boolean finished;
  private boolean closed;

  Guard(
      PostgresTenantStore owner, Connection connection, Semaphore permits, long key, String role) {
    this.owner = owner;
    this.connection = connection;
    this.permits = permits;
    this.role = role;
    unsent.add(key);
  }

  /** Whether a write may still join the transaction. */
  boolean joinable() {
    return !finished && !closed;
  }

  /** Takes one more advisory lock in this transaction (with the first one, if that is not sent). */
  void lockToo(long key) {
    if (!unsent.isEmpty()) {
      unsent.add(key);
      return;
    }
    try {
      Pg.advisoryLock(connection, key);
    } catch (SQLException e) {
      throw Pg.translate("lock a scope in tenant '" + owner.tenant() + "'", e);
    }
  }

  /**
   * The statement taking the locks not sent yet and entering the tenant, now counted as sent (the
   * caller sends it); null when it went already.
   */
  private @Nullable Ahead takeLock() {
    if (unsent.isEmpty()) {
      return null;
    }
    Ahead lock = Pg.lockAndEnter(unsent, owner.tenant(), role);
    unsent.clear();
    return lock;
  }

  /** Sends the locks not sent yet, alone, if the transaction is still open. */
  void sendLock() {
    if (!joinable()) {
      return;
    }
    List<Long> keys = List.copyOf(unsent);
    Ahead lock = takeLock();
    if (lock == null) {
      return;
    }
    try {
      lock.runAlone(connection);
    } catch (SQLException e) {
      unsent.addAll(keys);
      throw Pg.translate("lock a scope in tenant '" + owner.tenant() + "'", e);
    }
  }

  /**
   * Runs {@code work} in this transaction without ending it: a read of the owning thread under the
   * lock, as the tenant under the row-level-security role, sparing it a connection and a
   * transaction of its own; the lock, if not sent yet, goes with its first statement. A failure in
   * the server leaves the transaction unusable: the write that would follow fails too, and closing
   * the guard rolls it back. After a failure the lock counts as not sent (the work may have failed
   * before sending it): the next statement sends it again, which a lock already held allows.
   */
  <T extends @Nullable Object> T readAhead(String what, AheadWork<T> work) {
    if (!joinable()) {
      throw new IllegalStateException("the scope guard's transaction has ended");
    }
    List<Long> keys = List.copyOf(unsent);
    try {
      return work.run(connection, takeLock());
    } catch (SQLException e) {
      unsent.addAll(keys);
      throw Pg.translate(what + " in tenant '" + owner.tenant() + "'", e);
    } catch (RuntimeException e) {
      unsent.addAll(keys);
      throw e;
    }
  }

  /**
   * Runs the write in this transaction and commits (or rolls back) it: the lock goes with it. The
   * write sends the lock first if no read did.
   */
  void commitWith(AheadWork<?> write) {
    finished = true;
    owner.forget(this);
    Ahead lock = takeLock();
    Pg.inTransaction(
        connection, "write in tenant '" + owner.tenant() + "'", c -> write.run(c, lock));
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
