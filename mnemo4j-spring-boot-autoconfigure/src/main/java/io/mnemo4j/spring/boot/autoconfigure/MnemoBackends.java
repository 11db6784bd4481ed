package io.mnemo4j.spring.boot.autoconfigure;

import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.spi.Backend;
import io.mnemo4j.spi.Catalog;
import io.mnemo4j.spi.MemoryStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.util.ClassUtils;

/**
 * Wires storage from {@code mnemo.*}: the embedded default, one PostgreSQL database, or regions
 * mixing both. The starter and the CLI are the only places that wire backends. Classes of the
 * optional store modules are touched only when the settings name them, with a message naming the
 * missing dependency otherwise. Thread-safe (immutable).
 */
final class MnemoBackends implements Backend {
  private static final String EMBEDDED_CLASS = "io.mnemo4j.store.embedded.EmbeddedBackend";
  private static final String POSTGRES_CLASS = "io.mnemo4j.store.postgres.PostgresBackend";

  /** One shard: how to open its store. */
  private record Shard(String name, Supplier<MemoryStore> open) {}

  private final Supplier<Catalog> catalog;
  private final @Nullable Map<String, List<Shard>> regions;
  private final String defaultRegion;
  private final String durability;

  private MnemoBackends(
      Supplier<Catalog> catalog,
      @Nullable Map<String, List<Shard>> regions,
      String defaultRegion,
      String durability) {
    this.durability = durability;
    this.catalog = catalog;
    this.regions = regions;
    this.defaultRegion = defaultRegion;
  }

  /** The backend the properties describe; every setting is checked here. */
  static MnemoBackends from(MnemoProperties p) {
    Path dataDir = p.getDataDir();
    String durability = checkDurability(p.getDurability());
    if (!p.getRegions().isEmpty()) {
      Map<String, List<Shard>> regions = new LinkedHashMap<>();
      p.getRegions()
          .forEach(
              (name, region) -> {
                String where = "mnemo.regions." + name;
                requireRegionName(name, where);
                regions.put(name, shards(region, dataDir.resolve(name), where, durability));
              });
      String defaultRegion =
          p.getDefaultRegion() != null ? p.getDefaultRegion() : regions.keySet().iterator().next();
      if (!regions.containsKey(defaultRegion)) {
        throw new IllegalArgumentException(
            "mnemo.default-region '"
                + defaultRegion
                + "' is not one of the regions "
                + regions.keySet());
      }
      return new MnemoBackends(
          catalog(p.getCatalog(), dataDir, p.getPostgres()), regions, defaultRegion, durability);
    }
    String defaultRegion = p.getDefaultRegion() != null ? p.getDefaultRegion() : "local";
    requireRegionName(defaultRegion, "mnemo.default-region");
    switch (p.getStore().toLowerCase(Locale.ROOT)) {
      case "embedded" -> {
        require(EMBEDDED_CLASS, "mnemo4j-store-embedded", "mnemo.store=embedded");
        // Any valid region name is a directory of the data dir.
        return new MnemoBackends(
            catalog(p.getCatalog(), dataDir, p.getPostgres()), null, defaultRegion, durability);
      }
      case "postgres" -> {
        require(POSTGRES_CLASS, "mnemo4j-store-postgres", "mnemo.store=postgres");
        if (p.getPostgres().getUrl() == null) {
          throw new IllegalArgumentException("mnemo.store=postgres needs mnemo.postgres.url");
        }
        Supplier<MemoryStore> store = Postgres.store(p.getPostgres(), "mnemo.postgres");
        String catalogAt = p.getCatalog() != null ? p.getCatalog() : p.getPostgres().getUrl();
        Supplier<Catalog> catalog =
            catalogAt.startsWith("jdbc:")
                ? Postgres.catalog(p.getPostgres(), catalogAt, "mnemo.catalog")
                : catalog(catalogAt, dataDir, p.getPostgres());
        return new MnemoBackends(
            catalog,
            Map.of(defaultRegion, List.of(new Shard(TenantInfo.DEFAULT_SHARD, store))),
            defaultRegion,
            durability);
      }
      default ->
          throw new IllegalArgumentException(
              "mnemo.store must be embedded or postgres, got '" + p.getStore() + "'");
    }
  }

