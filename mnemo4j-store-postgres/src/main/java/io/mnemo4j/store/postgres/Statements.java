package io.mnemo4j.store.postgres;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/** Running a statement text of several statements and reading the last one's result set. */
final class Statements {
  private Statements() {}

  /** Binds a statement's parameters. */
  @FunctionalInterface
  interface Binder {
    /** Binds the parameters from index {@code from} on; returns the index after them. */
    int bind(PreparedStatement ps, int from) throws SQLException;
  }

  /** Reads a statement's result set. */
  @FunctionalInterface
  interface Reader<T extends @Nullable Object> {
    /** The value read from {@code rs}. */
    T read(ResultSet rs) throws SQLException;
  }

  /**
   * Executes {@code ps}, a text of {@code statements} statements that each yield a result set, and
   * reads the last result set; the others are closed unread.
   */
  static <T extends @Nullable Object> T readLast(
      PreparedStatement ps, int statements, Reader<T> read) throws SQLException {
    ps.execute();
    for (int i = 1; i < statements; i++) {
      if (!ps.getMoreResults()) {
        throw new SQLException("expected " + statements + " result sets, got " + i);
      }
    }
    try (ResultSet rs = ps.getResultSet()) {
      return read.read(rs);
    }
  }
}
