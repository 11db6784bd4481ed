package io.mnemo4j.store.postgres;

import io.mnemo4j.ConversationMessage;
import io.mnemo4j.EntityCount;
import io.mnemo4j.EntityType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Scope;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.internal.store.JdbcRows;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.StoredMessage;
import io.mnemo4j.store.postgres.SqlFilter.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The row reads of one tenant's schema: memories by id, hash, filter and page, counts, history,
 * operation records and conversation windows, each in a transaction set for the tenant under the
 * row-level-security role. Thread-safe.
 */
final class TenantReads {
  private static final Pattern CURSOR = Pattern.compile("[0-9A-Za-z_-]{1,100}");

  private final TenantContext tenant;
  private final TenantSql sql;

  TenantReads(TenantContext tenant) {
    this.tenant = tenant;
    this.sql = tenant.sql();
  }

  /**
   * Where a read runs: a round trip of its own ({@link TenantContext#readOnce}) or a held guard's
   * transaction.
   */
  interface Runner {
    /**
     * Runs {@code query} as the tenant, its parameters bound by {@code bind} from index 1 on, and
     * returns what {@code read} reads of its result set.
     */
    <T extends @Nullable Object> T query(
        String what, String query, Statements.Binder bind, Statements.Reader<T> read);
  }

  Optional<StoredMemory> get(String id, Runner runner) {
    return runner.query(
        "get",
        selectMemories("id = ?"),
        (ps, i) -> {
          ps.setString(i, id);
          return i + 1;
        },
        rs -> JdbcRows.first(rs, Rows::memory));
  }

  /**
   * The memories of {@code ids} that exist, in the order of {@code ids}. With {@code alone}, also
   * adds to it the ids of those their add stored alone (see {@link AddNeighbours#aloneExpression}).
   */
  List<StoredMemory> getAll(Collection<String> ids, Runner runner, @Nullable Set<String> alone) {
    List<String> wanted = List.copyOf(ids);
    if (wanted.isEmpty()) {
      tenant.ensureOpen();
      return List.of();
    }
    Map<String, StoredMemory> found =
        runner.query(
            "getAll",
            "SELECT "
                + TenantSql.MEMORY_COLUMNS
                + (alone == null ? "" : ", " + AddNeighbours.aloneExpression(sql) + " AS alone")
                + " FROM "
                + sql.memories
                + " m WHERE m.id = ANY(?)",
            (ps, i) -> {
              ps.setArray(
                  i,
                  ps.getConnection().createArrayOf("text", new LinkedHashSet<>(wanted).toArray()));
              return i + 1;
            },
            rs -> {
              Map<String, StoredMemory> out = new HashMap<>();
              while (rs.next()) {
                StoredMemory m = Rows.memory(rs);
                out.put(m.id(), m);
                if (alone != null && rs.getBoolean("alone")) {
                  alone.add(m.id());
                }
              }
              return out;
            });
    List<StoredMemory> out = new ArrayList<>(wanted.size());
    for (String id : wanted) {
      StoredMemory m = found.get(id);
      if (m != null) {
        out.add(m);
      }
    }
    return out;
  }

  Optional<StoredMemory> findByHash(Scope scope, String hash, Runner runner) {
    Sql where = SqlFilter.exactScope(scope);
    return runner.query(
        "findByHash",
        selectMemories("hash = ? AND " + where.text()) + " ORDER BY id LIMIT 1",
        (ps, i) -> {
          ps.setString(i, hash);
          return where.bind(ps, i + 1);
        },
        rs -> JdbcRows.first(rs, Rows::memory));
  }

