package io.mnemo4j.store.postgres;

import io.mnemo4j.spi.AddNeighbour;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link io.mnemo4j.spi.TenantStore#addNeighbours}: the memories of one add share their scope and
 * creation time, and their ids follow the order of the add's messages. One statement per call,
 * served by the {@code memories_created} index, reading only the neighbours' ids, actors and
 * vectors. Thread-safe.
 */
final class AddNeighbours {
  /** How long what a row read learnt of its memories' adds may answer a lookup ({@link #alone}). */
  static final long ALONE_FOR_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

  private final TenantContext tenant;
  private final TenantSql sql;

  /**
   * The memories this thread's latest row read ({@link #rememberAlone}) found stored alone by their
   * add, and when. A search reads its candidates' rows, then looks up the neighbours of those that
   * may still enter its list: when every one of them was found alone, the lookup is answered
   * without a round trip. The answer is what the lookup would read, as of the row read a moment
   * before (the two were separate statements anyway): a memory stored alone stays alone unless a
   * memory of its scope with the very same creation time is written later (an import keeping
   * times). Used once, and only within {@link #ALONE_FOR_NANOS}.
   */
  @SuppressWarnings("ThreadLocalUsage")
  private final ThreadLocal<Alone> alone = new ThreadLocal<>();

  /** Ids found stored alone by their add, at {@code nanos} ({@link System#nanoTime}). */
  private record Alone(Set<String> ids, long nanos) {}

  AddNeighbours(TenantContext tenant) {
    this.tenant = tenant;
    this.sql = tenant.sql();
  }

  /**
   * The lookup: for each wanted id ({@code = ANY} of the third parameter), at most {@code span}
   * (first and second parameters) memories of the same scope and {@link TenantSql#CREATED_KEY}
   * before and after it in id order. The key, not the numeric time, so that under row-level
   * security both probes are conditions on the {@code memories_created} index. Each side picks ids
   * only; the neighbours' actors and vectors are read after the limit, by id: selected inside the
   * sides, every memory of the add was read and its vector formatted as text before the sort kept
   * two (7.0 ms against 1.9-2.7 ms for 20 wanted memories in adds of about 25, LoCoMo, warm).
   */
  static String statement(TenantSql sql) {
    String same =
        "SELECT m.id FROM "
            + sql.memories
            + " m WHERE m.created_key = t.created_key"
            + " AND m.user_id IS NOT DISTINCT FROM t.user_id"
            + " AND m.agent_id IS NOT DISTINCT FROM t.agent_id"
            + " AND m.run_id IS NOT DISTINCT FROM t.run_id AND m.id ";
    return "SELECT t.id, n.id, r.actor, r.embedding_model, vector_send(r.embedding) FROM "
        + sql.memories
        + " t LEFT JOIN LATERAL (("
        + same
        + "< t.id ORDER BY m.id DESC LIMIT ?) UNION ALL ("
        + same
        + "> t.id ORDER BY m.id LIMIT ?)) n ON true LEFT JOIN "
        + sql.memories
        + " r ON r.id = n.id WHERE t.id = ANY(?)";
  }

  /**
   * The expression, on a memory row aliased {@code m}, telling whether its add stored it alone: no
   * other memory of its scope has its creation key (an index probe on {@code memories_created}).
   */
  static String aloneExpression(TenantSql sql) {
    return "NOT EXISTS (SELECT 1 FROM "
        + sql.memories
        + " o WHERE o.created_key = m.created_key AND o.id <> m.id"
        + " AND o.user_id IS NOT DISTINCT FROM m.user_id"
        + " AND o.agent_id IS NOT DISTINCT FROM m.agent_id"
        + " AND o.run_id IS NOT DISTINCT FROM m.run_id)";
  }

  /** Remembers for this thread's next lookup which memories a row read found stored alone. */
  void rememberAlone(Set<String> ids) {
    alone.set(new Alone(ids, System.nanoTime()));
  }

  Map<String, List<AddNeighbour>> of(Collection<String> ids, int span) {
    LinkedHashSet<String> wanted = new LinkedHashSet<>(ids);
    Alone known = alone.get();
    alone.remove();
    if (wanted.isEmpty()) {
      tenant.ensureOpen();
      return Map.of();
    }
    if (known != null
        && System.nanoTime() - known.nanos() < ALONE_FOR_NANOS
        && known.ids().containsAll(wanted)) {
      tenant.ensureOpen();
      Map<String, List<AddNeighbour>> none = new HashMap<>();
      for (String id : wanted) {
        none.put(id, new ArrayList<>());
      }
      return none;
    }
    String query = statement(sql);
    return tenant.readOnce(
        "addNeighbours",
        query,
        1,
        false,
        (ps, i) -> {
          ps.setInt(i, span);
          ps.setInt(i + 1, span);
          ps.setArray(i + 2, ps.getConnection().createArrayOf("text", wanted.toArray()));
          return i + 3;
        },
        rs -> {
          Map<String, List<AddNeighbour>> out = new HashMap<>();
          while (rs.next()) {
            List<AddNeighbour> near = out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>());
            String n = rs.getString(2);
            if (n != null) {
              byte[] vector = rs.getBytes(5);
              near.add(
                  new AddNeighbour(
                      n,
                      rs.getString(3),
                      rs.getString(4),
                      vector == null ? new float[0] : Rows.fromBinary(vector)));
            }
          }
          return out;
        });
  }
}
