package io.mnemo4j.testing;

import io.mnemo4j.spi.Backend;

/**
 * The reference backend passes the contract too; it keeps the suite itself honest inside the core's
 * build.
 */
class InMemoryBackendContractTest extends MemoryStoreContractTest {
  private final InMemoryBackend backend = new InMemoryBackend();

  @Override
  protected Backend backend() {
    return backend; // the same instance across reopen: its state stands in for files on disk
  }
}
