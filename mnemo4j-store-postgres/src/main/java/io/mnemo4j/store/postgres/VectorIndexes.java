package io.mnemo4j.store.postgres;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds a model's HNSW index once the tenant holds enough of its vectors for searches to use it
 * ({@link VectorSearch#EXACT_BELOW}). Below that, searches are exact and never read the index, yet
 * keeping it cost ten times the rest of an insert (measured: 10 rows into a 2,000-row tenant, 69 ms
 * with the index against 6.2 ms without), which was most of an {@code add} on a new tenant. A
 * search that runs before the index exists is exact (a sequential scan sorted by distance): the
 * same results or better, only slower. Thread-safe.
 */
final class VectorIndexes {
  /** Rows of a model written between two checks of whether its index is due. */
  static final long CHECK_EVERY = 500;

  private static final System.Logger LOG = System.getLogger(VectorIndexes.class.getName());

  private final TenantContext tenant;

  /** Models whose index exists (built here, or found). */
  private final Set<String> indexed = ConcurrentHashMap.newKeySet();

  /** Rows written per model since its last check; absent until the first write. */
  private final Map<String, AtomicLong> sinceCheck = new ConcurrentHashMap<>();

  private final AtomicBoolean checking = new AtomicBoolean();

  /**
   * How long a check's finding that the tenant holds fewer than {@link VectorSearch#EXACT_BELOW}
   * vectors of a model is trusted (with this process's writes since added to it): other processes
   * may write the tenant too. Past it, the next search asks for a new check.
   */
  static final long FEW_FOR_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);

  /** Rows of each model this process committed, ever: what {@link Few} compares against. */
  private final Map<String, AtomicLong> writtenTotal = new ConcurrentHashMap<>();

  /**
   * A check's finding that the tenant held {@code rows} vectors of a model, fewer than {@link
   * VectorSearch#EXACT_BELOW}, with this process's {@link #writtenTotal} at {@code written} when it
   * began and {@code at} its {@code nanoTime}.
   */
  private record Few(long rows, long written, long at) {}

  /** The last check's finding per model, while the model had no index and few rows. */
  private final Map<String, Few> few = new ConcurrentHashMap<>();

  VectorIndexes(TenantContext tenant) {
    this.tenant = tenant;
  }

  /**
   * Whether every search of {@code model} in this tenant is exact anyway, so that a search need not
   * count its scope first: the model has no HNSW index, and the tenant held fewer than {@link
   * VectorSearch#EXACT_BELOW} of its vectors at the last check, within {@link #FEW_FOR_NANOS}, even
   * with every row this process wrote since added. Then no scope can hold more, and the count could
   * only have answered "exact". Being wrong (another process wrote many rows meanwhile) costs no
   * answer: the search is exact, never approximate, only slower. A finding that went stale asks for
   * a new check in the background.
   */
  boolean exactEverywhere(String model, int dimension) {
    Few f = few.get(model);
    if (f == null || indexed.contains(model)) {
      return false;
    }
    if (System.nanoTime() - f.at() > FEW_FOR_NANOS) {
      checkLater(model, dimension);
      return false;
    }
    long since = written(model).get() - f.written();
    return f.rows() + since < VectorSearch.EXACT_BELOW;
  }

  private AtomicLong written(String model) {
    return writtenTotal.computeIfAbsent(model, m -> new AtomicLong());
  }

  /**
   * Counts rows of {@code model} a committed write put; on the first write of the model in this
   * process and then every {@link #CHECK_EVERY} rows, checks in the background whether its index is
   * due, and builds it.
   */
  void written(String model, int dimension, long rows) {
    if (rows <= 0 || dimension > VectorSearch.MAX_HNSW_DIMENSIONS || indexed.contains(model)) {
      return;
    }
    written(model).addAndGet(rows);
    AtomicLong counter = sinceCheck.computeIfAbsent(model, m -> new AtomicLong(CHECK_EVERY));
    if (counter.addAndGet(rows) >= CHECK_EVERY && checkLater(model, dimension)) {
      counter.set(0);
    }
  }

  /**
   * Starts {@link #check} on the store's background executor unless one is running; returns whether
   * it started one.
   */
  private boolean checkLater(String model, int dimension) {
    if (!checking.compareAndSet(false, true)) {
      return false;
    }
    tenant.store().background(() -> check(model, dimension));
    return true;
  }

  /**
   * Builds the index when it does not exist and the tenant holds at least {@link
   * VectorSearch#EXACT_BELOW} vectors of the model. As the schema owner (DDL), with the tenant set
   * (the policies apply to the owner too). {@code CREATE INDEX} blocks writes to the table while it
   * runs (about a second for 2,000 rows on 2 busy cores), never reads. A failure logs a warning;
   * the next check retries.
   */
  private void check(String model, int dimension) {
    String index = Names.vectorIndex(model);
    TenantSql sql = tenant.sql();
    // Read before the count: rows committed from here on are added to its finding, perhaps twice
    // (never missed), so the finding can only overstate the rows.
    long writtenBefore = written(model).get();
    long startedAt = System.nanoTime();
    try {
      if (!tenant.store().isOpen()) {
        return;
      }
      boolean exists =
          Pg.inTransaction(
              tenant.store().pool(),
              "index the vectors of tenant '" + tenant.tenantId() + "'",
              c -> {
                Pg.setTenant(c, tenant.tenantId());
                try (PreparedStatement ps =
                    c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
                  ps.setString(1, sql.q + "." + Names.quote(index));
                  try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                      few.remove(model);
                      return true;
                    }
                  }
                }
                long rows = count(c, model);
                if (rows < VectorSearch.EXACT_BELOW) {
                  few.put(model, new Few(rows, writtenBefore, startedAt));
                  return false;
                }
                few.remove(model);
                Pg.exec(c, sql.createVectorIndex(model, dimension));
                Pg.exec(c, sql.vectorIndexWithoutStatistics(index));
                return true;
              });
      if (exists) {
        indexed.add(model);
      }
    } catch (RuntimeException e) {
      // A warning, not debug: until the index exists every vector search of the tenant is an exact
      // scan, which an operator must hear about. The message is PostgreSQL's about DDL on a table
      // (no memory text); the next check retries.
      LOG.log(
          System.Logger.Level.WARNING,
          "tenant {0}: building the vector index failed, searches stay exact (slower) until a later"
              + " write retries it: {1}",
          tenant.tenantId(),
          e.toString());
    } finally {
      checking.set(false);
    }
  }

  /** The model's rows, counted up to {@link VectorSearch#EXACT_BELOW}. */
  private long count(java.sql.Connection c, String model) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT count(*) FROM (SELECT 1 FROM "
                + tenant.sql().memories
                + " WHERE embedding_model = ? AND embedding IS NOT NULL LIMIT "
                + VectorSearch.EXACT_BELOW
                + ") x")) {
      ps.setString(1, model);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
