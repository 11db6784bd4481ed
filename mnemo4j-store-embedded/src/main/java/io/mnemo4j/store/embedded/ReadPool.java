package io.mnemo4j.store.embedded;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

/**
 * A few read-only SQLite connections for one database. WAL lets them read beside the writer; a JDBC
 * connection serves one thread at a time, so each call borrows one. Thread-safe. The owner closes
 * the pool only once no connection is borrowed (its lifecycle lock guarantees that).
 */
final class ReadPool implements AutoCloseable {
  private final Path file;
  private final Semaphore permits;
  private final ConcurrentLinkedQueue<Connection> idle = new ConcurrentLinkedQueue<>();

  /**
   * Each connection's prepared statements (see {@link #prepared}); a map is used by its borrower
   * only.
   */
  private final Map<Connection, Map<String, PreparedStatement>> statements =
      new ConcurrentHashMap<>();

  ReadPool(Path file, int size) {
    this.file = file;
    this.permits = new Semaphore(size);
  }

  Connection borrow() throws SQLException {
    permits.acquireUninterruptibly();
    Connection c = idle.poll();
    if (c != null) {
      return c;
    }
    try {
      c = Sqlite.open(file, false);
      Sqlite.exec(c, "PRAGMA query_only = 1");
      return c;
    } catch (SQLException | RuntimeException e) {
      permits.release();
      throw e;
    }
  }

  /**
   * A prepared statement for {@code sql} on borrowed connection {@code c}, kept for the next
   * borrower: preparing costs more than running a small query. Callers close its result sets, not
   * the statement.
   */
  PreparedStatement prepared(Connection c, String sql) throws SQLException {
    return Rows.prepared(c, statements.computeIfAbsent(c, k -> new HashMap<>()), sql);
  }

  /** Returns a connection; a connection that failed is closed instead of reused. */
  void release(Connection c, boolean healthy) {
    if (healthy) {
      idle.add(c);
    } else {
      statements.remove(c);
      closeQuietly(c);
    }
    permits.release();
  }

  @Override
  public void close() {
    Connection c;
    while ((c = idle.poll()) != null) {
      closeQuietly(c);
    }
    statements.clear();
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // Closing a read connection loses nothing.
    }
  }
}
