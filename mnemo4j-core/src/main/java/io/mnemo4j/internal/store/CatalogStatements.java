package io.mnemo4j.internal.store;

import io.mnemo4j.ConflictException;
import io.mnemo4j.PurgeReceipt;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.spi.ApiKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The statements of a JDBC catalog ({@link io.mnemo4j.spi.Catalog}), which the SQLite and the
 * PostgreSQL catalogs run alike on their own connections and transactions: tenants, API key hashes,
 * purge receipts and data-directory settings. A catalog keeps its own schema (its migrations) and
 * says where the tables are and how it keeps times. Immutable and thread-safe.
 */
public final class CatalogStatements {
  private static final String TENANT_COLUMNS = "id, region, shard, created_at";
  private static final String KEY_COLUMNS = "id, hash, tenant, user_id, created_at";
  private static final String RECEIPT_COLUMNS =
      "tenant, region, memories, history_rows, messages, files, bytes, purged_at";

  /**
   * Where a catalog's tables are: their names, schema-qualified where the database has schemas.
   *
   * @param tenants tenant id, region, shard and creation time; id is the primary key
   * @param apiKeys key id (primary key), secret hash (unique), tenant (NULL for an admin key), user
   *     and creation time
   * @param receipts purge receipts, in the order of an ascending {@code seq} column
   * @param settings data-directory settings by name (the primary key)
   */
  public record Tables(String tenants, String apiKeys, String receipts, String settings) {}

  private final Tables tables;
  private final TimeColumn times;

  /** The statements of a catalog whose tables are {@code tables}, keeping times as said. */
  public CatalogStatements(Tables tables, TimeColumn times) {
    this.tables = tables;
    this.times = times;
  }

