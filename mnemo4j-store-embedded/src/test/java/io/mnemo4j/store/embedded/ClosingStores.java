package io.mnemo4j.store.embedded;

import io.mnemo4j.TenantId;
import io.mnemo4j.spi.TenantStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The stores and tenants a test opens under one region directory, closed after it, newest first.
 */
final class ClosingStores implements AutoCloseable {
  private final Path region;
  private final List<AutoCloseable> opened = new ArrayList<>();

  ClosingStores(Path region) {
    this.region = region;
  }

  /** A store on the region directory, closed with the others. */
  EmbeddedStore store() {
    EmbeddedStore store = EmbeddedStore.open(region);
    opened.add(store);
    return store;
  }

  /** The tenant opened on {@code store}, closed with the others. */
  TenantStore open(EmbeddedStore store, TenantId tenant) {
    TenantStore ts = store.open(tenant);
    opened.add(ts);
    return ts;
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : opened.reversed()) {
      c.close();
    }
    opened.clear();
  }
}
