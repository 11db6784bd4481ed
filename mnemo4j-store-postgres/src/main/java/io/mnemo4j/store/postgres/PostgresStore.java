package io.mnemo4j.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantId;
import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.spi.PurgeStats;
import io.mnemo4j.spi.TenantStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL store of one region (or shard): one database, one schema per tenant (see the
 * package documentation), reached through a HikariCP pool. Thread-safe; several processes may open
 * stores on one database at once (tenant creation, purge and scope locks use advisory locks).
 *
 * <p>It never closes itself: PostgreSQL failures are reported as retriable {@link
 * StoreUnavailableException}s and the pool reconnects.
 */
public final class PostgresStore implements MemoryStore {
  /** How long {@link #close} waits for background statements that are running. */
  static final Duration BACKGROUND_CLOSE_WAIT = Duration.ofSeconds(10);

  private final PostgresOptions options;
  private final HikariDataSource pool;

  /**
   * Scope guards hold a connection while the core still reads on others: at most half the pool may
   * be held by guards, so the reads of guarded adds always find a connection.
   */
  private final Semaphore guardPermits;

  /**
   * Background statements (text-index flushes, {@link TextIndexFlush}) of all tenants at once take
   * at most a quarter of the pool, so foreground reads and writes always find connections.
   */
  private final int backgroundSlots;

  private final Semaphore backgroundPermits;

  /** Where background work runs: a virtual thread per task, or what a test installs. */
  private volatile Executor background =
      task -> Thread.ofVirtual().name("mnemo-pg-background").start(task);

  private volatile boolean closed;

  private PostgresStore(PostgresOptions options, HikariDataSource pool) {
    this.options = options;
    this.pool = pool;
    this.guardPermits = new Semaphore(Math.max(1, options.poolSize() / 2), true);
    this.backgroundSlots = Math.max(1, options.poolSize() / 4);
    this.backgroundPermits = new Semaphore(backgroundSlots);
  }

