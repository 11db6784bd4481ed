package io.mnemo4j.store.embedded;

import io.mnemo4j.TenantId;
import io.mnemo4j.spi.Backend;
import io.mnemo4j.spi.Catalog;
import io.mnemo4j.spi.MemoryStore;
import java.nio.file.Path;

/**
 * The embedded backend: the catalog at {@code <dataDir>/catalog.db} and each region's store under
 * {@code <dataDir>/<region>/}. A region is one store, so its only shard is {@link
 * io.mnemo4j.TenantInfo#DEFAULT_SHARD} (the {@link Backend} defaults). Thread-safe (stateless).
 */
public final class EmbeddedBackend implements Backend {
  /** The catalog's file name inside the data directory. */
  public static final String CATALOG_FILE = "catalog.db";

  private EmbeddedBackend() {}

  /** The embedded backend. */
  public static EmbeddedBackend create() {
    return new EmbeddedBackend();
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
    return EmbeddedStore.open(dataDir.resolve(TenantId.requireRegion(region)));
  }
}
