package io.mnemo4j.internal.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * How a JDBC store keeps an instant in a column, exactly to the nanosecond: ISO-8601 text in
 * SQLite, epoch nanoseconds as {@code numeric} in PostgreSQL. The row mapping the stores share
 * ({@link JdbcRows}, {@link CatalogStatements}) writes and reads every time through it.
 * Implementations are stateless and thread-safe.
 */
public interface TimeColumn {
  /** Binds {@code time}, or SQL NULL, to parameter {@code index}. */
  void set(PreparedStatement ps, int index, @Nullable Instant time) throws SQLException;

  /** The instant in column {@code index}, if it is not NULL. */
  @Nullable Instant getOrNull(ResultSet rs, int index) throws SQLException;

  /** The instant in column {@code index}, which must not be NULL. */
  default Instant get(ResultSet rs, int index) throws SQLException {
    Instant time = getOrNull(rs, index);
    if (time == null) {
      throw new SQLException("column " + index + " holds no time");
    }
    return time;
  }
}
