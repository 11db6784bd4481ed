package io.mnemo4j.testing;

import io.mnemo4j.spi.Backend;

/** The reference backend passes the transfer contract, keeping the suite honest in the core. */
class InMemoryTransferContractTest extends TransferContractTest {
  private final InMemoryBackend backend = new InMemoryBackend();

  @Override
  protected Backend backend() {
    return backend;
  }
}
