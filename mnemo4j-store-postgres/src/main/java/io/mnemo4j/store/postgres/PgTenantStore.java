package io.mnemo4j.store.postgres;

import io.mnemo4j.ConflictException;
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
import io.mnemo4j.internal.store.ModelDimensions;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScopeGuard;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
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
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One tenant's schema, reached through the store's pool. Every transaction first sets {@code
 * mnemo.tenant} and switches to the row-level-security role, so the policies are a second wall
 * behind the schema-qualified names. Thread-safe; holds no connection between calls except while a
 * {@link #lockScope} guard is open.
 */
final class PgTenantStore implements TenantStore {
  /**
   * Below this many candidate rows per model, vector search is exact (see {@link #vectorSearch}).
   */
  static final int EXACT_BELOW = 2_000;

  /** HNSW indexes hold at most 2,000 dimensions of {@code vector}; larger models search exactly. */
  static final int MAX_HNSW_DIMENSIONS = 2_000;

  /**
   * Smallest HNSW candidate list ({@code hnsw.ef_search}; pgvector's default is 40). Measured on
   * 100,000 memories, k = 10: 40 gives recall@10 0.73 at 0.60 ms, 100 gives 0.87 at 0.78 ms, 200
   * gives 0.94 at 1.2 ms; the core asks for 200 candidates, so its searches run at 200 anyway.
   */
  static final int EF_SEARCH = 100;

  /**
   * Rows written since the last ANALYZE beyond which the store analyses the table itself (plus a
   * tenth of its size). Autovacuum does this where it runs; where it is off, or right after a bulk
   * load, a never-analysed table is estimated at one row and the planner never picks the HNSW index
   * (measured 2.9 s per query at 100,000 rows).
   */
  static final long ANALYZE_AFTER = 500;

  /** Most matches one pass of full-text search ranks (see {@link #textSearch}). */
  static final int TEXT_CANDIDATES = 5_000;

  /** Tuples an iterative scan visits before giving up (then the exact query runs). */
  static final int MAX_SCAN_TUPLES = 20_000;

  private static final Pattern CURSOR = Pattern.compile("[0-9A-Za-z_-]{1,100}");

  private final PostgresStore store;
  private final TenantSql sql;
  private final SqlFilter filters;
  private final String role;
  private final String searchRole;
  private final String tenantId;

  /**
   * Vector dimension per model, as the tenant's {@code models} table records it (learnt at open, by
   * this store's writes and by searches of models other processes introduced). The checking wrapper
   * knows less: what it saw through this store.
   */
  private final ModelDimensions dimensions;

  private static final System.Logger LOG = System.getLogger(PgTenantStore.class.getName());

  /** Memory rows written since the table was last analysed by this store (or opened). */
  private final java.util.concurrent.atomic.AtomicLong unanalysed =
      new java.util.concurrent.atomic.AtomicLong();

  /** Rows the table held at the last analysis; -1 before the first. */
  private volatile long analysedRows = -1;

  private final java.util.concurrent.atomic.AtomicBoolean analysing =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** The guard this thread holds, whose transaction the thread's next write joins. */
  private final ThreadLocal<Guard> guards = new ThreadLocal<>();

  PgTenantStore(
      PostgresStore store, TenantSql sql, Map<String, Integer> dimensions, long estimatedRows) {
    this.store = store;
    this.sql = sql;
    this.filters = new SqlFilter(sql.q);
    this.role = store.options().rlsRole();
    this.searchRole = store.options().searchRole();
    this.tenantId = sql.tenant.value();
    this.dimensions = new ModelDimensions(dimensions);
    this.analysedRows = estimatedRows < 0 ? -1 : estimatedRows;
  }

  // ------------------------------------------------------------------------------ writes

  @Override
  public void write(WriteBatch batch) {
    ensureOpen();
    Map<String, Integer> newModels = dimensions.check(batch);
    Guard guard = guards.get();
    if (guard != null && guard.joinable()) {
      guard.commitWith(c -> apply(c, batch, newModels));
    } else if (!batch.isEmpty()) {
      Pg.inTransaction(
          store.pool(), "write in tenant '" + tenantId + "'", c -> apply(c, batch, newModels));
    }
    dimensions.record(newModels);
    long puts = batch.changes().stream().filter(ch -> ch instanceof Change.Put).count();
    if (puts > 0) {
      maybeAnalyse(unanalysed.addAndGet(puts));
    }
  }

  /**
   * Analyses the memories table in the background once enough rows changed since the last time (or,
   * on the first write after opening, when it was never analysed), one analysis at a time. Planner
   * statistics are what make the HNSW index usable; a failure only logs.
   */
  private void maybeAnalyse(long changed) {
    long known = analysedRows;
    if (known >= 0 && changed < ANALYZE_AFTER + known / 10) {
      return;
    }
    if (!analysing.compareAndSet(false, true)) {
      return;
    }
    Thread.ofVirtual()
        .name("mnemo-pg-analyse")
        .start(
            () -> {
              try {
                if (!store.isOpen()) {
                  return;
                }
                long before = unanalysed.get();
                long rows =
                    Pg.inTransaction(
                        store.pool(),
                        "analyse tenant '" + tenantId + "'",
                        c -> {
                          long tuples = Pg.estimatedRows(c, sql.memories);
                          // On the first write after opening: analyse only a never-analysed table
                          // (autovacuum, or an earlier process, may have done it).
                          if (analysedRows < 0 && tuples >= 0 && before < ANALYZE_AFTER) {
                            return tuples;
                          }
                          try (java.sql.Statement st = c.createStatement()) {
                            st.execute("ANALYZE " + sql.memories);
                          }
                          return Pg.estimatedRows(c, sql.memories);
                        });
                analysedRows = Math.max(rows, 0);
                unanalysed.addAndGet(-before);
              } catch (RuntimeException e) {
                LOG.log(
                    System.Logger.Level.DEBUG,
                    "tenant {0}: background ANALYZE failed: {1}",
                    tenantId,
                    e.toString());
              } finally {
                analysing.set(false);
              }
            });
  }

  /** Applies the batch on {@code c}, inside its transaction; the caller commits. */
  private Void apply(Connection c, WriteBatch batch, Map<String, Integer> newModels)
      throws SQLException {
    Pg.setTenant(c, tenantId);
    for (Map.Entry<String, Integer> model : newModels.entrySet()) {
      ensureModel(c, model.getKey(), model.getValue());
    }
    Pg.setRole(c, role);
    applyChanges(c, batch.changes());
    upsertAll(c, sql.upsertHistory(), batch.history(), Rows::bindHistory);
    upsertAll(c, sql.upsertMessage(), batch.messages(), Rows::bindMessage);
    try {
      upsertAll(c, sql.upsertEvent(), batch.events(), Rows::bindEvent);
    } catch (SQLException e) {
      if (Pg.violates(e, "events_idempotency_key")) {
        throw new ConflictException("idempotency key already used by another operation");
      }
      throw e;
    }
    return null;
  }

  /** Binds each row to {@code upsert} and runs them as one JDBC batch; nothing for no rows. */
  private static <T> void upsertAll(Connection c, String upsert, List<T> rows, Binder<T> binder)
      throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(upsert)) {
      for (T row : rows) {
        binder.bind(ps, row);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** Sets one row's parameters on a statement. */
  @FunctionalInterface
  private interface Binder<T> {
    void bind(PreparedStatement ps, T row) throws SQLException;
  }

  /** Puts and removes in batch order: consecutive changes of one kind go in one JDBC batch. */
  private void applyChanges(Connection c, List<Change> changes) throws SQLException {
    if (changes.isEmpty()) {
      return;
    }
    try (PreparedStatement put = c.prepareStatement(sql.upsertMemory());
        PreparedStatement remove = c.prepareStatement(sql.deleteMemory())) {
      PreparedStatement pending = null;
      for (Change change : changes) {
        PreparedStatement next =
            switch (change) {
              case Change.Put p -> {
                Rows.bindMemory(c, put, p.memory());
                yield put;
              }
              case Change.Remove r -> {
                remove.setString(1, r.id());
                yield remove;
              }
            };
        if (pending != null && pending != next) {
          pending.executeBatch();
        }
        next.addBatch();
        pending = next;
      }
      pending.executeBatch();
    }
  }

  /**
   * Records a model's dimension and creates its HNSW index the first time the tenant sees it; as
   * the owner (DDL), before the transaction switches role. Two writers introducing one model
   * serialise on the primary key; the loser checks the winner's dimension.
   */
  private void ensureModel(Connection c, String model, int dimension) throws SQLException {
    boolean created;
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + sql.models
                + " (model, dimension) VALUES (?, ?) ON CONFLICT (model) DO NOTHING")) {
      ps.setString(1, model);
      ps.setInt(2, dimension);
      created = ps.executeUpdate() == 1;
    }
    if (created) {
      if (dimension <= MAX_HNSW_DIMENSIONS) {
        Pg.exec(c, sql.createVectorIndex(model, dimension));
        Pg.exec(c, sql.vectorIndexWithoutStatistics(Names.vectorIndex(model)));
      }
      return;
    }
    Integer known = modelDimension(c, model);
    if (known != null && known != dimension) {
      throw ModelDimensions.mismatch(model, known, "(new)", dimension);
    }
  }

  private @Nullable Integer modelDimension(Connection c, String model) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT dimension FROM " + sql.models + " WHERE model = ?")) {
      ps.setString(1, model);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getInt(1) : null;
      }
    }
  }

  // ------------------------------------------------------------------------------ reads

  /** Runs a read in a transaction set for this tenant under the RLS role. */
  private <T> T read(String what, Pg.Work<T> work) {
    ensureOpen();
    return Pg.inTransaction(
        store.pool(),
        what + " in tenant '" + tenantId + "'",
        c -> {
          Pg.enterTenant(c, tenantId, role);
          return work.run(c);
        });
  }

  @Override
  public Map<String, Integer> dimensions() {
    return dimensions.asMap();
  }

  @Override
  public Optional<StoredMemory> get(String id) {
    return read(
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

  @Override
  public List<StoredMemory> getAll(Collection<String> ids) {
    List<String> wanted = List.copyOf(ids);
    if (wanted.isEmpty()) {
      ensureOpen();
      return List.of();
    }
    Map<String, StoredMemory> found =
        read(
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

  @Override
  public Optional<StoredMemory> findByHash(Scope scope, String hash) {
    Sql where = SqlFilter.exactScope(scope);
    return read(
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

  @Override
  public Page<StoredMemory> list(ScopeFilter scope, FilterExpr filter, PageRequest page) {
    String cursor = page.cursor();
    if (cursor != null && !CURSOR.matcher(cursor).matches()) {
      throw new InvalidRequestException("cursor", "cursor is not one this store handed out");
    }
    Sql where = filters.compile(scope, filter);
    if (where.isFalse()) {
      ensureOpen();
      return new Page<>(List.of(), null);
    }
    List<StoredMemory> rows =
        read(
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

  @Override
  public long count(ScopeFilter scope, FilterExpr filter) {
    Sql where = filters.compile(scope, filter);
    if (where.isFalse()) {
      ensureOpen();
      return 0;
    }
    return read(
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

  @Override
  public Page<EntityCount> countByEntity(
      EntityType type, ScopeFilter scope, FilterExpr filter, PageRequest page) {
    String column =
        switch (type) {
          case USER -> "user_id";
          case AGENT -> "agent_id";
          case RUN -> "run_id";
        };
    String cursor = page.cursor();
    Sql where = filters.compile(scope, filter);
    if (where.isFalse()) {
      ensureOpen();
      return new Page<>(List.of(), null);
    }
    // COLLATE "C" orders by UTF-8 bytes, which is code point order: the contract's order, whatever
    // the database's collation.
    List<EntityCount> rows =
        read(
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

  /**
   * Pre-filtered nearest neighbours. The HNSW index of the model is scanned with pgvector's
   * iterative scan in strict order: when the filters reject the nearest rows, the scan goes on
   * through the graph (up to {@code hnsw.max_scan_tuples}) instead of returning a short top-k, so
   * the filters restrict the candidates rather than prune a fixed top-k. If it still returns fewer
   * than {@code k} rows (a very selective filter, or a tenant with fewer than k rows), the same
   * query runs exactly (a sequential or B-tree scan of the candidates, sorted by distance), which
   * then returns every match. When the scope leaves fewer than {@link #EXACT_BELOW} rows of the
   * model (a bounded count on B-tree indexes), the index is skipped: exact search is cheaper there
   * and never approximate.
   *
   * <p>Measured on 100,000 memories of 384 dimensions in one tenant (2 shared cores, 128 MB of
   * shared buffers), k = 10: no filter 2.8 ms p50 (recall@10 1.0 on clustered vectors); a user
   * holding 1% of the rows 5.3 ms (exact, recall 1.0); a metadata filter passing 10% 2.5 ms (recall
   * 0.97); a metadata filter passing 0.1% about 80 ms (the walk visits some 10,000 rows, whose
   * filter no index can serve under row-level security).
   */
  @Override
  public List<ScoredId> vectorSearch(
      String model, float[] query, ScopeFilter scope, FilterExpr filter, int k) {
    Sql where = filters.compile(scope, filter);
    if (where.isFalse()) {
      ensureOpen();
      return List.of();
    }
    String vector = Rows.vector(query);
    return read(
        "vectorSearch",
        c -> {
          OptionalInt known = dimensions.of(model);
          Integer recorded =
              known.isPresent() ? Integer.valueOf(known.getAsInt()) : modelDimension(c, model);
          if (recorded == null) {
            return List.of(); // no process has stored a vector of the model in this tenant
          }
          int dimension = recorded;
          dimensions.record(model, dimension); // another process may have introduced it
          ModelDimensions.checkQuery(model, dimension, query);
          String base =
              " FROM "
                  + sql.memories
                  + " WHERE embedding_model = "
                  + Names.literal(model)
                  + " AND embedding IS NOT NULL AND "
                  + where.text();
          if (dimension <= MAX_HNSW_DIMENSIONS && !fewCandidates(c, model, scope)) {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "SELECT set_config('hnsw.iterative_scan', 'strict_order', true),"
                        + " set_config('hnsw.ef_search', ?, true),"
                        + " set_config('hnsw.max_scan_tuples', ?, true)")) {
              ps.setString(1, Integer.toString(Math.clamp(k, EF_SEARCH, 1000)));
              ps.setString(2, Integer.toString(MAX_SCAN_TUPLES));
              ps.executeQuery().close();
            }
            // The cast and the model predicate repeat the partial index's expression and predicate,
            // which is what lets the planner use it.
            String typed = "::vector(" + dimension + ")";
            List<ScoredId> hits =
                nearest(
                    c,
                    "SELECT id, embedding"
                        + typed
                        + " <=> ?"
                        + typed
                        + " AS distance"
                        + base
                        + " ORDER BY distance LIMIT ?",
                    vector,
                    where,
                    k);
            if (hits.size() >= k) {
              return hits;
            }
          }
          // Exact: the distance expression differs from the index's, so no index order is used.
          return nearest(
              c,
              "SELECT id, embedding <=> ?::vector AS distance"
                  + base
                  + " ORDER BY distance, id LIMIT ?",
              vector,
              where,
              k);
        });
  }

  /**
   * Whether the scope leaves fewer than {@link #EXACT_BELOW} rows of the model, so that exact
   * search (a B-tree scan of the scope, or a small table, sorted by distance) beats walking the
   * graph. Only the scope is counted: its equality conditions use B-tree indexes even under
   * row-level security, so the bounded count costs little either way.
   */
  private boolean fewCandidates(Connection c, String model, ScopeFilter scope) throws SQLException {
    if (scope instanceof ScopeFilter.Everything) {
      // The planner's row estimate costs nothing; -1 means never analysed (a new table).
      if (Pg.estimatedRows(c, sql.memories) >= EXACT_BELOW) {
        return false;
      }
    }
    Sql where = SqlFilter.scope(scope);
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT count(*) FROM (SELECT 1 FROM "
                + sql.memories
                + " WHERE embedding_model = ? AND "
                + where.text()
                + " LIMIT "
                + EXACT_BELOW
                + ") x")) {
      ps.setString(1, model);
      where.bind(ps, 2);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1) < EXACT_BELOW;
      }
    }
  }

  private static List<ScoredId> nearest(Connection c, String query, String vector, Sql where, int k)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(query)) {
      ps.setString(1, vector);
      int i = where.bind(ps, 2);
      ps.setInt(i, k);
      List<ScoredId> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          double distance = rs.getDouble(2);
          // Cosine distance is NaN for a zero vector; it is similar to nothing.
          out.add(new ScoredId(rs.getString(1), Double.isNaN(distance) ? 0.0 : 1.0 - distance));
        }
      }
      return out;
    }
  }

  /**
   * Full-text search: any query term matches (the terms are OR-ed), scored by {@link
   * #scoreExpression}: the share of the query's words the memory holds, its own words (weight A)
   * counting fully and its conversation context (weight D) {@link #CONTEXT_WEIGHT}. Runs as the
   * search role, whose restrictive policy holds the match condition (see {@link TenantSql#create}):
   * the transaction's {@code mnemo.tsquery} carries the query, so the GIN index serves it despite
   * row-level security.
   *
   * <p>Scoring is what costs: a common word can match most of a large tenant (measured 116 ms to
   * rank every match of an OR query at 100,000 memories). So the memories holding every term are
   * scored first (few, and the best); only when they are fewer than {@code k} do the wider passes
   * run, scoring at most {@link #TEXT_CANDIDATES} of their matches each. A score does not depend on
   * the pass that found the memory.
   */
  @Override
  public List<ScoredId> textSearch(String query, ScopeFilter scope, FilterExpr filter, int k) {
    Sql where = filters.compile(scope, filter);
    if (where.isFalse() || query.isBlank()) {
      ensureOpen();
      return List.of();
    }
    ensureOpen();
    return Pg.inTransaction(
        store.pool(),
        "textSearch in tenant '" + tenantId + "'",
        c -> {
          Optional<TextQuery> parsed = parse(c, query);
          if (parsed.isEmpty()) {
            return List.of(); // only stop words
          }
          TextQuery q = parsed.get();
          Map<String, Double> scores = new HashMap<>();
          // A table known to be small is scored whole in one pass: the narrow passes would only add
          // round trips.
          long rows = analysedRows;
          List<String> passes =
              rows >= 0 && rows + unanalysed.get() < TEXT_CANDIDATES
                  ? List.of(q.any())
                  : passes(q.all(), q.any());
          for (String match : passes) {
            rank(c, match, q, where, k, TEXT_CANDIDATES, scores);
            if (scores.size() >= k) {
              break;
            }
          }
          List<ScoredId> out = new ArrayList<>(scores.size());
          scores.forEach((id, score) -> out.add(new ScoredId(id, score)));
          out.sort(
              java.util.Comparator.comparingDouble(ScoredId::score)
                  .reversed()
                  .thenComparing(ScoredId::id));
          return out.size() > k ? List.copyOf(out.subList(0, k)) : out;
        });
  }

  @Override
  public List<ScoredId> textScores(String query, Collection<String> ids) {
    Set<String> wanted = new LinkedHashSet<>(ids);
    if (wanted.isEmpty() || query.isBlank()) {
      ensureOpen();
      return List.of();
    }
    ensureOpen();
    return Pg.inTransaction(
        store.pool(),
        "textScores in tenant '" + tenantId + "'",
        c -> {
          Optional<TextQuery> parsed = parse(c, query);
          if (parsed.isEmpty()) {
            return List.of();
          }
          TextQuery q = parsed.get();
          try (PreparedStatement ps =
              c.prepareStatement("SELECT set_config('mnemo.tsquery', ?, true)")) {
            ps.setString(1, q.any());
            ps.executeQuery().close();
          }
          List<ScoredId> out = new ArrayList<>();
          // The policy shows the search role only rows matching mnemo.tsquery: the others score 0.
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id, "
                      + scoreExpression(q.lexemes().size())
                      + " FROM "
                      + sql.memories
                      + " WHERE id = ANY(?)")) {
            int i = bindLexemes(ps, 1, q);
            ps.setArray(i, c.createArrayOf("text", wanted.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(new ScoredId(rs.getString(1), rs.getDouble(2)));
              }
            }
          }
          return out;
        });
  }

  /** Weight of a query word found only in a memory's conversation context (tsvector label D). */
  static final double CONTEXT_WEIGHT = 0.6;

  /**
   * A query as full-text search uses it. @param all every term ({@code &}) @param any any term
   * ({@code |}) @param lexemes its distinct lexemes, quoted as in a tsquery
   */
  record TextQuery(String all, String any, List<String> lexemes) {}

  private static final Pattern LEXEME = Pattern.compile("'(?:[^']|'')*'");

  /**
   * Parses the query with {@code plainto_tsquery} and sets up the transaction for the search role;
   * empty when the query holds only stop words.
   */
  private Optional<TextQuery> parse(Connection c, String query) throws SQLException {
    String all;
    String any;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT set_config('mnemo.tenant', ?, true), set_config('role', ?, true),"
                + " set_config('plan_cache_mode', 'force_custom_plan', true),"
                + " q::text, replace(q::text, ' & ', ' | ')"
                + " FROM plainto_tsquery('"
                + TenantSql.TEXT_CONFIG
                + "', ?) q")) {
      ps.setString(1, tenantId);
      ps.setString(2, searchRole);
      ps.setString(3, query);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        all = rs.getString(4);
        any = rs.getString(5);
      }
    }
    if (any == null || any.isBlank()) {
      return Optional.empty();
    }
    Set<String> lexemes = new LinkedHashSet<>();
    java.util.regex.Matcher m = LEXEME.matcher(all);
    while (m.find()) {
      lexemes.add(m.group());
    }
    if (lexemes.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new TextQuery(all, any, List.copyOf(lexemes)));
  }

  /**
   * The text score of a row for a query of {@code n} lexemes, in [0, 1]: for each lexeme, 1 when
   * the memory's own text holds it plus {@link #CONTEXT_WEIGHT} when its context does, summed and
   * divided by {@code n × (1 + CONTEXT_WEIGHT)}. It depends on the query and the row only, so it is
   * the same in every pass and every call. Unlike the embedded store's BM25 it weighs every query
   * word alike (PostgreSQL keeps no document frequencies a query could read cheaply); its longer
   * stop-word list drops most of the words that would then weigh too much. Binds two tsqueries per
   * lexeme ({@link #bindLexemes}).
   */
  static String scoreExpression(int n) {
    StringBuilder b = new StringBuilder("((0");
    for (int i = 0; i < n; i++) {
      b.append(" + CASE WHEN tsv @@ ?::tsquery THEN 1 ELSE 0 END + ")
          .append(CONTEXT_WEIGHT)
          .append(" * CASE WHEN tsv @@ ?::tsquery THEN 1 ELSE 0 END");
    }
    return b.append(") / ").append(n * (1 + CONTEXT_WEIGHT)).append(")::float8").toString();
  }

  /** Binds {@link #scoreExpression}'s parameters from {@code from}; returns the next index. */
  private static int bindLexemes(PreparedStatement ps, int from, TextQuery q) throws SQLException {
    int i = from;
    for (String lexeme : q.lexemes()) {
      ps.setString(i++, lexeme + ":A");
      ps.setString(i++, lexeme + ":D");
    }
    return i;
  }

  /**
   * The match queries of full-text search, narrowest first: every term, then any two terms (for
   * three or more terms; of the first eight), then any term. Measured on 100,000 memories for a
   * four-term question: 63, 391 and 8,717 matches; ranking the 8,717 took 28 ms.
   */
  static List<String> passes(String all, String any) {
    if (all.equals(any)) {
      return List.of(any);
    }
    List<String> terms = List.of(all.split(" & "));
    List<String> out = new ArrayList<>(List.of(all));
    if (terms.size() >= 3) {
      List<String> first = terms.subList(0, Math.min(8, terms.size()));
      StringBuilder pairs = new StringBuilder();
      for (int i = 0; i < first.size(); i++) {
        for (int j = i + 1; j < first.size(); j++) {
          if (!pairs.isEmpty()) {
            pairs.append(" | ");
          }
          pairs.append('(').append(first.get(i)).append(" & ").append(first.get(j)).append(')');
        }
      }
      out.add(pairs.toString());
    }
    out.add(any);
    return out;
  }

  /**
   * Scores the memories matching {@code matchQuery} (the policy's condition), at most {@code
   * candidates} of them, keeping the best {@code k} in {@code scores}.
   */
  private void rank(
      Connection c,
      String matchQuery,
      TextQuery q,
      Sql where,
      int k,
      int candidates,
      Map<String, Double> scores)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT set_config('mnemo.tsquery', ?, true)")) {
      ps.setString(1, matchQuery);
      ps.executeQuery().close();
    }
    String matches =
        "SELECT id, tsv FROM " + sql.memories + " WHERE " + where.text() + " LIMIT " + candidates;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, "
                + scoreExpression(q.lexemes().size())
                + " AS score FROM ("
                + matches
                + ") m ORDER BY score DESC, id LIMIT ?")) {
      int i = bindLexemes(ps, 1, q);
      i = where.bind(ps, i);
      ps.setInt(i, k);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          scores.putIfAbsent(rs.getString(1), rs.getDouble(2));
        }
      }
    }
  }

  @Override
  public List<HistoryEntry> history(String memoryId) {
    return read(
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

  // ------------------------------------------------------------------------------ events

  @Override
  public Optional<StoredEvent> event(String id) {
    return oneEvent("event", "id", id);
  }

  @Override
  public Optional<StoredEvent> eventByIdempotencyKey(String key) {
    return oneEvent("eventByIdempotencyKey", "idempotency_key", key);
  }

  private Optional<StoredEvent> oneEvent(String what, String column, String value) {
    return read(
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

  @Override
  public List<StoredEvent> events(Set<EventStatus> statuses, int limit) {
    if (statuses.isEmpty()) {
      ensureOpen();
      return List.of();
    }
    List<String> names = statuses.stream().map(EventStatus::name).sorted().toList();
    return read(
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

  // ------------------------------------------------------------------------------ conversations

  @Override
  public List<ConversationMessage> conversation(String conversationId) {
    return read(
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

  /** Deletes the window's rows and inserts the new ones in one transaction, under the wall. */
  @Override
  public void replaceConversation(String conversationId, List<ConversationMessage> messages) {
    ensureOpen();
    Pg.inTransaction(
        store.pool(),
        "replaceConversation in tenant '" + tenantId + "'",
        c -> {
          Pg.enterTenant(c, tenantId, role);
          try (PreparedStatement delete =
              c.prepareStatement(
                  "DELETE FROM " + sql.conversations + " WHERE conversation_id = ?")) {
            delete.setString(1, conversationId);
            delete.executeUpdate();
          }
          if (!messages.isEmpty()) {
            try (PreparedStatement insert =
                c.prepareStatement(
                    "INSERT INTO "
                        + sql.conversations
                        + " (conversation_id, pos, role, text, format, data)"
                        + " VALUES (?, ?, ?, ?, ?, ?)")) {
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
              insert.executeBatch();
            }
          }
          return null;
        });
  }

  /** Ids in byte order ({@code COLLATE "C"}); every window has a row at position 0. */
  @Override
  public Page<String> conversationIds(PageRequest page) {
    String cursor = page.cursor();
    List<String> ids =
        read(
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

  // ------------------------------------------------------------------------------ scope locks

  /**
   * Takes a pooled connection, begins a transaction and takes a transaction-level advisory lock
   * keyed by tenant and exact scope, which every process sharing the database honours. This
   * thread's next {@link #write} runs in that transaction and commits it, which releases the lock
   * exactly when the write becomes visible; closing the guard ends the transaction if no write did.
   * A thread already holding a guard takes the new lock in the same transaction.
   */
  @Override
  public ScopeGuard lockScope(Scope scope) {
    ensureOpen();
    long key =
        Names.lockKey(
            "scope",
            store.options().schemaPrefix(),
            tenantId,
            scope.userId(),
            scope.agentId(),
            scope.runId());
    Guard held = guards.get();
    if (held != null && held.joinable()) {
      held.lockToo(key);
      return () -> {}; // released with the outer guard's transaction
    }
    Guard guard = store.openGuard(this, key);
    guards.set(guard);
    return guard;
  }

  void forget(Guard guard) {
    if (guards.get() == guard) {
      guards.remove();
    }
  }

  // ------------------------------------------------------------------------------ lifecycle

  /**
   * Nothing to release: the pool belongs to the {@link PostgresStore}, and calls after close are
   * refused by the core's checking wrapper. Idempotent.
   */
  @Override
  public void close() {}

  String tenant() {
    return tenantId;
  }

  /** Refuses calls once the store, and with it the pool, is closed. */
  private void ensureOpen() {
    store.ensureOpen();
  }
}