  /**
   * What {@link #findByHash} answers for each of {@code hashes}, as a statement to send in front of
   * another ({@link Ahead}) in a read transaction already set for the tenant: reading it fills
   * {@code out} by hash (absent when none) with the lowest id per hash.
   */
  Ahead byHashes(
      Connection c, Scope scope, Collection<String> hashes, Map<String, StoredMemory> out)
      throws SQLException {
    Sql where = SqlFilter.exactScope(scope);
    java.sql.Array array = c.createArrayOf("text", new LinkedHashSet<>(hashes).toArray());
    String text =
        "SELECT DISTINCT ON (hash) "
            + TenantSql.MEMORY_COLUMNS
            + " FROM "
            + sql.memories
            + " WHERE hash = ANY(?) AND "
            + where.text()
            + " ORDER BY hash, id";
    return new Ahead() {
      @Override
      public String sql() {
        return text;
      }

      @Override
      public int bind(PreparedStatement ps, int from) throws SQLException {
        ps.setArray(from, array);
        return where.bind(ps, from + 1);
      }

      @Override
      public void read(ResultSet rs) throws SQLException {
        while (rs.next()) {
          StoredMemory m = Rows.memory(rs);
          out.put(m.memory().hash(), m);
        }
      }
    };
  }

  Page<StoredMemory> list(ScopeFilter scope, FilterExpr filter, PageRequest page) {
    String cursor = page.cursor();
    if (cursor != null && !CURSOR.matcher(cursor).matches()) {
      throw new InvalidRequestException("cursor", "cursor is not one this store handed out");
    }
    Sql where = tenant.filters().compile(scope, filter);
    if (where.isFalse()) {
      tenant.ensureOpen();
      return new Page<>(List.of(), null);
    }
    List<StoredMemory> rows =
        tenant.read(
            "list",
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      selectMemories(where.text() + (cursor == null ? "" : " AND id > ?"))
                          + " ORDER BY id LIMIT ?")) {
                int i = where.bind(ps, 1);
                if (cursor != null) {
                  ps.setString(i++, cursor);
                }
                ps.setInt(i, page.size() + 1);
                return JdbcRows.all(ps, Rows::memory);
              }
            });
    return JdbcRows.page(rows, page.size(), StoredMemory::id);
  }

  /** The statement selecting whole memory rows of this schema that meet {@code condition}. */
  List<StoredMessage> messages(Collection<String> ids) {
    List<String> wanted = List.copyOf(ids);
    if (wanted.isEmpty()) {
      tenant.ensureOpen();
      return List.of();
    }
    return tenant.read("messages", c -> Rows.MESSAGES.byIds(c, sql.messages, wanted));
  }

  List<StoredMessage> messagesOfRun(String runId) {
    return tenant.read("messagesOfRun", c -> Rows.MESSAGES.byRun(c, sql.messages, runId));
  }

  /** Memories whose provenance's {@code message_ids} holds any of these ids, by id. */
  List<StoredMemory> derivedFrom(Collection<String> messageIds) {
    List<String> wanted = List.copyOf(new LinkedHashSet<>(messageIds));
    if (wanted.isEmpty()) {
      tenant.ensureOpen();
      return List.of();
    }
    return tenant.read(
        "derivedFrom",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  selectMemories(
                          "EXISTS (SELECT 1 FROM jsonb_array_elements_text(provenance ->"
                              + " 'message_ids') AS j(v) WHERE j.v = ANY(?))")
                      + " ORDER BY id")) {
            ps.setArray(1, c.createArrayOf("text", wanted.toArray()));
            return JdbcRows.all(ps, Rows::memory);
          }
        });
  }

  long countVectors(String model) {
    return tenant.read(
        "countVectors",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT count(*) FROM "
                      + sql.modelVectors
                      + " v JOIN "
                      + sql.memories
                      + " m ON m.id = v.memory_id WHERE v.model = ?")) {
            ps.setString(1, model);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return rs.getLong(1);
            }
          }
        });
  }

  private String selectMemories(String condition) {
    return "SELECT " + TenantSql.MEMORY_COLUMNS + " FROM " + sql.memories + " WHERE " + condition;
  }

  long count(ScopeFilter scope, FilterExpr filter) {
    Sql where = tenant.filters().compile(scope, filter);
    if (where.isFalse()) {
      tenant.ensureOpen();
      return 0;
    }
    return tenant.read(
        "count",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT count(*) FROM " + sql.memories + " WHERE " + where.text())) {
            where.bind(ps, 1);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return rs.getLong(1);
            }
          }
        });
  }

  Page<EntityCount> countByEntity(
      EntityType type, ScopeFilter scope, FilterExpr filter, PageRequest page) {
    String column =
        switch (type) {
          case USER -> "user_id";
          case AGENT -> "agent_id";
          case RUN -> "run_id";
        };
    String cursor = page.cursor();
    Sql where = tenant.filters().compile(scope, filter);
    if (where.isFalse()) {
      tenant.ensureOpen();
      return new Page<>(List.of(), null);
    }
    // COLLATE "C" orders by UTF-8 bytes, which is code point order: the contract's order, whatever
    // the database's collation.
    List<EntityCount> rows =
        tenant.read(
            "countByEntity",
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT "
                          + column
                          + ", count(*) FROM "
                          + sql.memories
                          + " WHERE "
                          + where.text()
                          + " AND "
                          + column
                          + " IS NOT NULL"
                          + (cursor == null ? "" : " AND " + column + " COLLATE \"C\" > ?")
                          + " GROUP BY "
                          + column
                          + " ORDER BY "
                          + column
                          + " COLLATE \"C\" LIMIT ?")) {
                int i = where.bind(ps, 1);
                if (cursor != null) {
                  ps.setString(i++, cursor);
                }
                ps.setInt(i, page.size() + 1);
                return JdbcRows.all(
                    ps, rs -> new EntityCount(type, rs.getString(1), rs.getLong(2)));
              }
            });
    return JdbcRows.page(rows, page.size(), EntityCount::id);
  }

  private static final io.mnemo4j.internal.store.ExportRows EXPORT =
      new io.mnemo4j.internal.store.ExportRows(Pg.TIMES);

  Page<HistoryEntry> exportHistory(PageRequest page) {
    return tenant.read("exportHistory", c -> EXPORT.history(c, sql.history, page));
  }

  Page<io.mnemo4j.spi.StoredMessage> exportMessages(PageRequest page) {
    return tenant.read("exportMessages", c -> EXPORT.messages(c, sql.messages, page));
  }

  Page<StoredEvent> exportEvents(PageRequest page) {
    return tenant.read("exportEvents", c -> EXPORT.events(c, sql.events, page));
  }

  List<HistoryEntry> history(String memoryId) {
    return tenant.read("history", c -> Rows.SHARED.history(c, sql.history, memoryId));
  }

  Optional<StoredEvent> event(String id) {
    return tenant.read("event", c -> Rows.SHARED.event(c, sql.events, "id", id));
  }

  Optional<StoredEvent> eventByIdempotencyKey(String key) {
    return tenant.read(
        "eventByIdempotencyKey", c -> Rows.SHARED.event(c, sql.events, "idempotency_key", key));
  }

  List<StoredEvent> events(Set<EventStatus> statuses, int limit) {
    if (statuses.isEmpty()) {
      tenant.ensureOpen();
      return List.of();
    }
    List<String> names = statuses.stream().map(EventStatus::name).sorted().toList();
    return tenant.read(
        "events",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT "
                      + JdbcRows.EVENT_COLUMNS
                      + " FROM "
                      + sql.events
                      + " WHERE status = ANY(?) ORDER BY created_at, id LIMIT ?")) {
            ps.setArray(1, c.createArrayOf("text", names.toArray()));
            ps.setInt(2, limit);
            return JdbcRows.all(ps, Rows.SHARED::event);
          }
        });
  }

  List<ConversationMessage> conversation(String conversationId) {
    return tenant.read("conversation", c -> JdbcRows.window(c, sql.conversations, conversationId));
  }

  /** Ids in byte order (the column is {@code COLLATE "C"}). */
  Page<String> conversationIds(PageRequest page) {
    return tenant.read(
        "conversationIds",
        c -> JdbcRows.windowIds(c, sql.conversations, page.cursor(), page.size()));
  }
}
