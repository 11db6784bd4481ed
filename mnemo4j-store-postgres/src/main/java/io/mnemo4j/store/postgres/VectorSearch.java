package io.mnemo4j.store.postgres;

import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.internal.store.ModelDimensions;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.store.postgres.SqlFilter.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * Pre-filtered nearest neighbours in one tenant's schema. The HNSW index of the model is scanned
 * with pgvector's iterative scan in strict order: when the filters reject the nearest rows, the
 * scan goes on through the graph (up to {@code hnsw.max_scan_tuples}) instead of returning a short
 * top-k, so the filters restrict the candidates rather than prune a fixed top-k. If it still
 * returns fewer than {@code k} rows (a very selective filter, or a tenant with fewer than k rows),
 * the same query runs exactly (a sequential or B-tree scan of the candidates, sorted by distance),
 * which then returns every match. When the scope leaves fewer than {@link #EXACT_BELOW} rows of the
 * model (a bounded count on B-tree indexes), the index is skipped: exact search is cheaper there
 * and never approximate. A tenant found to hold fewer than that many vectors of the model in all
 * ({@link VectorIndexes#exactEverywhere}) has no index to walk: its searches are exact without
 * counting the scope first.
 *
 * <p>Measured on 100,000 memories of 384 dimensions in one tenant (2 shared cores, 128 MB of shared
 * buffers), k = 10: no filter 2.8 ms p50 (recall@10 1.0 on clustered vectors); a user holding 1% of
 * the rows 5.3 ms (exact, recall 1.0); a metadata filter passing 10% 2.5 ms (recall 0.97); a
 * metadata filter passing 0.1% about 80 ms (the walk visits some 10,000 rows, whose filter no index
 * can serve under row-level security). Thread-safe.
 */
final class VectorSearch {
  /** Below this many candidate rows per model, vector search is exact. */
  static final int EXACT_BELOW = 2_000;

  /** HNSW indexes hold at most 2,000 dimensions of {@code vector}; larger models search exactly. */
  static final int MAX_HNSW_DIMENSIONS = 2_000;

  /**
   * Smallest HNSW candidate list ({@code hnsw.ef_search}; pgvector's default is 40). Measured on
   * 100,000 memories, k = 10: 40 gives recall@10 0.73 at 0.60 ms, 100 gives 0.87 at 0.78 ms, 200
   * gives 0.94 at 1.2 ms; the core asks for 200 candidates, so its searches run at 200 anyway.
   */
  static final int EF_SEARCH = 100;

  /** Tuples an iterative scan visits before giving up (then the exact query runs). */
  static final int MAX_SCAN_TUPLES = 20_000;

  /**
   * How long a scope found to hold at least {@link #EXACT_BELOW} rows of a model is taken to still
   * hold them, so that its searches walk the index without counting first. The bounded count reads
   * up to 2,000 full rows: measured 4-9 ms per search (auto_explain, instrumented) on a user of
   * 100,000 memories, a third of a hybrid search there. Being wrong costs no answer: a scope that
   * shrank meanwhile is searched through the index, whose short answer falls back to the exact
   * query, as any large scope's would.
   */
  static final long LARGE_FOR_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);

  /** Most scopes remembered as large at once; past it the memory starts over. */
  static final int LARGE_SCOPES = 4_096;

  private final TenantContext tenant;
  private final ModelDimensions dimensions;

  /** Knows when the tenant is too small for any search to walk an index. */
  private final VectorIndexes indexes;

  /** Scopes of a model last counted as large, and until when that is trusted ({@code nanoTime}). */
  private final java.util.concurrent.ConcurrentHashMap<LargeScope, Long> largeUntil =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** A model's rows in a scope: what {@link #size} counts. */
  private record LargeScope(String model, ScopeFilter scope) {}

  VectorSearch(TenantContext tenant, ModelDimensions dimensions, VectorIndexes indexes) {
    this.tenant = tenant;
    this.dimensions = dimensions;
    this.indexes = indexes;
  }

  /** Whether the scope held at least {@link #EXACT_BELOW} rows of the model when last counted. */
  private boolean knownLarge(String model, ScopeFilter scope) {
    Long until = largeUntil.get(new LargeScope(model, scope));
    return until != null && System.nanoTime() - until < 0;
  }

  /** Records that a count just found the scope large. */
  private void rememberLarge(String model, ScopeFilter scope) {
    if (largeUntil.size() >= LARGE_SCOPES) {
      largeUntil.clear();
    }
    largeUntil.put(new LargeScope(model, scope), System.nanoTime() + LARGE_FOR_NANOS);
  }

  /**
   * One search: the query vector, of the model's {@code dimension}, among the rows of the model
   * that pass {@code where}, which compiles {@code scope} and the filter.
   */
  private record Query(
      String model, int dimension, float[] vector, ScopeFilter scope, Sql where, int k) {
    /** The rows of the model with a vector that pass the filters, as a FROM ... WHERE clause. */
    String candidates(TenantSql sql) {
      return " FROM "
          + sql.memories
          + " WHERE embedding_model = "
          + Names.literal(model)
          + " AND embedding IS NOT NULL AND "
          + where.text();
    }
  }

  /** The {@code k} nearest memories of {@code model} passing both filters, best first. */
  List<ScoredId> search(String model, float[] query, ScopeFilter scope, FilterExpr filter, int k) {
    Sql where = tenant.filters().compile(scope, filter);
    if (where.isFalse()) {
      tenant.ensureOpen();
      return List.of();
    }
    OptionalInt known = dimensions.of(model);
    if (known.isPresent() && known.getAsInt() <= MAX_HNSW_DIMENSIONS && knownLarge(model, scope)) {
      // The common search of a large scope: the tenant's settings, the scan's and the walk in one
      // round trip. A short walk (the scope shrank, or the filter rejects most of it) is redone
      // exactly, as below.
      ModelDimensions.checkQuery(model, known.getAsInt(), query);
      Query q = new Query(model, known.getAsInt(), query, scope, where, k);
      List<ScoredId> hits =
          tenant.readOnce(
              "vectorSearch",
              "SELECT " + SCAN_SETTINGS + ";\n" + walk(q),
              2,
              true,
              (ps, i) -> bindNearest(ps, bindScanSettings(ps, i, k), q),
              VectorSearch::hits);
      if (hits.size() >= k) {
        return hits;
      }
      return tenant.read("vectorSearch", c -> exact(c, q));
    }
    return tenant.read(
        "vectorSearch",
        c -> {
          OptionalInt dimension = dimension(c, model);
          if (dimension.isEmpty()) {
            return List.of(); // no process has stored a vector of the model in this tenant
          }
          ModelDimensions.checkQuery(model, dimension.getAsInt(), query);
          Query q = new Query(model, dimension.getAsInt(), query, scope, where, k);
          if (q.dimension() <= MAX_HNSW_DIMENSIONS
              && !indexes.exactEverywhere(model, q.dimension())) {
            boolean large = knownLarge(model, scope);
            Size size = large ? new Size(false, false) : size(c, q);
            if (!size.few()) {
              if (!large) {
                rememberLarge(model, scope);
              }
              List<ScoredId> hits = throughIndex(c, q, size.configured());
              if (hits.size() >= k) {
                return hits;
              }
            }
          }
          return exact(c, q);
        });
  }

  /**
   * For each of {@code queries}, what {@link #search} answers for it with the same model, filters
   * and {@code k}, on {@code c} (a read transaction set for the tenant, or that {@code ahead}
   * sets). When the scope is small, one statement answers every query exactly; otherwise each walks
   * the index in turn, on the same connection and in the same transaction. {@code ahead}, when
   * given, is run in the same round trip as the first statement (or alone first, when there is none
   * to travel with). A positive {@code minScore} lets the exact statement drop, before ranking,
   * rows too far from every query: a query's list may then lack hits scoring below it (the caller
   * trims the rest).
   */
  List<List<ScoredId>> searchEach(
      Connection c,
      String model,
      List<float[]> queries,
      ScopeFilter scope,
      Sql where,
      int k,
      double minScore,
      @Nullable Ahead ahead)
      throws SQLException {
    List<List<ScoredId>> out = new ArrayList<>(queries.size());
    if (ahead != null && !where.isFalse() && dimensions.of(model).isEmpty()) {
      // The model's dimension is read first, and may need what ahead sets (a scope lock's tenant).
      ahead.runAlone(c);
      ahead = null;
    }
    OptionalInt dimension = where.isFalse() ? OptionalInt.empty() : dimension(c, model);
    if (dimension.isEmpty()) {
      if (ahead != null) {
        ahead.runAlone(c);
      }
      for (int i = 0; i < queries.size(); i++) {
        out.add(List.of());
      }
      return out;
    }
    int d = dimension.getAsInt();
    for (float[] query : queries) {
      ModelDimensions.checkQuery(model, d, query);
    }
    Query shape = new Query(model, d, new float[0], scope, where, k);
    if (d > MAX_HNSW_DIMENSIONS || indexes.exactEverywhere(model, d)) {
      return exactEach(c, shape, queries, false, minScore, ahead).orElseThrow();
    }
    boolean configured = false;
    if (knownLarge(model, scope)) {
      if (ahead != null) {
        ahead.runAlone(c);
      }
    } else if (!(scope instanceof ScopeFilter.Everything)) {
      // The count and the exact search in one statement: one round trip in the common case.
      Optional<List<List<ScoredId>>> small = exactEach(c, shape, queries, true, minScore, ahead);
      if (small.isPresent()) {
        return small.get();
      }
      rememberLarge(model, scope);
    } else {
      if (ahead != null) {
        ahead.runAlone(c);
      }
      Size size = size(c, shape);
      if (size.few()) {
        return exactEach(c, shape, queries, false, minScore, null).orElseThrow();
      }
      rememberLarge(model, scope);
      configured = size.configured();
    }
    for (float[] query : queries) {
      Query q = new Query(model, d, query, scope, where, k);
      List<ScoredId> hits = throughIndex(c, q, configured);
      configured = true; // the settings last until the transaction ends
      out.add(hits.size() >= k ? hits : exact(c, q));
    }
    return out;
  }

  /**
   * {@link #exact} for several query vectors in one statement. One pass over the candidates
   * computes every query's distance to each row into an array, kept in a materialized CTE of small
   * rows (id and distances); each query then takes its {@code k} nearest from there. The distance
   * and its order are {@link #exact}'s, so each query gets the same rows with the same scores.
   * Measured in {@code psql}, 10 queries over 2,000 memory rows of 384 dimensions, quiet: 5.9 ms
   * against 18.4 ms for the earlier form, a CTE of the candidates' vectors scanned once per query
   * (the 20,000 distances themselves take about 2.7 ms with the scan; passing each wide row to
   * every query's scan and sort took the rest). With {@code ifFew} the statement first makes {@link
   * #size}'s bounded count and reads the candidates only below {@link #EXACT_BELOW}, answering
   * empty otherwise (the caller then walks the index): one round trip instead of two for the scope
   * of an add. {@code ahead}, if any, goes in front of it in the same round trip, its result sets
   * read first.
   *
   * <p>With a positive {@code minScore}, only rows within its distance of some query stay in the
   * CTE, and each query ranks only the rows within it of itself: the k nearest of those are the
   * nearest of the full answer that score at least {@code minScore}, plus perhaps rows a rounding
   * error below it. An add asks so (its duplicate threshold): in a growing conversation most rows
   * are far from every new message, and the ranking (ten scans of the CTE, each sorting it) cost
   * more than the distances. {@code psql}, 10 queries over 1,199 rows: 5.4 ms, 2.8 ms of it the
   * ranking.
   */
  private Optional<List<List<ScoredId>>> exactEach(
      Connection c,
      Query shape,
      List<float[]> queries,
      boolean ifFew,
      double minScore,
      @Nullable Ahead ahead)
      throws SQLException {
    List<List<ScoredId>> out = new ArrayList<>(queries.size());
    for (int i = 0; i < queries.size(); i++) {
      out.add(new ArrayList<>());
    }
    if (queries.isEmpty()) {
      if (ahead != null) {
        ahead.runAlone(c);
      }
      return Optional.of(out);
    }
    Sql scope = SqlFilter.scope(shape.scope());
    // With ifFew, the candidates are read only when size would call them few: the bounded count
    // is an init plan, and every row carries it (a LEFT JOIN keeps one row per query vector).
    String count =
        "SELECT count(*) AS n FROM (SELECT 1 FROM "
            + tenant.sql().memories
            + " WHERE embedding_model = ? AND "
            + scope.text()
            + " LIMIT "
            + EXACT_BELOW
            + ") x";
    // A NaN distance (a zero vector) fails every comparison, as its score of 0 fails the floor.
    boolean near = minScore > 0;
    double maxDistance = 1.0 - minScore + 1e-9;
    String distances =
        String.join(
            ", ",
            java.util.Collections.nCopies(queries.size(), "embedding <=> " + Rows.VECTOR_PARAM));
    try (PreparedStatement ps =
        c.prepareStatement(
            (ahead == null ? "" : ahead.sql() + ";\n")
                + (ifFew ? "WITH n AS MATERIALIZED (" + count + "), " : "WITH ")
                + "d AS MATERIALIZED ("
                // OFFSET 0 keeps the subquery whole: pulled up, its array would be computed
                // twice, for the filter and for the output.
                + (near ? "SELECT id, ds FROM (" : "")
                + "SELECT id, ARRAY["
                + distances
                + "] AS ds"
                + shape.candidates(tenant.sql())
                + (ifFew ? " AND (SELECT n FROM n) < " + EXACT_BELOW : "")
                + (near ? " OFFSET 0) s WHERE ? >= ANY (ds)" : "")
                + ") SELECT p.i, x.id, x.distance"
                + (ifFew ? ", (SELECT n FROM n)" : "")
                + " FROM generate_series(1, "
                + queries.size()
                + ") AS p(i) "
                + (ifFew ? "LEFT JOIN" : "CROSS JOIN")
                + " LATERAL (SELECT id, ds[p.i] AS distance FROM d"
                + (near ? " WHERE ds[p.i] <= ?" : "")
                + " ORDER BY distance, id LIMIT ?) x"
                + (ifFew ? " ON true" : "")
                + " ORDER BY p.i, x.distance, x.id")) {
      int i = ahead == null ? 1 : ahead.bind(ps, 1);
      if (ifFew) {
        ps.setString(i++, shape.model());
        i = scope.bind(ps, i);
      }
      for (float[] query : queries) {
        Rows.bindVector(ps, i++, query);
      }
      i = shape.where().bind(ps, i);
      if (near) {
        ps.setDouble(i++, maxDistance);
        ps.setDouble(i++, maxDistance);
      }
      ps.setInt(i, shape.k());
      ps.execute();
      if (ahead != null) {
        ahead.readFrom(ps);
      }
      try (ResultSet rs = ps.getResultSet()) {
        while (rs.next()) {
          if (ifFew && rs.getLong(4) >= EXACT_BELOW) {
            return Optional.empty();
          }
          String id = rs.getString(2);
          if (id == null) {
            continue; // ifFew's LEFT JOIN: no candidate for this query vector
          }
          double distance = rs.getDouble(3);
          out.get(rs.getInt(1) - 1)
              .add(new ScoredId(id, Double.isNaN(distance) ? 0.0 : 1.0 - distance));
        }
      }
    }
    return Optional.of(out);
  }

  /** The model's dimension: known here, or recorded by another process that introduced it. */
  private OptionalInt dimension(Connection c, String model) throws SQLException {
    OptionalInt known = dimensions.of(model);
    if (known.isPresent()) {
      return known;
    }
    OptionalInt recorded = tenant.recordedDimension(c, model);
    recorded.ifPresent(d -> dimensions.record(model, d));
    return recorded;
  }

  /** The settings of an iterative index scan for {@code k} results, binding two parameters. */
  private static final String SCAN_SETTINGS =
      "set_config('hnsw.iterative_scan', 'strict_order', true),"
          + " set_config('hnsw.ef_search', ?, true), set_config('hnsw.max_scan_tuples', ?, true)";

  /** Binds {@link #SCAN_SETTINGS} at {@code from}; returns the next index. */
  private static int bindScanSettings(PreparedStatement ps, int from, int k) throws SQLException {
    ps.setString(from, Integer.toString(Math.clamp(k, EF_SEARCH, 1000)));
    ps.setString(from + 1, Integer.toString(MAX_SCAN_TUPLES));
    return from + 2;
  }

  /**
   * Walks the model's HNSW index with an iterative scan ({@link #walk}). {@code configured}: this
   * transaction already applied the scan's settings for {@code q.k()}; if not, they are applied in
   * front of the walk, in the same round trip.
   */
  private List<ScoredId> throughIndex(Connection c, Query q, boolean configured)
      throws SQLException {
    return nearest(c, walk(q), q, !configured);
  }

  /**
   * The walk of the model's HNSW index: the cast and the model predicate repeat the partial index's
   * expression and predicate, which is what lets the planner use it. Bound by {@link #bindNearest}.
   */
  private String walk(Query q) {
    return "SELECT id, embedding::vector("
        + q.dimension()
        + ") <=> "
        + Rows.vectorParam(q.dimension())
        + " AS distance"
        + q.candidates(tenant.sql())
        + " ORDER BY distance LIMIT ?";
  }

  /**
   * Sorts every candidate by distance: the expression differs from the index's, so none is used.
   */
  private List<ScoredId> exact(Connection c, Query q) throws SQLException {
    return nearest(
        c,
        "SELECT id, embedding <=> "
            + Rows.VECTOR_PARAM
            + " AS distance"
            + q.candidates(tenant.sql())
            + " ORDER BY distance, id LIMIT ?",
        q);
  }

  /**
   * What {@link #size} found.
   *
   * @param few whether the scope leaves fewer than {@link #EXACT_BELOW} rows of the model
   * @param configured whether the count also applied the index scan's settings
   */
  private record Size(boolean few, boolean configured) {}

  /**
   * Whether the scope leaves fewer than {@link #EXACT_BELOW} rows of the model, so that exact
   * search (a B-tree scan of the scope, or a small table, sorted by distance) beats walking the
   * graph. Only the scope is counted: its equality conditions use B-tree indexes even under
   * row-level security, so the bounded count costs little either way. The count's statement also
   * applies the settings of an index scan for {@code q.k()} (they change nothing for an exact
   * search), sparing the walk that may follow a round trip.
   */
  private Size size(Connection c, Query q) throws SQLException {
    String memories = tenant.sql().memories;
    if (q.scope() instanceof ScopeFilter.Everything) {
      // The planner's row estimate costs nothing; -1 means never analysed (a new table).
      if (Pg.estimatedRows(c, memories) >= EXACT_BELOW) {
        return new Size(false, false);
      }
    }
    Sql where = SqlFilter.scope(q.scope());
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT (SELECT count(*) FROM (SELECT 1 FROM "
                + memories
                + " WHERE embedding_model = ? AND "
                + where.text()
                + " LIMIT "
                + EXACT_BELOW
                + ") x), "
                + SCAN_SETTINGS)) {
      ps.setString(1, q.model());
      int i = where.bind(ps, 2);
      bindScanSettings(ps, i, q.k());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Size(rs.getLong(1) < EXACT_BELOW, true);
      }
    }
  }

  /** Runs a nearest-neighbour query binding the vector, the filter's values and k. */
  private static List<ScoredId> nearest(Connection c, String query, Query q) throws SQLException {
    return nearest(c, query, q, false);
  }

  /**
   * {@link #nearest(Connection, String, Query)}, with {@code settings}: {@link #SCAN_SETTINGS} for
   * {@code q.k()} applied first, in the same round trip (pgjdbc sends both statements with one
   * Sync, and the server runs them in order in the transaction).
   */
  private static List<ScoredId> nearest(Connection c, String query, Query q, boolean settings)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(settings ? "SELECT " + SCAN_SETTINGS + ";\n" + query : query)) {
      bindNearest(ps, settings ? bindScanSettings(ps, 1, q.k()) : 1, q);
      return Statements.readLast(ps, settings ? 2 : 1, VectorSearch::hits);
    }
  }

  /** Binds a nearest-neighbour query's vector, filter values and k from {@code from} on. */
  private static int bindNearest(PreparedStatement ps, int from, Query q) throws SQLException {
    Rows.bindVector(ps, from, q.vector());
    int i = q.where().bind(ps, from + 1);
    ps.setInt(i, q.k());
    return i + 1;
  }

  /** The hits of a nearest-neighbour query, in its order. */
  private static List<ScoredId> hits(ResultSet rs) throws SQLException {
    List<ScoredId> out = new ArrayList<>();
    while (rs.next()) {
      double distance = rs.getDouble(2);
      // Cosine distance is NaN for a zero vector; it is similar to nothing.
      out.add(new ScoredId(rs.getString(1), Double.isNaN(distance) ? 0.0 : 1.0 - distance));
    }
    return out;
  }
}
