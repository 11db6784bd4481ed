package io.mnemo4j.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.mnemo4j.ConflictException;
import io.mnemo4j.PurgeReceipt;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.internal.store.CatalogStatements;
import io.mnemo4j.spi.ApiKey;
import io.mnemo4j.spi.Catalog;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The control-plane catalog in the schema {@code mnemo_catalog} of one PostgreSQL database: tenants
 * (id, region, shard, creation time), API key hashes and purge receipts; never memory text. The
 * same semantics as the embedded {@code SqliteCatalog}: a taken tenant id, key id or key hash is a
 * {@link ConflictException}; removing a tenant removes its keys and stores its receipt in one
 * transaction. Thread-safe; any number of processes may share it.
 */
public final class PostgresCatalog implements Catalog {
  /** The catalog's schema. */
  public static final String SCHEMA = "mnemo_catalog";

  private static final int SCHEMA_VERSION = 2;

  /** The statements, shared with the SQLite catalog; times are exact epoch nanoseconds. */
  private static final CatalogStatements STATEMENTS =
      new CatalogStatements(
          new CatalogStatements.Tables(
              SCHEMA + ".tenants",
              SCHEMA + ".api_keys",
              SCHEMA + ".receipts",
              SCHEMA + ".settings"),
          Pg.TIMES);

  private static final int POOL_SIZE = 4;

  private final HikariDataSource pool;
  private final String where;
  private volatile boolean closed;

  private PostgresCatalog(HikariDataSource pool, String where) {
    this.pool = pool;
    this.where = where;
  }

