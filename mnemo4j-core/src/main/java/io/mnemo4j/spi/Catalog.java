package io.mnemo4j.spi;

import io.mnemo4j.PurgeReceipt;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import java.util.List;
import java.util.Optional;

/**
 * The control plane: which tenants exist, their regions, and the receipts of purged tenants. It never holds memory
 * text. Implementations must be thread-safe and safe to share between processes on the same files or database.
 */
public interface Catalog extends AutoCloseable {
  /** Records a new tenant; throws {@link io.mnemo4j.ConflictException} if the id is taken. */
  TenantInfo create(TenantInfo tenant);

  /** The tenant, if it exists. */
  Optional<TenantInfo> find(TenantId tenant);

  /** All tenants, ordered by id. */
  List<TenantInfo> list();

  /** Removes the tenant and stores the receipt of its purge, atomically. */
  void remove(TenantId tenant, PurgeReceipt receipt);

  /** Receipts of past purges, oldest first. */
  List<PurgeReceipt> receipts();

  /** Closes the catalog. Idempotent. */
  @Override
  void close();
}
