package io.mnemo4j.cli;

import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.spi.Backend;
import io.mnemo4j.spi.Catalog;
import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.store.embedded.Durability;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import io.mnemo4j.store.embedded.EmbeddedStore;
import io.mnemo4j.store.embedded.SqliteCatalog;
import io.mnemo4j.store.postgres.PostgresCatalog;
import io.mnemo4j.store.postgres.PostgresOptions;
import io.mnemo4j.store.postgres.PostgresStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The storage the configuration file describes: a catalog (SQLite file or PostgreSQL database) and
 * regions, each an embedded directory or one or more PostgreSQL databases (shards). Everything is
 * validated when the file is read; stores open on first use. Thread-safe (immutable).
 */
final class ConfiguredBackend implements Backend {
  /** One shard: how to open its store. */
  private record Shard(String name, Supplier<MemoryStore> open) {}

  private final Supplier<Catalog> catalog;
  private final @Nullable Map<String, List<Shard>> regions;
  private final String defaultRegion;
  private final EmbeddedBackend embedded;

  private ConfiguredBackend(
      Supplier<Catalog> catalog,
      @Nullable Map<String, List<Shard>> regions,
      String defaultRegion,
      Durability durability) {
    this.embedded = EmbeddedBackend.create().withDurability(durability);
    this.catalog = catalog;
    this.regions = regions;
    this.defaultRegion = defaultRegion;
  }

