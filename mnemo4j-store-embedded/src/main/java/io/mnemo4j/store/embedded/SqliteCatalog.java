package io.mnemo4j.store.embedded;

import io.mnemo4j.ConflictException;
import io.mnemo4j.PurgeReceipt;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.internal.store.CatalogStatements;
import io.mnemo4j.spi.ApiKey;
import io.mnemo4j.spi.Catalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The control-plane catalog in one SQLite file: tenants (with region and shard), API key hashes and
 * purge receipts; never memory text. Thread-safe; several processes may share the file (WAL
 * journal, busy timeout, IMMEDIATE write transactions).
 */
public final class SqliteCatalog implements Catalog {
  // Bump with a migration step in migrate() when adding tables.
  private static final int SCHEMA_VERSION = 4;

  /** The statements, shared with the PostgreSQL catalog; times are ISO-8601 text. */
  private static final CatalogStatements STATEMENTS =
      new CatalogStatements(
          new CatalogStatements.Tables("tenants", "api_keys", "purge_receipts", "settings"),
          Sqlite.TIMES);

  private final Path file;
  private final ReentrantLock lock = new ReentrantLock();
  private final Connection connection;
  private boolean closed;

  private SqliteCatalog(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
  }

  /**
   * Opens the catalog at {@code file}, creating the file, its parent directories and its tables if
   * needed.
   */
  public static SqliteCatalog open(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new StoreUnavailableException("cannot create the catalog directory for " + file, e);
    }
    Connection connection = null;
    try {
      connection = Sqlite.open(file, true);
      migrate(connection);
      return new SqliteCatalog(file, connection);
    } catch (SQLException e) {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw new StoreUnavailableException("cannot open the catalog " + file, e);
    }
  }

  private static void migrate(Connection connection) throws SQLException {
    connection.setAutoCommit(false);
    try {
      int version;
      try (PreparedStatement ps = connection.prepareStatement("PRAGMA user_version");
          ResultSet rs = ps.executeQuery()) {
        version = rs.next() ? rs.getInt(1) : 0;
      }
      if (version > SCHEMA_VERSION) {
        throw new SQLException(
            "catalog schema version "
                + version
                + " is newer than this build supports ("
                + SCHEMA_VERSION
                + ")");
      }
      if (version < 1) {
        Sqlite.exec(
            connection,
            "CREATE TABLE IF NOT EXISTS tenants ("
                + "id TEXT PRIMARY KEY, region TEXT NOT NULL, created_at TEXT NOT NULL)");
        Sqlite.exec(
            connection,
            "CREATE TABLE IF NOT EXISTS purge_receipts ("
                + "seq INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, region TEXT NOT NULL, "
                + "memories INTEGER NOT NULL, history_rows INTEGER NOT NULL, messages INTEGER NOT NULL, "
                + "files INTEGER NOT NULL, bytes INTEGER NOT NULL, purged_at TEXT NOT NULL)");
      }
      if (version < 2) {
        // Keys are stored as SHA-256 hashes only; tenant NULL marks an admin key.
        Sqlite.exec(
            connection,
            "CREATE TABLE IF NOT EXISTS api_keys ("
                + "id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, tenant TEXT, user_id TEXT, created_at TEXT NOT NULL)");
        Sqlite.exec(connection, "CREATE INDEX IF NOT EXISTS api_keys_tenant ON api_keys(tenant)");
      }
      if (version < 3) {
        // Tenants created before shards existed live in their region's only store.
        Sqlite.exec(
            connection,
            "ALTER TABLE tenants ADD COLUMN shard TEXT NOT NULL DEFAULT '"
                + TenantInfo.DEFAULT_SHARD
                + "'");
      }
      if (version < 4) {
        // Settings of the whole data dir, such as the embedding model its vectors come from.
        Sqlite.exec(
            connection,
            "CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)");
      }
      if (version < SCHEMA_VERSION) {
        Sqlite.exec(connection, "PRAGMA user_version = " + SCHEMA_VERSION);
      }
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  /** Records a new tenant; a taken id is a {@link ConflictException}. */
  @Override
  public TenantInfo create(TenantInfo tenant) {
    locked(
        "create tenant " + tenant.id(),
        () -> {
          STATEMENTS.createTenant(connection, tenant);
          return null;
        });
    return tenant;
  }

  /** The tenant, if the catalog knows it. */
  @Override
  public Optional<TenantInfo> find(TenantId tenant) {
    return locked("find tenant " + tenant, () -> STATEMENTS.tenant(connection, tenant));
  }

  /** The data dir's setting {@code name}, if recorded. */
  @Override
  public Optional<String> setting(String name) {
    return locked("read setting " + name, () -> STATEMENTS.setting(connection, name));
  }

  /** Records {@code name} unless recorded already (by any process); returns the recorded value. */
  @Override
  public String recordSetting(String name, String value) {
    return locked(
        "record setting " + name, () -> STATEMENTS.recordSetting(connection, name, value));
  }

  @Override
  public void replaceSetting(String name, String value) {
    locked(
        "replace setting " + name,
        () -> {
          STATEMENTS.replaceSetting(connection, name, value);
          return null;
        });
  }

  /** All tenants ordered by id. */
  @Override
  public List<TenantInfo> list() {
    return locked("list tenants", () -> STATEMENTS.tenants(connection));
  }

  /** Deletes the tenant row and its keys and inserts the receipt in one transaction. */
  @Override
  public void remove(TenantId tenant, PurgeReceipt receipt) {
    locked(
        "remove tenant " + tenant,
        () -> {
          connection.setAutoCommit(false);
          try {
            STATEMENTS.removeTenant(connection, tenant, receipt);
            connection.commit();
          } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
          } finally {
            connection.setAutoCommit(true);
          }
          return null;
        });
  }

  /** Switches the tenant's region and the move's phase in one transaction. */
  @Override
  public void switchRegion(io.mnemo4j.TenantMove move) {
    locked(
        "switch region of tenant " + move.tenant(),
        () -> {
          connection.setAutoCommit(false);
          try {
            STATEMENTS.switchRegion(connection, move);
            connection.commit();
          } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
          } finally {
            connection.setAutoCommit(true);
          }
          return null;
        });
  }

  /** Receipts in the order they were recorded. */
  @Override
  public List<PurgeReceipt> receipts() {
    return locked("list purge receipts", () -> STATEMENTS.receipts(connection));
  }

  /** Stores the key's hash; a taken id or hash is a {@link ConflictException}. */
  @Override
  public void addKey(ApiKey key) {
    locked(
        "add key " + key.id(),
        () -> {
          STATEMENTS.addKey(connection, key);
          return null;
        });
  }

  /** The key with this secret hash, if any. */
  @Override
  public Optional<ApiKey> findKeyByHash(String hash) {
    return locked("find key", () -> STATEMENTS.keyByHash(connection, hash));
  }

  /** The tenant's keys (admin keys for an empty tenant), oldest first. */
  @Override
  public List<ApiKey> keys(Optional<TenantId> tenant) {
    return locked("list keys", () -> STATEMENTS.keys(connection, tenant));
  }

  /** Deletes the key if it belongs to the tenant (or is an admin key, for an empty tenant). */
  @Override
  public boolean removeKey(Optional<TenantId> tenant, String keyId) {
    return locked("remove key " + keyId, () -> STATEMENTS.removeKey(connection, tenant, keyId));
  }

  /** Closes the connection; later calls throw {@link StoreUnavailableException}. Idempotent. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (!closed) {
        closed = true;
        connection.close();
      }
    } catch (SQLException e) {
      throw new StoreUnavailableException("cannot close the catalog " + file, e);
    } finally {
      lock.unlock();
    }
  }

  private <T extends @Nullable Object> T locked(String what, SqlCall<T> call) {
    lock.lock();
    try {
      if (closed) {
        throw new StoreUnavailableException("the catalog " + file + " is closed");
      }
      return call.call();
    } catch (SQLException e) {
      if (Sqlite.isBusy(e)) {
        throw Sqlite.busy(what, e);
      }
      throw new StoreUnavailableException(what + " failed in the catalog " + file, e);
    } finally {
      lock.unlock();
    }
  }

  @FunctionalInterface
  interface SqlCall<T extends @Nullable Object> {
    T call() throws SQLException;
  }
}
