package io.mnemo4j.store.embedded;

import io.mnemo4j.TenantId;
import io.mnemo4j.spi.Backend;
import io.mnemo4j.spi.Catalog;
import io.mnemo4j.spi.MemoryStore;
import java.nio.file.Path;

/**
 * The embedded backend: the catalog at {@code <dataDir>/catalog.db} and each region's store under
 * {@code <dataDir>/<region>/}. A region is one store, so its only shard is {@link
 * io.mnemo4j.TenantInfo#DEFAULT_SHARD} (the {@link Backend} defaults). Thread-safe (immutable).
 */
public final class EmbeddedBackend implements Backend {
  /** The catalog's file name inside the data directory. */
  public static final String CATALOG_FILE = "catalog.db";

  private final Durability durability;

  private EmbeddedBackend(Durability durability) {
    this.durability = durability;
  }

  /** The embedded backend, with {@link Durability#FULL}: every acknowledged write is on disk. */
  public static EmbeddedBackend create() {
    return new EmbeddedBackend(Durability.FULL);
  }

  /**
   * This backend with tenants' commits as durable as {@code durability} says ({@link
   * Durability#PROCESS} trades a power loss's last writes for an fsync per commit; the catalog
   * always fsyncs).
   *
   * @param durability what an acknowledged write survives
   * @return a backend with that durability
   */
  public EmbeddedBackend withDurability(Durability durability) {
    return new EmbeddedBackend(java.util.Objects.requireNonNull(durability, "durability"));
  }

  /** What an acknowledged write to this backend's regions survives. */
  public Durability durability() {
    return durability;
  }

  /** Opens the {@link SqliteCatalog} at {@code <dataDir>/catalog.db}. */
  @Override
  public Catalog openCatalog(Path dataDir) {
    return SqliteCatalog.open(dataDir.resolve(CATALOG_FILE));
  }

  /**
   * Opens the {@link EmbeddedStore} rooted at {@code <dataDir>/<region>/}; the region must be a
   * valid id.
   */
  @Override
  public MemoryStore openRegion(String region, Path dataDir) {
    return EmbeddedStore.open(dataDir.resolve(TenantId.requireRegion(region)), durability);
  }
}
