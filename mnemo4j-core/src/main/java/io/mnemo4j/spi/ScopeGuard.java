package io.mnemo4j.spi;

/**
 * Holds a store-wide lock on one scope of a tenant, so writers in other processes sharing the store
 * wait (see {@link TenantStore#lockScope}). Closing releases it; idempotent.
 */
public interface ScopeGuard extends AutoCloseable {
  /** A guard that holds nothing: for stores only one process writes to. */
  ScopeGuard NONE = () -> {};

  /** Releases the lock if the guarded write did not already release it. */
  @Override
  void close();
}
