package io.mnemo4j.store.embedded;

import io.mnemo4j.spi.Backend;
import io.mnemo4j.testing.TransferContractTest;

/** The embedded store passes the export and import contract. */
class EmbeddedTransferContractTest extends TransferContractTest {
  @Override
  protected Backend backend() {
    return EmbeddedBackend.create();
  }
}