  /**
   * Connects, and prepares the database once: the pgvector extension, the row-level-security role
   * and the tenant registry. Fails with a message naming {@code scripts/pgvector.sh} when the
   * server lacks pgvector 0.8 or newer.
   */
  public static PostgresStore open(PostgresOptions options) {
    HikariDataSource pool = Pg.pool(options, "store", options.poolSize());
    try {
      Bootstrap.prepare(pool, options);
      return new PostgresStore(options, pool);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  /** Returns {@code postgres}. */
  @Override
  public String kind() {
    return "postgres";
  }

  /** The options this store was opened with. */
  public PostgresOptions options() {
    return options;
  }

  /**
   * Opens the tenant's schema, creating it (tables, indexes, policies, grants) in one transaction
   * the first time; concurrent first opens, in any process, serialise on an advisory lock.
   */
  @Override
  public TenantStore open(TenantId tenant) {
    ensureOpen();
    String what = "open tenant '" + tenant + "'";
    String schema =
        registered(tenant)
            .orElseGet(
                () ->
                    Pg.inTransaction(
                        pool,
                        what,
                        c -> {
                          Pg.advisoryLock(c, tenantLockKey(tenant));
                          Optional<String> raced = registered(c, tenant);
                          if (raced.isPresent()) {
                            return raced.get();
                          }
                          String name = Names.tenantSchema(options.schemaPrefix(), tenant);
                          for (String ddl :
                              new TenantSql(tenant, name)
                                  .create(options.rlsRole(), options.searchRole())) {
                            Pg.exec(c, ddl);
                          }
                          try (PreparedStatement ps =
                              c.prepareStatement(
                                  "INSERT INTO "
                                      + Names.REGISTRY_SCHEMA
                                      + ".tenants (schema_prefix, tenant_id, schema_name,"
                                      + " schema_version) VALUES (?, ?, ?, ?)")) {
                            ps.setString(1, options.schemaPrefix());
                            ps.setString(2, tenant.value());
                            ps.setString(3, name);
                            ps.setInt(4, TenantSql.SCHEMA_VERSION);
                            ps.executeUpdate();
                          }
                          return name;
                        }));
    TenantSql sql = new TenantSql(tenant, schema);
    migrateIfOlder(tenant, sql);
    long[] rows = {-1};
    Map<String, Integer> dimensions =
        Pg.inTransaction(
            pool,
            what,
            c -> {
              Pg.enterTenant(c, tenant.value(), options.rlsRole());
              Map<String, Integer> out = new HashMap<>();
              try (PreparedStatement ps =
                      c.prepareStatement("SELECT model, dimension FROM " + sql.models);
                  ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                  out.put(rs.getString(1), rs.getInt(2));
                }
              }
              // The planner's row estimate (-1: never analysed) tells the store its size.
              rows[0] = Pg.estimatedRows(c, sql.memories);
              return out;
            });
    return new PostgresTenantStore(this, sql, dimensions, rows[0]);
  }

  /**
   * Brings a tenant schema created by an older build up to {@link TenantSql#SCHEMA_VERSION}, once,
   * under the tenant's advisory lock (so concurrent opens in any process migrate it once); refuses
   * a schema written by a newer build.
   */
  private void migrateIfOlder(TenantId tenant, TenantSql sql) {
    int version = Pg.inTransaction(pool, "open tenant '" + tenant + "'", c -> version(c, tenant));
    if (version == TenantSql.SCHEMA_VERSION) {
      return;
    }
    if (version > TenantSql.SCHEMA_VERSION) {
      throw new StoreUnavailableException(
          "the schema of tenant '"
              + tenant
              + "' has layout version "
              + version
              + "; this build supports up to "
              + TenantSql.SCHEMA_VERSION);
    }
    Pg.inTransaction(
        pool,
        "migrate tenant '" + tenant + "'",
        c -> {
          Pg.advisoryLock(c, tenantLockKey(tenant));
          int now = version(c, tenant);
          if (now < TenantSql.SCHEMA_VERSION) {
            for (String ddl : sql.migrate(now, options.rlsRole(), options.searchRole())) {
              Pg.exec(c, ddl);
            }
            try (PreparedStatement ps =
                c.prepareStatement(
                    "UPDATE "
                        + Names.REGISTRY_SCHEMA
                        + ".tenants SET schema_version = ? WHERE schema_prefix = ? AND tenant_id = ?")) {
              ps.setInt(1, TenantSql.SCHEMA_VERSION);
              ps.setString(2, options.schemaPrefix());
              ps.setString(3, tenant.value());
              ps.executeUpdate();
            }
          }
          return null;
        });
  }

  /** The layout version the registry records for the tenant's schema; 0 when unregistered. */
  private int version(Connection c, TenantId tenant) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT schema_version FROM "
                + Names.REGISTRY_SCHEMA
                + ".tenants WHERE schema_prefix = ? AND tenant_id = ?")) {
      ps.setString(1, options.schemaPrefix());
      ps.setString(2, tenant.value());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    }
  }

  /** Whether the registry lists the tenant's schema. */
  @Override
  public boolean exists(TenantId tenant) {
    ensureOpen();
    return registered(tenant).isPresent();
  }

  /**
   * Counts the tenant's rows (messages include conversation-window messages) and sizes its
   * relations, then drops its schema (every table, index, function and policy of it) with {@code
   * DROP SCHEMA ... CASCADE} and deletes its registry row, in one transaction: either everything
   * goes or nothing does. Stores of the tenant still open fail afterwards. Files are 0: the
   * database owns them.
   */
  @Override
  public PurgeStats purge(TenantId tenant) {
    ensureOpen();
    return Pg.inTransaction(
        pool,
        "purge tenant '" + tenant + "'",
        c -> {
          Pg.advisoryLock(c, tenantLockKey(tenant));
          Optional<String> schema = registered(c, tenant);
          if (schema.isEmpty()) {
            return new PurgeStats(0, 0, 0, 0, 0);
          }
          TenantSql sql = new TenantSql(tenant, schema.get());
          RowCounts rows = countRows(c, sql);
          Pg.setRole(c, "none"); // back to the owner, for the catalog queries and the DDL
          long bytes = schemaBytes(c, schema.get());
          Pg.exec(c, "DROP SCHEMA " + sql.q + " CASCADE");
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM "
                      + Names.REGISTRY_SCHEMA
                      + ".tenants WHERE schema_prefix = ? AND tenant_id = ?")) {
            ps.setString(1, options.schemaPrefix());
            ps.setString(2, tenant.value());
            ps.executeUpdate();
          }
          return new PurgeStats(rows.memories(), rows.history(), rows.messages(), 0, bytes);
        });
  }

  /**
   * The tenant's memories, history rows and messages (conversation-window messages included), as
   * the tenant under the RLS role, as every read counts them. Not as the owner: FORCE ROW LEVEL
   * SECURITY binds it too, and being a member of the search role (to switch to it) subjects it to
   * the text-match policy as well, which would hide every row.
   */
  private RowCounts countRows(Connection c, TenantSql sql) throws SQLException {
    // A schema an older build created and this one never opened has no windows' table.
    boolean windows = version(c, sql.tenant) >= 2;
    Pg.enterTenant(c, sql.tenant.value(), options.rlsRole());
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT (SELECT count(*) FROM "
                    + sql.memories
                    + "), (SELECT count(*) FROM "
                    + sql.history
                    + "), (SELECT count(*) FROM "
                    + sql.messages
                    + ") + "
                    + (windows ? "(SELECT count(*) FROM " + sql.conversations + ")" : "0"));
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return new RowCounts(rs.getLong(1), rs.getLong(2), rs.getLong(3));
    }
  }

  /** What a purge reports of a tenant's rows. */
  private record RowCounts(long memories, long history, long messages) {}

  /** The bytes of the schema's relations: tables with their indexes and TOAST, and sequences. */
  private static long schemaBytes(Connection c, String schema) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'm', 'S')")) {
      ps.setString(1, schema);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * Closes the pool; later calls throw {@link StoreUnavailableException}. Background statements
   * still running get up to {@link #BACKGROUND_CLOSE_WAIT} to finish first. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    try {
      if (backgroundPermits.tryAcquire(
          backgroundSlots, BACKGROUND_CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        backgroundPermits.release(backgroundSlots);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pool.close();
  }

  // ------------------------------------------------------------------------------ package-private

  HikariDataSource pool() {
    return pool;
  }

  /** Hands {@code task} to the store's background executor. */
  void background(Runnable task) {
    background.execute(task);
  }

  /** Makes background tasks run on {@code executor} instead of virtual threads; for tests. */
  void runBackgroundWith(Executor executor) {
    this.background = executor;
  }

  /**
   * Runs {@code work} holding one of the background slots, waiting for one; does nothing, and
   * returns null, once the store is closing.
   */
  <T extends @Nullable Object> @Nullable T withBackgroundPermit(Supplier<T> work) {
    try {
      backgroundPermits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
    try {
      return closed ? null : work.get();
    } finally {
      backgroundPermits.release();
    }
  }

  /** Whether the store (and its pool) is still open. */
  boolean isOpen() {
    return !closed;
  }

  void ensureOpen() {
    if (closed) {
      throw new StoreUnavailableException(
          "the PostgreSQL store at " + PostgresOptions.redactUrl(options.jdbcUrl()) + " is closed");
    }
  }

  /** The schema of a tenant, as the registry records it. */
  Optional<String> registered(TenantId tenant) {
    return Pg.inTransaction(pool, "look up tenant '" + tenant + "'", c -> registered(c, tenant));
  }

  private Optional<String> registered(Connection c, TenantId tenant) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT schema_name FROM "
                + Names.REGISTRY_SCHEMA
                + ".tenants WHERE schema_prefix = ? AND tenant_id = ?")) {
      ps.setString(1, options.schemaPrefix());
      ps.setString(2, tenant.value());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  private long tenantLockKey(TenantId tenant) {
    return Names.lockKey("tenant", options.schemaPrefix(), tenant.value());
  }

  /**
   * A guard on a pooled connection, whose transaction takes the advisory lock and enters the tenant
   * under the row-level-security role with its first statement (see {@link
   * PostgresTenantStore#lockScope}).
   */
  Guard openGuard(PostgresTenantStore tenant, long key) {
    ensureOpen();
    try {
      if (!guardPermits.tryAcquire(options.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        throw new StoreUnavailableException(
            "no connection free for a scope lock in tenant '"
                + tenant.tenant()
                + "' within "
                + options.connectTimeout());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while waiting for a scope lock", e);
    }
    try {
      return new Guard(tenant, pool.getConnection(), guardPermits, key, options.rlsRole());
    } catch (SQLException | RuntimeException e) {
      guardPermits.release();
      throw e instanceof SQLException s
          ? Pg.translate("lock a scope in tenant '" + tenant.tenant() + "'", s)
          : (RuntimeException) e;
    }
  }
}
