package io.mnemo4j.store.postgres;

import io.mnemo4j.spi.AddNeighbour;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * {@link io.mnemo4j.spi.TenantStore#addNeighbours}: the memories of one add share their scope and
 * creation time, and their ids follow the order of the add's messages. One statement per call,
 * served by the {@code memories_created} index, reading only the neighbours' ids, actors and
 * vectors. Thread-safe.
 */
final class AddNeighbours {
  private final TenantContext tenant;
  private final TenantSql sql;

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

  Map<String, List<AddNeighbour>> of(Collection<String> ids, int span) {
    LinkedHashSet<String> wanted = new LinkedHashSet<>(ids);
    if (wanted.isEmpty()) {
      tenant.ensureOpen();
      return Map.of();
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
