package io.mnemo4j.store.postgres;

import io.mnemo4j.ConversationMessage;
import io.mnemo4j.EntityCount;
import io.mnemo4j.EntityType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.store.postgres.SqlFilter.Sql;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

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

  Optional<StoredMemory> get(String id) {
    return tenant.read(
        "get",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT "
                      + TenantSql.MEMORY_COLUMNS
                      + " FROM "
                      + sql.memories
                      + " WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(Rows.memory(rs)) : Optional.<StoredMemory>empty();
            }
          }
        });
  }

  List<StoredMemory> getAll(Collection<String> ids) {
    List<String> wanted = List.copyOf(ids);
    if (wanted.isEmpty()) {
      tenant.ensureOpen();
      return List.of();
    }
    Map<String, StoredMemory> found =
        tenant.read(
            "getAll",
            c -> {
              Map<String, StoredMemory> out = new HashMap<>();
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT "
                          + TenantSql.MEMORY_COLUMNS
                          + " FROM "
                          + sql.memories
                          + " WHERE id = ANY(?)")) {
                ps.setArray(1, c.createArrayOf("text", new LinkedHashSet<>(wanted).toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    StoredMemory m = Rows.memory(rs);
                    out.put(m.id(), m);
                  }
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

  Optional<StoredMemory> findByHash(Scope scope, String hash) {
    Sql where = SqlFilter.exactScope(scope);
    return tenant.read(
        "findByHash",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT "
                      + TenantSql.MEMORY_COLUMNS
                      + " FROM "
                      + sql.memories
                      + " WHERE hash = ? AND "
                      + where.text()
                      + " ORDER BY id LIMIT 1")) {
            ps.setString(1, hash);
            where.bind(ps, 2);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(Rows.memory(rs)) : Optional.<StoredMemory>empty();
            }
          }
        });
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
              List<StoredMemory> out = new ArrayList<>();
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT "
                          + TenantSql.MEMORY_COLUMNS
                          + " FROM "
                          + sql.memories
                          + " WHERE "
                          + where.text()
                          + (cursor == null ? "" : " AND id > ?")
                          + " ORDER BY id LIMIT ?")) {
                int i = where.bind(ps, 1);
                if (cursor != null) {
                  ps.setString(i++, cursor);
                }
                ps.setInt(i, page.size() + 1);
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    out.add(Rows.memory(rs));
                  }
                }
              }
              return out;
            });
    boolean more = rows.size() > page.size();
    List<StoredMemory> items = more ? rows.subList(0, page.size()) : rows;
    return new Page<>(items, more ? items.getLast().id() : null);
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
              List<EntityCount> out = new ArrayList<>();
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
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    out.add(new EntityCount(type, rs.getString(1), rs.getLong(2)));
                  }
                }
              }
              return out;
            });
    boolean more = rows.size() > page.size();
    List<EntityCount> items = more ? rows.subList(0, page.size()) : rows;
    return new Page<>(items, more ? items.getLast().id() : null);
  }

  List<HistoryEntry> history(String memoryId) {
    return tenant.read(
        "history",
        c -> {
          List<HistoryEntry> out = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id, memory_id, event, old_text, new_text, actor, at, reason FROM "
                      + sql.history
                      + " WHERE memory_id = ? ORDER BY pos")) {
            ps.setString(1, memoryId);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(Rows.history(rs));
              }
            }
          }
          return out;
        });
  }

  Optional<StoredEvent> event(String id) {
    return oneEvent("event", "id", id);
  }

  Optional<StoredEvent> eventByIdempotencyKey(String key) {
    return oneEvent("eventByIdempotencyKey", "idempotency_key", key);
  }

  private Optional<StoredEvent> oneEvent(String what, String column, String value) {
    return tenant.read(
        what,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT "
                      + TenantSql.EVENT_COLUMNS
                      + " FROM "
                      + sql.events
                      + " WHERE "
                      + column
                      + " = ?")) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(Rows.event(rs)) : Optional.<StoredEvent>empty();
            }
          }
        });
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
          List<StoredEvent> out = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT "
                      + TenantSql.EVENT_COLUMNS
                      + " FROM "
                      + sql.events
                      + " WHERE status = ANY(?) ORDER BY created_at, id LIMIT ?")) {
            ps.setArray(1, c.createArrayOf("text", names.toArray()));
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(Rows.event(rs));
              }
            }
          }
          return out;
        });
  }

  List<ConversationMessage> conversation(String conversationId) {
    return tenant.read(
        "conversation",
        c -> {
          List<ConversationMessage> out = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT role, text, format, data FROM "
                      + sql.conversations
                      + " WHERE conversation_id = ? ORDER BY pos")) {
            ps.setString(1, conversationId);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(
                    new ConversationMessage(
                        Role.parse("role", rs.getString(1)),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4)));
              }
            }
          }
          return out;
        });
  }

  /** Ids in byte order ({@code COLLATE "C"}); every window has a row at position 0. */
  Page<String> conversationIds(PageRequest page) {
    String cursor = page.cursor();
    List<String> ids =
        tenant.read(
            "conversationIds",
            c -> {
              List<String> out = new ArrayList<>();
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT conversation_id FROM "
                          + sql.conversations
                          + " WHERE pos = 0"
                          + (cursor == null ? "" : " AND conversation_id > ?")
                          + " ORDER BY conversation_id LIMIT ?")) {
                int i = 1;
                if (cursor != null) {
                  ps.setString(i++, cursor);
                }
                ps.setInt(i, page.size() + 1);
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    out.add(rs.getString(1));
                  }
                }
              }
              return out;
            });
    boolean more = ids.size() > page.size();
    List<String> items = more ? ids.subList(0, page.size()) : ids;
    return new Page<>(items, more ? items.getLast() : null);
  }
}
