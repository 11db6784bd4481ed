package io.mnemo4j.store.embedded;

import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.internal.store.TimeColumn;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Opening SQLite connections with the settings every database of this module uses, and classifying
 * its errors.
 */
final class Sqlite {
  /**
   * How long a connection waits for another process's lock before SQLITE_BUSY. In-process writers
   * are serialised by our own lock, so this only matters when two processes share a file (the
   * catalog, a CLI beside a server).
   */
  static final int BUSY_TIMEOUT_MILLIS = 5_000;

  /** Times as ISO-8601 text ({@link Instant#toString}), which keeps every nanosecond. */
  static final TimeColumn TIMES =
      new TimeColumn() {
        @Override
        public void set(PreparedStatement ps, int index, @Nullable Instant time)
            throws SQLException {
          ps.setString(index, timeOrNull(time));
        }

        @Override
        public @Nullable Instant getOrNull(ResultSet rs, int index) throws SQLException {
          return parseTimeOrNull(rs.getString(index));
        }
      };

  private Sqlite() {}

  /**
   * Opens a connection. WAL lets readers run beside the single writer. synchronous=FULL fsyncs the
   * WAL on every commit: NORMAL would already survive a killed process, but could lose the last
   * acknowledged writes on power loss, and "acknowledged" should mean durable; one fsync per batch
   * is cheap next to computing an embedding. Writers begin IMMEDIATE transactions so that two
   * processes never deadlock upgrading a read lock. {@link Durability#PROCESS} opts into NORMAL for
   * a tenant's writer (never for the catalog).
   */
  static Connection open(Path file, boolean writer) throws SQLException {
    return open(file, writer, Durability.FULL);
  }

  /** Opens a connection whose commits are as durable as {@code durability} says. */
  static Connection open(Path file, boolean writer, Durability durability) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(
        durability == Durability.FULL
            ? SQLiteConfig.SynchronousMode.FULL
            : SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
    // The driver otherwise asks SQLite for the last rowid after every insert, in case a caller
    // wants generated keys; nothing here does (the change log's seq comes back by RETURNING).
    config.setGetGeneratedKeys(false);
    config.setTransactionMode(
        writer ? SQLiteConfig.TransactionMode.IMMEDIATE : SQLiteConfig.TransactionMode.DEFERRED);
    return config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
  }

  static void exec(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /** Another connection holds a lock: worth retrying, nothing is broken. */
  static boolean isBusy(SQLException e) {
    int primary = primaryCode(e);
    return primary == SQLiteErrorCode.SQLITE_BUSY.code
        || primary == SQLiteErrorCode.SQLITE_LOCKED.code;
  }

  static boolean isConstraint(SQLException e) {
    return primaryCode(e) == SQLiteErrorCode.SQLITE_CONSTRAINT.code;
  }

  private static int primaryCode(SQLException e) {
    int code = e instanceof SQLiteException s ? s.getResultCode().code : e.getErrorCode();
    return code & 0xff;
  }

  /** A retriable error for a busy database, naming what was attempted but no data. */
  static StoreUnavailableException busy(String what, SQLException e) {
    return new StoreUnavailableException(
        what + ": database is busy (locked by another connection)", e);
  }

  static String time(Instant instant) {
    return instant.toString();
  }

  static @Nullable String timeOrNull(@Nullable Instant instant) {
    return instant == null ? null : instant.toString();
  }

  static Instant parseTime(String text) {
    return Instant.parse(text);
  }

  static @Nullable Instant parseTimeOrNull(@Nullable String text) {
    return text == null ? null : Instant.parse(text);
  }
}