  private static void requireRegionName(String name, String where) {
    try {
      TenantId.requireRegion(name);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  private static void require(String className, String artifact, String setting) {
    if (!ClassUtils.isPresent(className, MnemoBackends.class.getClassLoader())) {
      throw new IllegalStateException(
          setting + " needs io.mnemo4j:" + artifact + " on the class path");
    }
  }

  /** The catalog: a PostgreSQL one connects with the mnemo.postgres user and password. */
  private static Supplier<Catalog> catalog(
      @Nullable String at, Path dataDir, MnemoPostgresProperties credentials) {
    if (at != null && at.startsWith("jdbc:")) {
      require(POSTGRES_CLASS, "mnemo4j-store-postgres", "a jdbc: mnemo.catalog");
      return Postgres.catalog(credentials, at, "mnemo.catalog");
    }
    require(EMBEDDED_CLASS, "mnemo4j-store-embedded", "a SQLite mnemo.catalog");
    Path file = at == null || at.isBlank() ? null : Path.of(at);
    return () -> Embedded.catalog(file, dataDir);
  }

  // Checked without loading the embedded store's classes, which may be absent with PostgreSQL.
  private static String checkDurability(String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    if (!v.equals("full") && !v.equals("process")) {
      throw new IllegalArgumentException(
          "mnemo.durability must be full or process, got '" + value + "'");
    }
    return v;
  }

  private static List<Shard> shards(
      MnemoProperties.Region r, Path defaultPath, String where, String durability) {
    switch (r.getStore().toLowerCase(Locale.ROOT)) {
      case "embedded" -> {
        require(EMBEDDED_CLASS, "mnemo4j-store-embedded", where + ".store=embedded");
        if (r.getUrl() != null || !r.getShards().isEmpty()) {
          throw new IllegalArgumentException(where + ": an embedded region takes a path only");
        }
        Path dir = r.getPath() != null ? r.getPath() : defaultPath;
        return List.of(new Shard(TenantInfo.DEFAULT_SHARD, () -> Embedded.store(dir, durability)));
      }
      case "postgres" -> {
        require(POSTGRES_CLASS, "mnemo4j-store-postgres", where + ".store=postgres");
        if (r.getPath() != null) {
          throw new IllegalArgumentException(
              where + ".path: a postgres region takes url or shards");
        }
        if ((r.getUrl() == null) == r.getShards().isEmpty()) {
          throw new IllegalArgumentException(
              where + ": a postgres region needs exactly one of url and shards");
        }
        if (r.getUrl() != null) {
          return List.of(new Shard(TenantInfo.DEFAULT_SHARD, Postgres.store(r, where + ".url")));
        }
        List<Shard> out = new ArrayList<>();
        for (int i = 0; i < r.getShards().size(); i++) {
          MnemoPostgresProperties shard = copyWithUrl(r, r.getShards().get(i));
          out.add(
              new Shard(String.valueOf(i), Postgres.store(shard, where + ".shards[" + i + "]")));
        }
        return out;
      }
      default ->
          throw new IllegalArgumentException(
              where + ".store must be embedded or postgres, got '" + r.getStore() + "'");
    }
  }

  private static MnemoPostgresProperties copyWithUrl(MnemoPostgresProperties from, String url) {
    MnemoPostgresProperties p = new MnemoPostgresProperties();
    p.setUrl(url);
    p.setUser(from.getUser());
    p.setPassword(from.getPassword());
    p.setPoolSize(from.getPoolSize());
    p.setSchemaPrefix(from.getSchemaPrefix());
    return p;
  }

  /** The region new tenants go to. */
  String defaultRegion() {
    return defaultRegion;
  }

  @Override
  public Catalog openCatalog(Path dataDir) {
    return catalog.get();
  }

  @Override
  public Set<String> regions() {
    return regions == null ? Set.of() : regions.keySet();
  }

  @Override
  public List<String> shards(String region) {
    if (regions == null) {
      return List.of(TenantInfo.DEFAULT_SHARD);
    }
    return shardsOf(region).stream().map(Shard::name).toList();
  }

  @Override
  public MemoryStore openShard(String region, String shard, Path dataDir) {
    if (regions == null) {
      return Embedded.region(region, shard, dataDir, durability);
    }
    return shardsOf(region).stream()
        .filter(s -> s.name().equals(shard))
        .findFirst()
        .orElseThrow(
            () -> new IllegalArgumentException("region " + region + " has no shard " + shard))
        .open()
        .get();
  }

  @Override
  public MemoryStore openRegion(String region, Path dataDir) {
    return openShard(region, shards(region).getFirst(), dataDir);
  }

  private List<Shard> shardsOf(String region) {
    List<Shard> s = regions == null ? null : regions.get(region);
    if (s == null) {
      throw new IllegalArgumentException(
          "unknown region '" + region + "'; configured regions: " + regions());
    }
    return s;
  }

  /** The embedded store's classes, loaded only when used. */
  private static final class Embedded {
    static Catalog catalog(@Nullable Path file, Path dataDir) {
      return file == null
          ? io.mnemo4j.store.embedded.EmbeddedBackend.create().openCatalog(dataDir)
          : io.mnemo4j.store.embedded.SqliteCatalog.open(file);
    }

    static MemoryStore store(Path dir, String durability) {
      return io.mnemo4j.store.embedded.EmbeddedStore.open(dir, parse(durability));
    }

    static MemoryStore region(String region, String shard, Path dataDir, String durability) {
      return io.mnemo4j.store.embedded.EmbeddedBackend.create()
          .withDurability(parse(durability))
          .openShard(region, shard, dataDir);
    }

    private static io.mnemo4j.store.embedded.Durability parse(String durability) {
      return io.mnemo4j.store.embedded.Durability.parse(durability, "mnemo.durability");
    }
  }

  /** The PostgreSQL store's classes, loaded only when used. */
  private static final class Postgres {
    static io.mnemo4j.store.postgres.PostgresOptions options(
        MnemoPostgresProperties p, String url, String where) {
      if (url.contains("password=")) {
        throw new IllegalArgumentException(
            where + ": the URL must not hold a password; set the password property instead");
      }
      try {
        io.mnemo4j.store.postgres.PostgresOptions o =
            io.mnemo4j.store.postgres.PostgresOptions.of(url)
                .withPoolSize(p.getPoolSize())
                .withSchemaPrefix(p.getSchemaPrefix());
        if (p.getUser() != null) {
          o = o.withUser(p.getUser());
        }
        String password = p.getPassword();
        if (password != null) {
          o = o.withPassword(() -> password);
        }
        return o;
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
      }
    }

    static Supplier<MemoryStore> store(MnemoPostgresProperties p, String where) {
      String url = p.getUrl();
      if (url == null || url.isBlank()) {
        throw new IllegalArgumentException(where + ".url: the PostgreSQL JDBC URL is required");
      }
      io.mnemo4j.store.postgres.PostgresOptions o = options(p, url, where);
      return () -> io.mnemo4j.store.postgres.PostgresStore.open(o);
    }

    static Supplier<Catalog> catalog(MnemoPostgresProperties p, String url, String where) {
      io.mnemo4j.store.postgres.PostgresOptions o = options(p, url, where);
      return () -> io.mnemo4j.store.postgres.PostgresCatalog.open(o);
    }
  }
}
