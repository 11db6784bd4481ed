package io.mnemo4j.spi;

import io.mnemo4j.TenantId;

/**
 * A storage backend for one region: it hands out one {@link TenantStore} per tenant, each in its
 * own namespace (directory, schema or partition). Implementations must be thread-safe.
 */
public interface MemoryStore extends AutoCloseable {
  /** The backend's kind, for logs and receipts ({@code embedded}, {@code postgres}). */
  String kind();

  /** Opens the tenant's namespace, creating it if absent. The caller closes the returned store. */
  TenantStore open(TenantId tenant);

  /** Whether the tenant has a namespace here. */
  boolean exists(TenantId tenant);

  /**
   * Removes every byte of the tenant's namespace. The caller has closed every {@link TenantStore}
   * of the tenant first. Purging a tenant with no namespace returns zero counts.
   */
  PurgeStats purge(TenantId tenant);

  /** Closes the backend. Idempotent. */
  @Override
  void close();
}
