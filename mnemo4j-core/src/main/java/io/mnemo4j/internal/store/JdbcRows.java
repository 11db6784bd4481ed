package io.mnemo4j.internal.store;

import io.mnemo4j.ConversationMessage;
import io.mnemo4j.EventType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Page;
import io.mnemo4j.Role;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMessage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The rows both JDBC stores keep the same way, and the statements they run on them alike: history
 * entries, operation records, raw messages and conversation windows (a memory's row differs: its
 * categories and vector have each database's own type). A store names its (schema-qualified) table
 * and says how it keeps times ({@link TimeColumn}). Immutable and thread-safe.
 */
public final class JdbcRows {
  /** The columns {@link #history(ResultSet)} reads, in order. */
  public static final String HISTORY_COLUMNS =
      "id, memory_id, event, old_text, new_text, actor, at, reason";

  /** The columns {@link #event(ResultSet)} reads, in order. */
  public static final String EVENT_COLUMNS =
      "id, idempotency_key, status, request, result, created_at, updated_at";

  /** The columns {@link #bindMessage} binds, in order. */
  public static final String MESSAGE_COLUMNS =
      "id, user_id, agent_id, run_id, role, name, content, received_at";

  /** How a row turns into a value. */
  @FunctionalInterface
  public interface RowReader<T> {
    /** The value of the result set's current row. */
    T read(ResultSet rs) throws SQLException;
  }

  /** How a value binds to a statement's parameters. */
  @FunctionalInterface
  public interface RowBinder<T> {
    /** Sets the parameters of one row of {@code value} on {@code ps}. */
    void bind(PreparedStatement ps, T value) throws SQLException;
  }

  private final TimeColumn times;

  /** The mapping of a store that keeps times as {@code times} says. */
  public JdbcRows(TimeColumn times) {
    this.times = times;
  }

  /** Every row {@code ps} selects, read by {@code reader}, in order. */
  public static <T> List<T> all(PreparedStatement ps, RowReader<T> reader) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return all(rs, reader);
    }
  }

  /** Every remaining row of {@code rs}, read by {@code reader}, in order. */
  public static <T> List<T> all(ResultSet rs, RowReader<T> reader) throws SQLException {
    List<T> out = new ArrayList<>();
    while (rs.next()) {
      out.add(reader.read(rs));
    }
    return out;
  }

  /** The first row {@code ps} selects, read by {@code reader}, if any. */
  public static <T> Optional<T> first(PreparedStatement ps, RowReader<T> reader)
      throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return first(rs, reader);
    }
  }

  /** The next row of {@code rs}, read by {@code reader}, if any. */
  public static <T> Optional<T> first(ResultSet rs, RowReader<T> reader) throws SQLException {
    return rs.next() ? Optional.of(reader.read(rs)) : Optional.empty();
  }

  // ------------------------------------------------------------------------------------ history

  /** Binds an entry to the parameters 1-8 of {@link #HISTORY_COLUMNS}. */
  public void bindHistory(PreparedStatement ps, HistoryEntry h) throws SQLException {
    bindHistory(ps, 1, h);
  }

  /**
   * Binds an entry to the 8 parameters from {@code from} on (a statement of several rows); returns
   * the index after them.
   */
  public int bindHistory(PreparedStatement ps, int from, HistoryEntry h) throws SQLException {
    ps.setString(from, h.id());
    ps.setString(from + 1, h.memoryId());
    ps.setString(from + 2, h.event().name());
    ps.setString(from + 3, h.oldText());
    ps.setString(from + 4, h.newText());
    ps.setString(from + 5, h.actor());
    times.set(ps, from + 6, h.at());
    ps.setString(from + 7, h.reason());
    return from + 8;
  }

  /** Reads a row selected with {@link #HISTORY_COLUMNS}. */
  public HistoryEntry history(ResultSet rs) throws SQLException {
    return new HistoryEntry(
        rs.getString(1),
        rs.getString(2),
        EventType.valueOf(rs.getString(3)),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        times.get(rs, 7),
        rs.getString(8));
  }

  /** The history of a memory in {@code table}, oldest first (by its {@code pos} column). */
  public List<HistoryEntry> history(Connection c, String table, String memoryId)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT " + HISTORY_COLUMNS + " FROM " + table + " WHERE memory_id = ? ORDER BY pos")) {
      ps.setString(1, memoryId);
      return all(ps, this::history);
    }
  }

  // ------------------------------------------------------------------------- operation records

  /** Binds a record to the parameters 1-7 of {@link #EVENT_COLUMNS}. */
  public void bindEvent(PreparedStatement ps, StoredEvent e) throws SQLException {
    bindEvent(ps, 1, e);
  }

  /**
   * Binds a record to the 7 parameters from {@code from} on (a statement of several rows); returns
   * the index after them.
   */
  public int bindEvent(PreparedStatement ps, int from, StoredEvent e) throws SQLException {
    ps.setString(from, e.id());
    ps.setString(from + 1, e.idempotencyKey());
    ps.setString(from + 2, e.status().name());
    ps.setString(from + 3, e.request());
    ps.setString(from + 4, e.result());
    times.set(ps, from + 5, e.createdAt());
    times.set(ps, from + 6, e.updatedAt());
    return from + 7;
  }

  /** Reads a row selected with {@link #EVENT_COLUMNS}. */
  public StoredEvent event(ResultSet rs) throws SQLException {
    return new StoredEvent(
        rs.getString(1),
        rs.getString(2),
        EventStatus.valueOf(rs.getString(3)),
        rs.getString(4),
        rs.getString(5),
        times.get(rs, 6),
        times.get(rs, 7));
  }

  /**
   * The record of {@code table} whose {@code column} ({@code id} or {@code idempotency_key}, both
   * unique) holds {@code value}, if any.
   */
  public Optional<StoredEvent> event(Connection c, String table, String column, String value)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT " + EVENT_COLUMNS + " FROM " + table + " WHERE " + column + " = ?")) {
      ps.setString(1, value);
      return first(ps, this::event);
    }
  }

  // ----------------------------------------------------------------------------------- messages

  /** Binds a raw message to the parameters 1-8 of {@link #MESSAGE_COLUMNS}. */
  public void bindMessage(PreparedStatement ps, StoredMessage msg) throws SQLException {
    bindMessage(ps, 1, msg);
  }

  /**
   * Binds a raw message to the 8 parameters from {@code from} on (a statement of several rows);
   * returns the index after them.
   */
  public int bindMessage(PreparedStatement ps, int from, StoredMessage msg) throws SQLException {
    ps.setString(from, msg.id());
    ps.setString(from + 1, msg.scope().userId());
    ps.setString(from + 2, msg.scope().agentId());
    ps.setString(from + 3, msg.scope().runId());
    ps.setString(from + 4, msg.role().wireName());
    ps.setString(from + 5, msg.name());
    ps.setString(from + 6, msg.content());
    times.set(ps, from + 7, msg.receivedAt());
    return from + 8;
  }

  // ------------------------------------------------------------------------ conversation windows

  /** The statement inserting one message of a window into {@code table}; see {@link #addWindow}. */
  public static String insertWindowMessage(String table) {
    return "INSERT INTO "
        + table
        + " (conversation_id, pos, role, text, format, data) VALUES (?, ?, ?, ?, ?, ?)";
  }

  /** Adds one batch entry per message, in order, to {@link #insertWindowMessage}'s statement. */
  public static void addWindow(
      PreparedStatement insert, String conversationId, List<ConversationMessage> messages)
      throws SQLException {
    for (int i = 0; i < messages.size(); i++) {
      ConversationMessage m = messages.get(i);
      insert.setString(1, conversationId);
      insert.setInt(2, i);
      insert.setString(3, m.role().wireName());
      insert.setString(4, m.text());
      insert.setString(5, m.format());
      insert.setString(6, m.data());
      insert.addBatch();
    }
  }

  /** One conversation window of {@code table}, in order; empty when there is none of that id. */
  public static List<ConversationMessage> window(Connection c, String table, String conversationId)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT role, text, format, data FROM "
                + table
                + " WHERE conversation_id = ? ORDER BY pos")) {
      ps.setString(1, conversationId);
      return all(
          ps,
          rs ->
              new ConversationMessage(
                  Role.parse("role", rs.getString(1)),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4)));
    }
  }

  /**
   * One page of the window ids of {@code table} after {@code cursor}, in the byte order of their
   * UTF-8 text (both stores compare ids bytewise); every window has a row at position 0, so each id
   * is read once.
   */
  public static Page<String> windowIds(
      Connection c, String table, @Nullable String cursor, int size) throws SQLException {
    List<String> ids;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT conversation_id FROM "
                + table
                + " WHERE pos = 0"
                + (cursor == null ? "" : " AND conversation_id > ?")
                + " ORDER BY conversation_id LIMIT ?")) {
      int i = 1;
      if (cursor != null) {
        ps.setString(i++, cursor);
      }
      ps.setInt(i, size + 1);
      ids = all(ps, rs -> rs.getString(1));
    }
    return page(ids, size, id -> id);
  }

  /**
   * A page of at most {@code size} of {@code rows}, which hold one more when a next page exists;
   * its cursor is then {@code cursorOf} the page's last item.
   */
  public static <T> Page<T> page(List<T> rows, int size, Function<T, String> cursorOf) {
    boolean more = rows.size() > size;
    List<T> items = more ? rows.subList(0, size) : rows;
    return new Page<>(items, more ? cursorOf.apply(items.getLast()) : null);
  }
}
