package io.mnemo4j.bench;

import io.mnemo4j.Mnemo;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.spi.Backend;
import io.mnemo4j.spi.Catalog;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import io.mnemo4j.store.postgres.PostgresBackend;
import io.mnemo4j.store.postgres.PostgresOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * One backend of the {@code stores} comparison, set up for the run and removed afterwards: the
 * embedded store in a fresh directory under the work directory, or PostgreSQL in a fresh database
 * the bench creates (named {@code mnemo_bench_...}) and drops. Both are reached only through the
 * public {@link Backend} API: region store, catalog and {@link Mnemo}. Not thread-safe.
 */
final class StoreSide implements AutoCloseable {
  /** The region of every tenant of the run. */
  static final String REGION = CorpusWriter.REGION;

  private static final Pattern BENCH_DB = Pattern.compile("mnemo_bench_[a-z0-9_]{1,40}");

  private final String name;
  private final Backend backend;
  private final Path dataDir;
  private final AutoCloseable cleanup;
  private final Footprint footprint;
  private final AutoCloseable analyze;
  private final TenantAnalyze analyzeTenant;

  @FunctionalInterface
  private interface TenantAnalyze {
    void run(String tenant) throws Exception;
  }

  @FunctionalInterface
  private interface Footprint {
    Map<String, Object> measure() throws Exception;
  }

  private StoreSide(
      String name,
      Backend backend,
      Path dataDir,
      AutoCloseable cleanup,
      Footprint footprint,
      AutoCloseable analyze,
      TenantAnalyze analyzeTenant) {
    this.name = name;
    this.backend = backend;
    this.dataDir = dataDir;
    this.cleanup = cleanup;
    this.footprint = footprint;
    this.analyze = analyze;
    this.analyzeTenant = analyzeTenant;
  }

