package io.mnemo4j.store.embedded;

import io.mnemo4j.spi.Backend;
import io.mnemo4j.testing.MemoryStoreContractTest;

/**
 * The embedded store (SQLite + Lucene per tenant) passes the shared storage contract, with no
 * opt-outs.
 */
class EmbeddedStoreContractTest extends MemoryStoreContractTest {
  @Override
  protected Backend backend() {
    return EmbeddedBackend.create();
  }
}
