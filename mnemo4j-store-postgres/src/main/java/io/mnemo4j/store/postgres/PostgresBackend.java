package io.mnemo4j.store.postgres;

import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.spi.Backend;
import io.mnemo4j.spi.Catalog;
import io.mnemo4j.spi.MemoryStore;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The PostgreSQL backend: a {@link PostgresCatalog} in one database, and for each region one or
 * more shards, each a {@link PostgresStore} on its own database (or its own schema prefix). The
 * data directory {@link io.mnemo4j.Mnemo} passes is not used. Thread-safe (immutable).
 *
 * <pre>{@code
 * PostgresOptions eu = PostgresOptions.of("jdbc:postgresql://eu-db/mnemo").withPasswordFromEnv("EU_PW");
 * Mnemo mnemo = Mnemo.builder().backend(PostgresBackend.single("eu", eu)).defaultRegion("eu")...
 * }</pre>
 */
public final class PostgresBackend implements Backend {
  /**
   * One store a region's tenants may be placed on.
   *
   * @param name stable name, recorded in the catalog for each tenant placed here
   * @param options where the store lives
   */
  public record Shard(String name, PostgresOptions options) {
    /** Checks the name and options. */
    public Shard {
      if (name == null || name.isBlank()) {
        throw new InvalidRequestException("shard", "shard name must not be blank");
      }
      Objects.requireNonNull(options, "options");
    }
  }

  private final PostgresOptions catalog;
  private final Map<String, List<Shard>> regions;

  private PostgresBackend(PostgresOptions catalog, Map<String, List<Shard>> regions) {
    this.catalog = catalog;
    this.regions = regions;
  }

  /**
   * A backend with its catalog at {@code catalog} and these regions, each with its shards in
   * placement order. Region names follow the tenant id pattern; shard names are unique per region;
   * two shards never share a database and schema prefix.
   */
  public static PostgresBackend create(PostgresOptions catalog, Map<String, List<Shard>> regions) {
    Objects.requireNonNull(catalog, "catalog");
    if (regions.isEmpty()) {
      throw new InvalidRequestException("regions", "at least one region is needed");
    }
    Map<String, List<Shard>> copy = new LinkedHashMap<>();
    Set<String> places = new HashSet<>();
    regions.forEach(
        (region, shards) -> {
          TenantId.requireRegion(region);
          if (shards.isEmpty()) {
            throw new InvalidRequestException(
                "regions." + region, "region " + region + " has no shard");
          }
          Set<String> names = new HashSet<>();
          for (Shard shard : shards) {
            if (!names.add(shard.name())) {
              throw new InvalidRequestException(
                  "regions." + region,
                  "region " + region + " names shard '" + shard.name() + "' twice");
            }
            String place =
                PostgresOptions.redactUrl(shard.options().jdbcUrl())
                    + " "
                    + shard.options().schemaPrefix();
            if (!places.add(place)) {
              throw new InvalidRequestException(
                  "regions." + region,
                  "shard '"
                      + shard.name()
                      + "' of region "
                      + region
                      + " shares its database and schema prefix with another shard");
            }
          }
          copy.put(region, List.copyOf(shards));
        });
    return new PostgresBackend(catalog, copy);
  }

  /** One region with one store, the catalog in the same database. */
  public static PostgresBackend single(String region, PostgresOptions options) {
    return create(options, Map.of(region, List.of(new Shard(TenantInfo.DEFAULT_SHARD, options))));
  }

  /** Opens the {@link PostgresCatalog}; {@code dataDir} is not used. */
  @Override
  public Catalog openCatalog(Path dataDir) {
    return PostgresCatalog.open(catalog);
  }

  /** Opens the region's first shard. */
  @Override
  public MemoryStore openRegion(String region, Path dataDir) {
    return PostgresStore.open(shardsOf(region).getFirst().options());
  }

  /** The configured regions. */
  @Override
  public Set<String> regions() {
    return regions.keySet();
  }

  /** The region's shard names, in placement order. */
  @Override
  public List<String> shards(String region) {
    return shardsOf(region).stream().map(Shard::name).toList();
  }

  /** Opens one shard's store. */
  @Override
  public MemoryStore openShard(String region, String shard, Path dataDir) {
    for (Shard s : shardsOf(region)) {
      if (s.name().equals(shard)) {
        return PostgresStore.open(s.options());
      }
    }
    throw new IllegalArgumentException(
        "region " + region + " has no shard '" + shard + "'; it has " + shards(region));
  }

  private List<Shard> shardsOf(String region) {
    List<Shard> shards = regions.get(region);
    if (shards == null) {
      throw new IllegalArgumentException(
          "the PostgreSQL backend has no region '" + region + "'; it has " + regions.keySet());
    }
    return shards;
  }
}
