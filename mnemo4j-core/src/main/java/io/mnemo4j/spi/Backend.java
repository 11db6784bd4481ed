package io.mnemo4j.spi;

import java.nio.file.Path;

/**
 * Wires a storage backend into {@link io.mnemo4j.Mnemo}: where the catalog lives and how a region's
 * store opens. Wired explicitly through the builder; nothing is discovered from the class path.
 */
public interface Backend {
  /** Opens (creating if needed) the control-plane catalog under {@code dataDir}. */
  Catalog openCatalog(Path dataDir);

  /** Opens the store holding the data of {@code region}. */
  MemoryStore openRegion(String region, Path dataDir);
}
