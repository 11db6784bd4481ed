package io.mnemo4j.store.embedded;

import io.mnemo4j.ConflictException;
import io.mnemo4j.PurgeReceipt;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.spi.ApiKey;
import io.mnemo4j.spi.Catalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The control-plane catalog in one SQLite file: tenants (with region and shard), API key hashes and
 * purge receipts; never memory text. Thread-safe; several processes may share the file (WAL
 * journal, busy timeout, IMMEDIATE write transactions).
 */
public final class SqliteCatalog implements Catalog {
  // Bump with a migration step in migrate() when adding tables.
  private static final int SCHEMA_VERSION = 4;

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
    return locked(
        "create tenant " + tenant.id(),
        () -> {
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "INSERT INTO tenants(id, region, shard, created_at) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, tenant.id().value());
            ps.setString(2, tenant.region());
            ps.setString(3, tenant.shard());
            ps.setString(4, Sqlite.time(tenant.createdAt()));
            ps.executeUpdate();
          } catch (SQLException e) {
            if (Sqlite.isConstraint(e)) {
              throw new ConflictException("tenant '" + tenant.id() + "' already exists");
            }
            throw e;
          }
          return tenant;
        });
  }

  /** The tenant, if the catalog knows it. */
  @Override
  public Optional<TenantInfo> find(TenantId tenant) {
    return locked(
        "find tenant " + tenant,
        () -> {
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "SELECT id, region, shard, created_at FROM tenants WHERE id = ?")) {
            ps.setString(1, tenant.value());
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(tenant(rs)) : Optional.<TenantInfo>empty();
            }
          }
        });
  }

  /** The data dir's setting {@code name}, if recorded. */
  @Override
  public Optional<String> setting(String name) {
    return locked(
        "read setting " + name,
        () -> {
          try (PreparedStatement ps =
              connection.prepareStatement("SELECT value FROM settings WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
            }
          }
        });
  }

  /** Records {@code name} unless recorded already (by any process); returns the recorded value. */
  @Override
  public String recordSetting(String name, String value) {
    return locked(
        "record setting " + name,
        () -> {
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
            ps.setString(1, name);
            ps.setString(2, value);
            ps.executeUpdate();
          }
          try (PreparedStatement ps =
              connection.prepareStatement("SELECT value FROM settings WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return rs.getString(1);
            }
          }
        });
  }

  /** All tenants ordered by id. */
  @Override
  public List<TenantInfo> list() {
    return locked(
        "list tenants",
        () -> {
          List<TenantInfo> out = new ArrayList<>();
          try (PreparedStatement ps =
                  connection.prepareStatement(
                      "SELECT id, region, shard, created_at FROM tenants ORDER BY id");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(tenant(rs));
            }
          }
          return out;
        });
  }

  /** Deletes the tenant row and inserts the receipt in one transaction. */
  @Override
  public void remove(TenantId tenant, PurgeReceipt receipt) {
    locked(
        "remove tenant " + tenant,
        () -> {
          connection.setAutoCommit(false);
          try {
            try (PreparedStatement ps =
                connection.prepareStatement("DELETE FROM tenants WHERE id = ?")) {
              ps.setString(1, tenant.value());
              ps.executeUpdate();
            }
            try (PreparedStatement ps =
                connection.prepareStatement("DELETE FROM api_keys WHERE tenant = ?")) {
              ps.setString(1, tenant.value());
              ps.executeUpdate();
            }
            try (PreparedStatement ps =
                connection.prepareStatement(
                    "INSERT INTO purge_receipts(tenant, region, "
                        + "memories, history_rows, messages, files, bytes, purged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
              ps.setString(1, receipt.tenant());
              ps.setString(2, receipt.region());
              ps.setLong(3, receipt.memories());
              ps.setLong(4, receipt.historyRows());
              ps.setLong(5, receipt.messages());
              ps.setLong(6, receipt.files());
              ps.setLong(7, receipt.bytes());
              ps.setString(8, Sqlite.time(receipt.purgedAt()));
              ps.executeUpdate();
            }
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
    return locked(
        "list purge receipts",
        () -> {
          List<PurgeReceipt> out = new ArrayList<>();
          try (PreparedStatement ps =
                  connection.prepareStatement(
                      "SELECT tenant, region, memories, history_rows, "
                          + "messages, files, bytes, purged_at FROM purge_receipts ORDER BY seq");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(
                  new PurgeReceipt(
                      rs.getString(1),
                      rs.getString(2),
                      rs.getLong(3),
                      rs.getLong(4),
                      rs.getLong(5),
                      rs.getLong(6),
                      rs.getLong(7),
                      Sqlite.parseTime(rs.getString(8))));
            }
          }
          return out;
        });
  }

  /** Stores the key's hash; a taken id or hash is a {@link ConflictException}. */
  @Override
  public void addKey(ApiKey key) {
    locked(
        "add key " + key.id(),
        () -> {
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "INSERT INTO api_keys(id, hash, tenant, user_id, created_at) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, key.id());
            ps.setString(2, key.hash());
            ps.setString(3, key.tenant() == null ? null : key.tenant().value());
            ps.setString(4, key.userId());
            ps.setString(5, Sqlite.time(key.createdAt()));
            ps.executeUpdate();
          } catch (SQLException e) {
            if (Sqlite.isConstraint(e)) {
              throw new ConflictException("key '" + key.id() + "' already exists");
            }
            throw e;
          }
          return null;
        });
  }

  /** The key with this secret hash, if any. */
  @Override
  public Optional<ApiKey> findKeyByHash(String hash) {
    return locked(
        "find key",
        () -> {
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "SELECT id, hash, tenant, user_id, created_at FROM api_keys WHERE hash = ?")) {
            ps.setString(1, hash);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(key(rs)) : Optional.<ApiKey>empty();
            }
          }
        });
  }

  /** The tenant's keys (admin keys for an empty tenant), oldest first. */
  @Override
  public List<ApiKey> keys(Optional<TenantId> tenant) {
    return locked(
        "list keys",
        () -> {
          List<ApiKey> out = new ArrayList<>();
          String sql =
              "SELECT id, hash, tenant, user_id, created_at FROM api_keys WHERE "
                  + (tenant.isPresent() ? "tenant = ?" : "tenant IS NULL")
                  + " ORDER BY created_at, id";
          try (PreparedStatement ps = connection.prepareStatement(sql)) {
            if (tenant.isPresent()) {
              ps.setString(1, tenant.get().value());
            }
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(key(rs));
              }
            }
          }
          return out;
        });
  }

  /** Deletes the key if it belongs to the tenant (or is an admin key, for an empty tenant). */
  @Override
  public boolean removeKey(Optional<TenantId> tenant, String keyId) {
    return locked(
        "remove key " + keyId,
        () -> {
          String sql =
              "DELETE FROM api_keys WHERE id = ? AND "
                  + (tenant.isPresent() ? "tenant = ?" : "tenant IS NULL");
          try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, keyId);
            if (tenant.isPresent()) {
              ps.setString(2, tenant.get().value());
            }
            return ps.executeUpdate() > 0;
          }
        });
  }

  private static ApiKey key(ResultSet rs) throws SQLException {
    String tenant = rs.getString(3);
    return new ApiKey(
        rs.getString(1),
        rs.getString(2),
        tenant == null ? null : TenantId.of(tenant),
        rs.getString(4),
        Sqlite.parseTime(rs.getString(5)));
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

  private static TenantInfo tenant(ResultSet rs) throws SQLException {
    return new TenantInfo(
        TenantId.of(rs.getString(1)),
        rs.getString(2),
        rs.getString(3),
        Sqlite.parseTime(rs.getString(4)));
  }

  private <T> T locked(String what, SqlCall<T> call) {
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
  interface SqlCall<T> {
    T call() throws SQLException;
  }
}
