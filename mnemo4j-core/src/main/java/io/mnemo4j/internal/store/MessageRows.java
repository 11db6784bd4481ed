package io.mnemo4j.internal.store;

import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.spi.StoredMessage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The raw-message reads and deletes both JDBC stores share (provenance and erasure): by id, by run,
 * and deleting by id. Plain SQL with {@code IN} lists in chunks, which both SQLite and PostgreSQL
 * run; the stores add what only their dialect can say (a memory's provenance lives in JSON).
 * Immutable and thread-safe.
 */
public final class MessageRows {
  /** Most ids in one {@code IN} list. */
  public static final int CHUNK = 500;

  private final TimeColumn times;

  /** The mapping of a store that keeps times as {@code times} says. */
  public MessageRows(TimeColumn times) {
    this.times = times;
  }

  /** Reads a row selected with {@link JdbcRows#MESSAGE_COLUMNS}. */
  public StoredMessage message(ResultSet rs) throws SQLException {
    return new StoredMessage(
        rs.getString(1),
        new Scope(rs.getString(2), rs.getString(3), rs.getString(4)),
        Role.parse("role", rs.getString(5)),
        rs.getString(6),
        rs.getString(7),
        times.get(rs, 8));
  }

  /** The messages of {@code table} with these ids, in ascending id order. */
  public List<StoredMessage> byIds(Connection c, String table, List<String> ids)
      throws SQLException {
    List<StoredMessage> out = new ArrayList<>();
    for (List<String> chunk : chunks(ids)) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT "
                  + JdbcRows.MESSAGE_COLUMNS
                  + " FROM "
                  + table
                  + " WHERE id IN ("
                  + marks(chunk.size())
                  + ")")) {
        bind(ps, 1, chunk);
        out.addAll(JdbcRows.all(ps, this::message));
      }
    }
    out.sort(java.util.Comparator.comparing(StoredMessage::id));
    return out;
  }

  /** The messages of {@code table} added with this run id, in ascending id order. */
  public List<StoredMessage> byRun(Connection c, String table, String runId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + JdbcRows.MESSAGE_COLUMNS
                + " FROM "
                + table
                + " WHERE run_id = ? ORDER BY id")) {
      ps.setString(1, runId);
      List<StoredMessage> out = new ArrayList<>(JdbcRows.all(ps, this::message));
      out.sort(java.util.Comparator.comparing(StoredMessage::id));
      return out;
    }
  }

  /** Deletes the messages of {@code table} with these ids, in the caller's transaction. */
  public static long delete(Connection c, String table, List<String> ids) throws SQLException {
    long deleted = 0;
    for (List<String> chunk : chunks(ids)) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "DELETE FROM " + table + " WHERE id IN (" + marks(chunk.size()) + ")")) {
        bind(ps, 1, chunk);
        deleted += ps.executeUpdate();
      }
    }
    return deleted;
  }

  /** The distinct ids in chunks of at most {@link #CHUNK}. */
  public static List<List<String>> chunks(List<String> ids) {
    List<String> distinct = List.copyOf(new LinkedHashSet<>(ids));
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < distinct.size(); i += CHUNK) {
      out.add(distinct.subList(i, Math.min(distinct.size(), i + CHUNK)));
    }
    return out;
  }

  /** {@code ?, ?, ...} with {@code n} marks. */
  public static String marks(int n) {
    return String.join(", ", Collections.nCopies(n, "?"));
  }

  /** Binds the ids from parameter {@code first} on; returns the next free parameter. */
  public static int bind(PreparedStatement ps, int first, List<String> ids) throws SQLException {
    int i = first;
    for (String id : ids) {
      ps.setString(i++, id);
    }
    return i;
  }
}