  /**
   * The backend of {@code config}, or the embedded default ({@code <dataDir>/catalog.db}, region
   * {@code local}) when it names no regions; embedded regions commit as durably as {@code
   * durability} says.
   */
  static ConfiguredBackend from(ConfigFile config, Path dataDir, Durability durability) {
    Supplier<Catalog> catalog = catalog(config.catalog(), dataDir);
    if (config.regions() == null || config.regions().isEmpty()) {
      if (config.defaultRegion() != null) {
        throw new InvalidRequestException(
            "config.default_region", "default_region needs a regions section");
      }
      // The embedded default: any valid region name is a directory under the data directory.
      return new ConfiguredBackend(catalog, null, "local", durability);
    }
    Map<String, List<Shard>> regions = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigFile.Region> e : config.regions().entrySet()) {
      String where = "config.regions." + e.getKey();
      try {
        TenantId.requireRegion(e.getKey());
      } catch (InvalidRequestException bad) {
        throw new InvalidRequestException(where, bad.getMessage());
      }
      if (e.getValue() == null) {
        throw new InvalidRequestException(where, "region " + e.getKey() + " needs a store");
      }
      regions.put(e.getKey(), shards(e.getValue(), where, durability));
    }
    String defaultRegion =
        config.defaultRegion() != null
            ? config.defaultRegion()
            : regions.keySet().iterator().next();
    if (!regions.containsKey(defaultRegion)) {
      throw new InvalidRequestException(
          "config.default_region",
          "default_region '" + defaultRegion + "' is not one of the regions " + regions.keySet());
    }
    return new ConfiguredBackend(catalog, Map.copyOf(regions), defaultRegion, durability);
  }

  private static Supplier<Catalog> catalog(@Nullable String value, Path dataDir) {
    if (value == null || value.isBlank()) {
      Path file = dataDir.resolve(EmbeddedBackend.CATALOG_FILE);
      return () -> SqliteCatalog.open(file);
    }
    if (value.startsWith("jdbc:")) {
      PostgresOptions options = postgres(value, "config.catalog");
      return () -> PostgresCatalog.open(options);
    }
    Path file = Path.of(value);
    return () -> SqliteCatalog.open(file);
  }

  private static List<Shard> shards(ConfigFile.Region r, String where, Durability durability) {
    String store = r.store() == null ? "" : r.store();
    switch (store) {
      case "embedded" -> {
        if (r.path() == null || r.path().isBlank()) {
          throw new InvalidRequestException(where + ".path", "an embedded region needs a path");
        }
        if (r.url() != null || r.shards() != null) {
          throw new InvalidRequestException(
              where, "an embedded region takes a path, not url or shards");
        }
        Path dir = Path.of(r.path());
        return List.of(
            new Shard(TenantInfo.DEFAULT_SHARD, () -> EmbeddedStore.open(dir, durability)));
      }
      case "postgres" -> {
        if (r.path() != null) {
          throw new InvalidRequestException(
              where + ".path", "a postgres region takes url or shards");
        }
        if ((r.url() == null) == (r.shards() == null)) {
          throw new InvalidRequestException(
              where, "a postgres region needs exactly one of url and shards");
        }
        List<Shard> out = new ArrayList<>();
        if (r.url() != null) {
          PostgresOptions o = options(r, r.url(), where + ".url");
          out.add(new Shard(TenantInfo.DEFAULT_SHARD, () -> PostgresStore.open(o)));
          return out;
        }
        if (r.shards().isEmpty()) {
          throw new InvalidRequestException(where + ".shards", "shards must not be empty");
        }
        for (int i = 0; i < r.shards().size(); i++) {
          String at = where + ".shards[" + i + "]";
          Object s = r.shards().get(i);
          String name;
          String url;
          if (s instanceof String text) {
            name = String.valueOf(i);
            url = text;
          } else if (s instanceof Map<?, ?> m
              && m.get("name") instanceof String n
              && m.get("url") instanceof String u
              && m.size() == 2) {
            name = n;
            url = u;
          } else {
            throw new InvalidRequestException(
                at, "a shard is a jdbc:postgresql: URL or {name: ..., url: ...}");
          }
          if (!name.matches("[a-z0-9][a-z0-9_-]{0,62}")) {
            throw new InvalidRequestException(
                at + ".name", "shard names match [a-z0-9][a-z0-9_-]{0,62}");
          }
          if (out.stream().anyMatch(x -> x.name().equals(name))) {
            throw new InvalidRequestException(
                at + ".name", "shard name '" + name + "' is repeated");
          }
          PostgresOptions o = options(r, url, at);
          out.add(new Shard(name, () -> PostgresStore.open(o)));
        }
        return out;
      }
      default ->
          throw new InvalidRequestException(
              where + ".store", "store must be embedded or postgres, got '" + store + "'");
    }
  }

  private static PostgresOptions options(ConfigFile.Region r, String url, String where) {
    PostgresOptions o = postgres(url, where);
    try {
      if (r.user() != null) {
        o = o.withUser(r.user());
      }
      if (r.passwordEnv() != null && r.passwordFile() != null) {
        throw new InvalidRequestException(where, "set either password_env or password_file");
      }
      if (r.passwordEnv() != null) {
        o = o.withPasswordFromEnv(r.passwordEnv());
      }
      if (r.passwordFile() != null) {
        o = o.withPasswordFromFile(Path.of(r.passwordFile()));
      }
      if (r.poolSize() != null) {
        o = o.withPoolSize(r.poolSize());
      }
      if (r.schemaPrefix() != null) {
        o = o.withSchemaPrefix(r.schemaPrefix());
      }
      return o;
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException(where, e.getMessage());
    }
  }

  private static PostgresOptions postgres(String url, String where) {
    if (url.contains("password=")) {
      throw new InvalidRequestException(
          where, "the URL must not hold a password; use password_env or password_file");
    }
    try {
      return PostgresOptions.of(url);
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException(where, e.getMessage());
    }
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
    return shardsOf(regions, region).stream().map(Shard::name).toList();
  }

  @Override
  public MemoryStore openShard(String region, String shard, Path dataDir) {
    if (regions == null) {
      return embedded.openShard(region, shard, dataDir);
    }
    return shardsOf(regions, region).stream()
        .filter(s -> s.name().equals(shard))
        .findFirst()
        .orElseThrow(
            () -> new IllegalArgumentException("region " + region + " has no shard " + shard))
        .open()
        .get();
  }

  @Override
  public MemoryStore openRegion(String region, Path dataDir) {
    if (regions == null) {
      return embedded.openRegion(region, dataDir);
    }
    return shardsOf(regions, region).get(0).open().get();
  }

  // Takes the (checked non-null) regions, so that the caller's null check covers this method too.
  private static List<Shard> shardsOf(Map<String, List<Shard>> regions, String region) {
    List<Shard> s = regions.get(region);
    if (s == null) {
      throw new InvalidRequestException(
          "region", "unknown region '" + region + "'; configured regions: " + regions.keySet());
    }
    return s;
  }
}