  /**
   * Connects (a small pool of its own) and creates the catalog's schema and tables if needed. The
   * options' pool size, prefix and role do not apply to the catalog.
   */
  public static PostgresCatalog open(PostgresOptions options) {
    HikariDataSource pool = Pg.pool(options, "catalog", POOL_SIZE);
    PostgresCatalog catalog =
        new PostgresCatalog(pool, "the catalog at " + PostgresOptions.redactUrl(options.jdbcUrl()));
    try {
      catalog.migrate();
      return catalog;
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  private void migrate() {
    run(
        "create the catalog",
        c -> {
          Pg.advisoryLock(c, Names.lockKey("catalog"));
          Pg.exec(c, "CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
          Pg.exec(
              c, "CREATE TABLE IF NOT EXISTS " + SCHEMA + ".version (version integer NOT NULL)");
          int version = 0;
          try (PreparedStatement ps =
                  c.prepareStatement("SELECT max(version) FROM " + SCHEMA + ".version");
              ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              version = rs.getInt(1);
            }
          }
          if (version > SCHEMA_VERSION) {
            throw new StoreUnavailableException(
                "catalog schema version "
                    + version
                    + " is newer than this build supports ("
                    + SCHEMA_VERSION
                    + ")");
          }
          if (version < 1) {
            // Times are exact epoch nanoseconds: Mnemo compares a tenant's creation time with the
            // one it recorded, to the nanosecond.
            Pg.exec(
                c,
                "CREATE TABLE "
                    + SCHEMA
                    + ".tenants (id text COLLATE \"C\" PRIMARY KEY, region text NOT NULL,"
                    + " shard text NOT NULL, created_at numeric NOT NULL)");
            Pg.exec(
                c,
                "CREATE TABLE "
                    + SCHEMA
                    + ".receipts (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                    + " tenant text NOT NULL, region text NOT NULL, memories bigint NOT NULL,"
                    + " history_rows bigint NOT NULL, messages bigint NOT NULL,"
                    + " files bigint NOT NULL, bytes bigint NOT NULL, purged_at numeric NOT NULL)");
            // Keys are stored as SHA-256 hashes only; tenant NULL marks an admin key.
            Pg.exec(
                c,
                "CREATE TABLE "
                    + SCHEMA
                    + ".api_keys (id text COLLATE \"C\" PRIMARY KEY, hash text NOT NULL UNIQUE,"
                    + " tenant text, user_id text, created_at numeric NOT NULL)");
            Pg.exec(c, "CREATE INDEX api_keys_tenant ON " + SCHEMA + ".api_keys (tenant)");
          }
          if (version < 2) {
            // Settings of the whole data dir, such as the embedding model its vectors come from.
            Pg.exec(
                c,
                "CREATE TABLE "
                    + SCHEMA
                    + ".settings (name text COLLATE \"C\" PRIMARY KEY, value text NOT NULL)");
          }
          if (version < SCHEMA_VERSION) {
            Pg.exec(
                c, "INSERT INTO " + SCHEMA + ".version (version) VALUES (" + SCHEMA_VERSION + ")");
          }
          return null;
        });
  }

  /** The data dir's setting {@code name}, if recorded. */
  @Override
  public Optional<String> setting(String name) {
    return run("read setting " + name, c -> STATEMENTS.setting(c, name));
  }

  /** Records {@code name} unless recorded already (by any process); returns the recorded value. */
  @Override
  public String recordSetting(String name, String value) {
    return run("record setting " + name, c -> STATEMENTS.recordSetting(c, name, value));
  }

  @Override
  public void replaceSetting(String name, String value) {
    run(
        "replace setting " + name,
        c -> {
          STATEMENTS.replaceSetting(c, name, value);
          return null;
        });
  }

  /** Records a new tenant; a taken id is a {@link ConflictException}. */
  @Override
  public TenantInfo create(TenantInfo tenant) {
    run(
        "create tenant " + tenant.id(),
        c -> {
          STATEMENTS.createTenant(c, tenant);
          return null;
        });
    return tenant;
  }

  /** The tenant, if the catalog knows it. */
  @Override
  public Optional<TenantInfo> find(TenantId tenant) {
    return run("find tenant " + tenant, c -> STATEMENTS.tenant(c, tenant));
  }

  /** All tenants ordered by id. */
  @Override
  public List<TenantInfo> list() {
    return run("list tenants", STATEMENTS::tenants);
  }

  /** Deletes the tenant and its keys and inserts the receipt, in one transaction. */
  @Override
  public void remove(TenantId tenant, PurgeReceipt receipt) {
    run(
        "remove tenant " + tenant,
        c -> {
          STATEMENTS.removeTenant(c, tenant, receipt);
          return null;
        });
  }

  /** Switches the tenant's region and the move's phase in one transaction. */
  @Override
  public void switchRegion(io.mnemo4j.TenantMove move) {
    run(
        "switch region of tenant " + move.tenant(),
        c -> {
          STATEMENTS.switchRegion(c, move);
          return null;
        });
  }

  /** Receipts in the order they were recorded. */
  @Override
  public List<PurgeReceipt> receipts() {
    return run("list purge receipts", STATEMENTS::receipts);
  }

  /** Stores the key's hash; a taken id or hash is a {@link ConflictException}. */
  @Override
  public void addKey(ApiKey key) {
    run(
        "add key " + key.id(),
        c -> {
          STATEMENTS.addKey(c, key);
          return null;
        });
  }

  /** The key with this secret hash, if any. */
  @Override
  public Optional<ApiKey> findKeyByHash(String hash) {
    return run("find key", c -> STATEMENTS.keyByHash(c, hash));
  }

  /** The tenant's keys (admin keys for an empty tenant), oldest first. */
  @Override
  public List<ApiKey> keys(Optional<TenantId> tenant) {
    return run("list keys", c -> STATEMENTS.keys(c, tenant));
  }

  /** Deletes the key if it belongs to the tenant (or is an admin key, for an empty tenant). */
  @Override
  public boolean removeKey(Optional<TenantId> tenant, String keyId) {
    return run("remove key " + keyId, c -> STATEMENTS.removeKey(c, tenant, keyId));
  }

  /** Closes the pool; later calls throw {@link StoreUnavailableException}. Idempotent. */
  @Override
  public void close() {
    closed = true;
    pool.close();
  }

  private <T extends @Nullable Object> T run(String what, Pg.Work<T> work) {
    if (closed) {
      throw new StoreUnavailableException(where + " is closed");
    }
    return Pg.inTransaction(pool, what + " in " + where, work);
  }
}
