package io.mnemo4j.spi;

import io.mnemo4j.TenantInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Wires storage into {@link io.mnemo4j.Mnemo}: where the catalog lives, which regions exist, and
 * how each region's store (or each of its shards) opens. Wired explicitly through the builder;
 * nothing is discovered from the class path.
 */
public interface Backend {
  /** Opens (creating if needed) the control-plane catalog under {@code dataDir}. */
  Catalog openCatalog(Path dataDir);

  /** Opens the store holding the data of {@code region} (its only shard). */
  MemoryStore openRegion(String region, Path dataDir);

  /**
   * The regions this backend knows, beyond those named on the builder; empty when any valid region
   * name opens a store (the embedded default).
   */
  default Set<String> regions() {
    return Set.of();
  }

  /**
   * The shards of {@code region} in configuration order: one name per store a new tenant may be
   * placed on. Names must stay stable, since the catalog records them.
   */
  default List<String> shards(String region) {
    return List.of(TenantInfo.DEFAULT_SHARD);
  }

  /** Opens one shard of a region; the default serves the single shard by {@link #openRegion}. */
  default MemoryStore openShard(String region, String shard, Path dataDir) {
    if (!shards(region).contains(shard)) {
      throw new IllegalArgumentException("region " + region + " has no shard '" + shard + "'");
    }
    return openRegion(region, dataDir);
  }
}
