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
    if (writer) {
      // Each batch of a group commit runs in a savepoint, whose undo pages SQLite keeps in a
      // temporary file by default: created, written and deleted on every commit (open, unlink and
      // close calls in the profile of an add). That journal only ever serves a rollback inside the
      // open transaction; crash safety is the WAL's, so memory loses nothing.
      config.setTempStore(SQLiteConfig.TempStore.MEMORY);
    }
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

  /**
   * Parses a time column: {@link Instant#parse}'s result, through a direct reading of the form
   * {@link Instant#toString} writes for years 0000-9999 ({@code 2026-12-06T03:04:44Z}, with 3, 6 or
   * 9 fraction digits when there are nanoseconds) and {@link Instant#parse} for anything else.
   * Every loaded memory parses two to five times, and the formatter's general path was a tenth of
   * loading a search's memories in JFR.
   */
  static Instant parseTime(String text) {
    Instant quick = parseCanonical(text);
    return quick != null ? quick : Instant.parse(text);
  }

  static @Nullable Instant parseTimeOrNull(@Nullable String text) {
    return text == null ? null : parseTime(text);
  }

  /** The instant of {@code text} in {@link Instant#toString}'s usual form, else null. */
  static @Nullable Instant parseCanonical(String text) {
    int n = text.length();
    // yyyy-MM-ddTHH:mm:ss, then nothing or .SSS, .SSSSSS or .SSSSSSSSS, then Z
    if ((n != 20 && n != 24 && n != 27 && n != 30)
        || text.charAt(4) != '-'
        || text.charAt(7) != '-'
        || text.charAt(10) != 'T'
        || text.charAt(13) != ':'
        || text.charAt(16) != ':'
        || text.charAt(n - 1) != 'Z'
        || (n > 20 && text.charAt(19) != '.')) {
      return null;
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 7);
    int day = digits(text, 8, 10);
    int hour = digits(text, 11, 13);
    int minute = digits(text, 14, 16);
    int second = digits(text, 17, 19);
    int fraction = n > 20 ? digits(text, 20, n - 1) : 0;
    if (year < 0
        || month < 1
        || month > 12
        || day < 1
        || day > java.time.YearMonth.of(year, month).lengthOfMonth()
        || hour < 0
        || hour > 23
        || minute < 0
        || minute > 59
        || second < 0
        || second > 59
        || fraction < 0) {
      return null; // not the usual form (or invalid): Instant.parse decides
    }
    int nanos = fraction;
    for (int i = n - 1 - 20; n > 20 && i < 9; i++) {
      nanos *= 10;
    }
    long epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
    return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
  }

  /** The decimal number in {@code text[from, to)}, or -1 if a character there is not a digit. */
  private static int digits(String text, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