  /** Records a new tenant; throws {@link ConflictException} if the id is taken. */
  public void createTenant(Connection c, TenantInfo tenant) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + tables.tenants()
                + " ("
                + TENANT_COLUMNS
                + ") VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
      ps.setString(1, tenant.id().value());
      ps.setString(2, tenant.region());
      ps.setString(3, tenant.shard());
      times.set(ps, 4, tenant.createdAt());
      if (ps.executeUpdate() == 0) {
        throw new ConflictException("tenant '" + tenant.id() + "' already exists");
      }
    }
  }

  /** The tenant, if recorded. */
  public Optional<TenantInfo> tenant(Connection c, TenantId tenant) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT " + TENANT_COLUMNS + " FROM " + tables.tenants() + " WHERE id = ?")) {
      ps.setString(1, tenant.value());
      return JdbcRows.first(ps, this::tenant);
    }
  }

  /** Every tenant, ordered by id. */
  public List<TenantInfo> tenants(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT " + TENANT_COLUMNS + " FROM " + tables.tenants() + " ORDER BY id")) {
      return JdbcRows.all(ps, this::tenant);
    }
  }

  /**
   * Deletes the tenant and every API key of it and records the receipt of its purge; the caller
   * runs this in one transaction.
   */
  public void removeTenant(Connection c, TenantId tenant, PurgeReceipt receipt)
      throws SQLException {
    for (String delete :
        List.of(
            "DELETE FROM " + tables.tenants() + " WHERE id = ?",
            "DELETE FROM " + tables.apiKeys() + " WHERE tenant = ?")) {
      try (PreparedStatement ps = c.prepareStatement(delete)) {
        ps.setString(1, tenant.value());
        ps.executeUpdate();
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + tables.receipts()
                + " ("
                + RECEIPT_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, receipt.tenant());
      ps.setString(2, receipt.region());
      ps.setLong(3, receipt.memories());
      ps.setLong(4, receipt.historyRows());
      ps.setLong(5, receipt.messages());
      ps.setLong(6, receipt.files());
      ps.setLong(7, receipt.bytes());
      times.set(ps, 8, receipt.purgedAt());
      ps.executeUpdate();
    }
  }

  /** Receipts in the order they were recorded. */
  public List<PurgeReceipt> receipts(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT " + RECEIPT_COLUMNS + " FROM " + tables.receipts() + " ORDER BY seq")) {
      return JdbcRows.all(
          ps,
          rs ->
              new PurgeReceipt(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getLong(3),
                  rs.getLong(4),
                  rs.getLong(5),
                  rs.getLong(6),
                  rs.getLong(7),
                  times.get(rs, 8)));
    }
  }

  /** Records a key (its hash only); throws {@link ConflictException} if its id or hash is taken. */
  public void addKey(Connection c, ApiKey key) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + tables.apiKeys()
                + " ("
                + KEY_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
      ps.setString(1, key.id());
      ps.setString(2, key.hash());
      ps.setString(3, key.tenant() == null ? null : key.tenant().value());
      ps.setString(4, key.userId());
      times.set(ps, 5, key.createdAt());
      if (ps.executeUpdate() == 0) {
        throw new ConflictException("key '" + key.id() + "' already exists");
      }
    }
  }

  /** The key whose secret hashes to {@code hash}, if any. */
  public Optional<ApiKey> keyByHash(Connection c, String hash) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT " + KEY_COLUMNS + " FROM " + tables.apiKeys() + " WHERE hash = ?")) {
      ps.setString(1, hash);
      return JdbcRows.first(ps, this::key);
    }
  }

  /** The keys of a tenant, or the admin keys for an empty tenant, by creation time then id. */
  public List<ApiKey> keys(Connection c, Optional<TenantId> tenant) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + KEY_COLUMNS
                + " FROM "
                + tables.apiKeys()
                + " WHERE "
                + (tenant.isPresent() ? "tenant = ?" : "tenant IS NULL")
                + " ORDER BY created_at, id")) {
      if (tenant.isPresent()) {
        ps.setString(1, tenant.get().value());
      }
      // Sorted again by instant: a store keeping times as ISO text orders ".123Z" after
      // ".123456Z", which is not time order. A tenant holds few keys.
      List<ApiKey> keys = new java.util.ArrayList<>(JdbcRows.all(ps, this::key));
      keys.sort(java.util.Comparator.comparing(ApiKey::createdAt).thenComparing(ApiKey::id));
      return keys;
    }
  }

  /** Deletes the key if it is the tenant's (an admin key, for an empty tenant); false if not. */
  public boolean removeKey(Connection c, Optional<TenantId> tenant, String keyId)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "DELETE FROM "
                + tables.apiKeys()
                + " WHERE id = ? AND "
                + (tenant.isPresent() ? "tenant = ?" : "tenant IS NULL"))) {
      ps.setString(1, keyId);
      if (tenant.isPresent()) {
        ps.setString(2, tenant.get().value());
      }
      return ps.executeUpdate() > 0;
    }
  }

  /** The setting {@code name}, if recorded. */
  public Optional<String> setting(Connection c, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT value FROM " + tables.settings() + " WHERE name = ?")) {
      ps.setString(1, name);
      return JdbcRows.first(ps, rs -> rs.getString(1));
    }
  }

  /**
   * Records {@code name} unless it is recorded already (by any process: the primary key decides a
   * race) and returns the value now recorded.
   */
  public String recordSetting(Connection c, String name, String value) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + tables.settings()
                + " (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
      ps.setString(1, name);
      ps.setString(2, value);
      ps.executeUpdate();
    }
    return setting(c, name).orElseThrow(() -> new SQLException("setting " + name + " vanished"));
  }

  /**
   * Sets {@code name} to {@code value} (an empty value deletes it), in the caller's transaction.
   */
  public void replaceSetting(Connection c, String name, String value) throws SQLException {
    String sql =
        value.isEmpty()
            ? "DELETE FROM " + tables.settings() + " WHERE name = ?"
            : "INSERT INTO "
                + tables.settings()
                + " (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, name);
      if (!value.isEmpty()) {
        ps.setString(2, value);
      }
      ps.executeUpdate();
    }
  }

  /**
   * Points the tenant at the move's target region and shard and records the move as switched, in
   * the caller's transaction; a tenant that is gone is an {@link IllegalStateException}.
   */
  public void switchRegion(Connection c, io.mnemo4j.TenantMove move) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE " + tables.tenants() + " SET region = ?, shard = ? WHERE id = ?")) {
      ps.setString(1, move.to());
      ps.setString(2, move.toShard());
      ps.setString(3, move.tenant().value());
      if (ps.executeUpdate() != 1) {
        throw new IllegalStateException("tenant " + move.tenant() + " vanished during its move");
      }
    }
    replaceSetting(
        c,
        io.mnemo4j.TenantMove.settingName(move.tenant()),
        move.in(io.mnemo4j.TenantMove.Phase.SWITCHED).encode());
  }

  private TenantInfo tenant(ResultSet rs) throws SQLException {
    return new TenantInfo(
        TenantId.of(rs.getString(1)), rs.getString(2), rs.getString(3), times.get(rs, 4));
  }

  private ApiKey key(ResultSet rs) throws SQLException {
    String tenant = rs.getString(3);
    return new ApiKey(
        rs.getString(1),
        rs.getString(2),
        tenant == null ? null : TenantId.of(tenant),
        rs.getString(4),
        times.get(rs, 5));
  }
}
