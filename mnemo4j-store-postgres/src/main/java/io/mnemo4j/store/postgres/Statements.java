package io.mnemo4j.store.postgres;

import io.mnemo4j.internal.store.JdbcRows;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

  /** A reader of every row, each read by {@code row}. */
  static <T> Reader<List<T>> all(JdbcRows.RowReader<T> row) {
    return rs -> {
      List<T> out = new ArrayList<>();
      while (rs.next()) {
        out.add(row.read(rs));
      }
      return out;
    };
  }

  /** A reader of the first row, if any, read by {@code row}. */
  static <T> Reader<Optional<T>> first(JdbcRows.RowReader<T> row) {
    return rs -> rs.next() ? Optional.of(row.read(rs)) : Optional.empty();
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