  /** The embedded store in a new directory under {@code workDir}, deleted by {@link #close}. */
  static StoreSide embedded(Path workDir, boolean keep) throws IOException {
    Files.createDirectories(workDir);
    Path dir = Files.createTempDirectory(workDir, "stores-embedded-");
    return new StoreSide(
        "embedded",
        EmbeddedBackend.create(),
        dir,
        () -> {
          if (keep) {
            System.err.println("stores: kept the embedded data in " + dir);
          } else {
            CorpusWriter.deleteTree(dir);
          }
        },
        () -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("disk_mib", BenchMain.mib(CorpusWriter.sizeOf(dir)));
          return m;
        },
        () -> {},
        tenant -> {});
  }

  /**
   * PostgreSQL in the new database {@code database} on the server of {@code serverUrl} ({@code
   * jdbc:postgresql://host:port/}), created now (dropped first if a previous run left it) and
   * dropped by {@link #close} unless {@code keep}.
   */
  static StoreSide postgres(
      String serverUrl, String user, String database, Path workDir, boolean keep)
      throws SQLException, IOException {
    if (!BENCH_DB.matcher(database).matches()) {
      throw new IllegalArgumentException(
          "--pg-db must match mnemo_bench_[a-z0-9_]{1,40} (the bench drops it), got '"
              + database
              + "'");
    }
    String base = serverUrl.endsWith("/") ? serverUrl : serverUrl + "/";
    try (Connection c = admin(base, user);
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      s.execute("CREATE DATABASE " + database);
    }
    PostgresOptions options = PostgresOptions.of(base + database).withUser(user);
    Files.createDirectories(workDir);
    // Mnemo wants a data directory; the PostgreSQL backend never uses it.
    Path unused = Files.createTempDirectory(workDir, "stores-postgres-");
    return new StoreSide(
        "postgres",
        PostgresBackend.single(REGION, options),
        unused,
        () -> {
          CorpusWriter.deleteTree(unused);
          if (keep) {
            System.err.println("stores: kept the PostgreSQL database " + database);
            return;
          }
          try (Connection c = admin(base, user);
              Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
          }
        },
        () -> {
          Map<String, Object> m = new LinkedHashMap<>();
          try (Connection c = admin(base, user);
              Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT pg_database_size('" + database + "')")) {
            rs.next();
            m.put("database_mib", BenchMain.mib(rs.getLong(1)));
          }
          return m;
        },
        () -> {
          Properties p = new Properties();
          p.setProperty("user", user);
          try (Connection c = DriverManager.getConnection(base + database, p);
              Statement s = c.createStatement()) {
            s.execute("ANALYZE");
          }
        },
        tenant -> {
          Properties p = new Properties();
          p.setProperty("user", user);
          try (Connection c = DriverManager.getConnection(base + database, p)) {
            // The registry records each tenant's schema (see the store's package documentation).
            String schema;
            try (PreparedStatement ps =
                c.prepareStatement(
                    "SELECT schema_name FROM mnemo_registry.tenants WHERE tenant_id = ?")) {
              ps.setString(1, tenant);
              try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                  throw new IllegalStateException("no schema registered for tenant " + tenant);
                }
                schema = rs.getString(1);
              }
            }
            try (Statement s = c.createStatement()) {
              s.execute("ANALYZE \"" + schema.replace("\"", "\"\"") + "\".memories");
            }
          }
        });
  }

  static Connection admin(String base, String user) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("ApplicationName", "mnemo4j-bench");
    return DriverManager.getConnection(base + "postgres", p);
  }

  /** Server facts for the report: version, pgvector version, and the settings that matter here. */
  static Map<String, Object> serverFacts(String serverUrl, String user) {
    String base = serverUrl.endsWith("/") ? serverUrl : serverUrl + "/";
    Map<String, Object> m = new LinkedHashMap<>();
    try (Connection c = admin(base, user);
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT current_setting('server_version')")) {
        rs.next();
        m.put("server_version", rs.getString(1));
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT coalesce((SELECT default_version FROM pg_available_extensions"
                  + " WHERE name = 'vector'), 'absent')")) {
        rs.next();
        m.put("pgvector", rs.getString(1));
      }
      for (String setting :
          List.of(
              "shared_buffers",
              "work_mem",
              "maintenance_work_mem",
              "synchronous_commit",
              "fsync",
              "max_parallel_workers_per_gather",
              "jit",
              "autovacuum",
              "plan_cache_mode")) {
        try (ResultSet rs = s.executeQuery("SELECT current_setting('" + setting + "')")) {
          rs.next();
          m.put(setting, rs.getString(1));
        }
      }
    } catch (SQLException e) {
      m.put("error", e.getMessage());
    }
    return m;
  }

  String name() {
    return name;
  }

  /** Opens the region store (a new connection pool for PostgreSQL). */
  MemoryStore openRegion() {
    return backend.openRegion(REGION, dataDir);
  }

  /** Records the tenants in the side's catalog, as {@code Mnemo.createTenant} would. */
  void register(List<String> tenants) {
    try (Catalog catalog = backend.openCatalog(dataDir)) {
      Instant now = Instant.now();
      for (String t : tenants) {
        catalog.create(new TenantInfo(TenantId.of(t), REGION, now));
      }
    }
  }

  /** A {@code Mnemo} on this side; it never closes {@code embedder} (pass a shared view). */
  Mnemo mnemo(Embedder embedder, int maxOpenTenants, boolean autoCreate) {
    return mnemo(embedder, maxOpenTenants, autoCreate, io.mnemo4j.SearchTuning.defaults());
  }

  /** {@link #mnemo(Embedder, int, boolean)} searching with {@code tuning}. */
  Mnemo mnemo(
      Embedder embedder, int maxOpenTenants, boolean autoCreate, io.mnemo4j.SearchTuning tuning) {
    return Mnemo.builder()
        .searchTuning(tuning)
        .dataDir(dataDir)
        .backend(backend)
        .embedder(embedder)
        .maxOpenTenants(maxOpenTenants)
        .autoCreateTenants(autoCreate)
        .build();
  }

  /**
   * What autovacuum's auto-analyze would do after a bulk load: {@code ANALYZE} of the whole
   * PostgreSQL database, so the planner knows the tables' sizes (a no-op for the embedded store).
   * Outside the store API: a maintenance step, as a DBA or autovacuum would run it.
   */
  void analyze() throws Exception {
    analyze.close();
  }

  /** {@code ANALYZE} of one PostgreSQL tenant's memories table (a no-op for the embedded store). */
  void analyzeTenant(String tenant) throws Exception {
    analyzeTenant.run(tenant);
  }

  /** Disk use: the embedded data directory, or the PostgreSQL database. */
  Map<String, Object> footprint() {
    try {
      return footprint.measure();
    } catch (Exception e) {
      return Map.of("error", String.valueOf(e.getMessage()));
    }
  }

  @Override
  public void close() throws Exception {
    cleanup.close();
  }
}
