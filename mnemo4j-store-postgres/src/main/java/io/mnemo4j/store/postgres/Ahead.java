package io.mnemo4j.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * A read that may travel in front of another statement: its text goes first in a multi-statement
 * text, which the driver sends with one Sync, so both are answered in one round trip. The reader of
 * the combined statement binds it first and reads its result sets first ({@link #readFrom}). Used
 * by one thread.
 */
interface Ahead {
  /** The statement's text (one statement or several), without a terminating semicolon. */
  String sql();

  /** Binds its parameters from {@code from} on; returns the index after them. */
  int bind(PreparedStatement ps, int from) throws SQLException;

  /** Reads its result set (of its only statement). */
  void read(ResultSet rs) throws SQLException;

  /**
   * Reads its result sets from {@code ps}, whose current result is its first, and moves {@code ps}
   * to the result of the statement after it.
   */
  default void readFrom(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.getResultSet()) {
      read(rs);
    }
    ps.getMoreResults();
  }

  /** Runs it alone, when the statement it would have travelled with was not sent. */
  default void runAlone(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql())) {
      bind(ps, 1);
      ps.execute();
      readFrom(ps);
    }
  }

  /**
   * {@code first} and then {@code second} as one statement to send ahead (in that order, each read
   * from its own result sets); either one when the other is null, null when both are.
   */
  static @Nullable Ahead both(@Nullable Ahead first, @Nullable Ahead second) {
    if (first == null || second == null) {
      return first == null ? second : first;
    }
    return new Ahead() {
      @Override
      public String sql() {
        return first.sql() + ";\n" + second.sql();
      }

      @Override
      public int bind(PreparedStatement ps, int from) throws SQLException {
        return second.bind(ps, first.bind(ps, from));
      }

      @Override
      public void read(ResultSet rs) {
        throw new IllegalStateException("two statements have two result sets: use readFrom");
      }

      @Override
      public void readFrom(PreparedStatement ps) throws SQLException {
        first.readFrom(ps);
        second.readFrom(ps);
      }
    };
  }
}
