package io.mnemo4j.internal.store;

import io.mnemo4j.HistoryEntry;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMessage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The paged reads of a whole tenant that export needs, alike in both JDBC stores: every history row
 * in append order (its {@code pos} column, handed out as the cursor), every raw message and every
 * operation record in id order. A store names its (schema-qualified) tables. Immutable and
 * thread-safe.
 */
public final class ExportRows {
  private final JdbcRows rows;
  private final TimeColumn times;

  /** The reads of a store that keeps times as {@code times} says. */
  public ExportRows(TimeColumn times) {
    this.rows = new JdbcRows(times);
    this.times = times;
  }

  /** One page of {@code table}'s history rows after the cursor, in {@code pos} order. */
  public Page<HistoryEntry> history(Connection c, String table, PageRequest page)
      throws SQLException {
    long after = position(page);
    List<HistoryEntry> out = new ArrayList<>();
    long last = after;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + JdbcRows.HISTORY_COLUMNS
                + ", pos FROM "
                + table
                + " WHERE pos > ? ORDER BY pos LIMIT ?")) {
      ps.setLong(1, after);
      ps.setInt(2, page.size() + 1);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (out.size() == page.size()) {
            return new Page<>(out, Long.toString(last));
          }
          out.add(rows.history(rs));
          last = rs.getLong(9);
        }
      }
    }
    return new Page<>(out, null);
  }

  /** One page of {@code table}'s raw messages after the cursor, in id order. */
  public Page<StoredMessage> messages(Connection c, String table, PageRequest page)
      throws SQLException {
    try (PreparedStatement ps = afterId(c, JdbcRows.MESSAGE_COLUMNS, table, page)) {
      return JdbcRows.page(JdbcRows.all(ps, this::message), page.size(), StoredMessage::id);
    }
  }

  /** One page of {@code table}'s operation records after the cursor, in id order. */
  public Page<StoredEvent> events(Connection c, String table, PageRequest page)
      throws SQLException {
    try (PreparedStatement ps = afterId(c, JdbcRows.EVENT_COLUMNS, table, page)) {
      return JdbcRows.page(JdbcRows.all(ps, rows::event), page.size(), StoredEvent::id);
    }
  }

  private static PreparedStatement afterId(
      Connection c, String columns, String table, PageRequest page) throws SQLException {
    String cursor = page.cursor();
    PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + columns
                + " FROM "
                + table
                + (cursor == null ? "" : " WHERE id > ?")
                + " ORDER BY id LIMIT ?");
    int i = 1;
    if (cursor != null) {
      ps.setString(i++, cursor);
    }
    ps.setInt(i, page.size() + 1);
    return ps;
  }

  /** Reads a row selected with {@link JdbcRows#MESSAGE_COLUMNS}. */
  private StoredMessage message(ResultSet rs) throws SQLException {
    return new StoredMessage(
        rs.getString(1),
        Scope.of(rs.getString(2), rs.getString(3), rs.getString(4)),
        Role.parse("role", rs.getString(5)),
        rs.getString(6),
        rs.getString(7),
        times.get(rs, 8));
  }

  private static long position(PageRequest page) {
    String cursor = page.cursor();
    if (cursor == null) {
      return 0;
    }
    try {
      return Long.parseLong(cursor);
    } catch (NumberFormatException e) {
      throw new InvalidRequestException("cursor", "cursor is not one this store handed out");
    }
  }
}
