package io.mnemo4j.spi;

import io.mnemo4j.PurgeReceipt;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.TenantMove;
import java.util.List;
import java.util.Optional;

/**
 * The control plane: which tenants exist, their regions, and the receipts of purged tenants. It
 * never holds memory text. Implementations must be thread-safe and safe to share between processes
 * on the same files or database.
 */
public interface Catalog extends AutoCloseable {
  /** Records a new tenant; throws {@link io.mnemo4j.ConflictException} if the id is taken. */
  TenantInfo create(TenantInfo tenant);

  /** The tenant, if it exists. */
  Optional<TenantInfo> find(TenantId tenant);

  /** All tenants, ordered by id. */
  List<TenantInfo> list();

  /**
   * Removes the tenant and every API key of it, and stores the receipt of its purge, atomically.
   */
  void remove(TenantId tenant, PurgeReceipt receipt);

  /** Receipts of past purges, oldest first. */
  List<PurgeReceipt> receipts();

  /**
   * Stores a new API key (its hash only); throws {@link io.mnemo4j.ConflictException} if the id is
   * taken.
   */
  void addKey(ApiKey key);

  /** The key whose secret hashes to {@code hash}, if any. */
  Optional<ApiKey> findKeyByHash(String hash);

  /** The keys of a tenant (or, for an empty tenant, the admin keys), ordered by creation. */
  List<ApiKey> keys(Optional<TenantId> tenant);

  /**
   * Revokes a key of the tenant (or an admin key for an empty tenant); false if there was no such
   * key.
   */
  boolean removeKey(Optional<TenantId> tenant, String keyId);

  /**
   * A setting of the whole data directory, such as the embedding model its vectors were made with,
   * if it was ever recorded.
   */
  Optional<String> setting(String name);

  /**
   * Records a setting unless one is already recorded under {@code name}, atomically (two processes
   * racing record one value); returns the value now recorded.
   */
  String recordSetting(String name, String value);

  /**
   * Sets {@code name} to {@code value} whatever it held, atomically; an empty value removes the
   * setting. What a re-embedding uses to record its progress and, once switched, the new model.
   */
  void replaceSetting(String name, String value);

  /** The journal row of the tenant's move between regions, if one is under way. */
  default Optional<TenantMove> move(TenantId tenant) {
    return setting(TenantMove.settingName(tenant)).map(v -> TenantMove.decode(tenant, v));
  }

  /** Records (or replaces) the journal row of a move, atomically. */
  default void recordMove(TenantMove move) {
    replaceSetting(TenantMove.settingName(move.tenant()), move.encode());
  }

  /** Deletes the journal row of the tenant's move: the move has ended (done or rolled back). */
  default void endMove(TenantId tenant) {
    replaceSetting(TenantMove.settingName(tenant), "");
  }

  /**
   * In one transaction: points the tenant at the move's target region and shard, and records the
   * journal row in phase {@link TenantMove.Phase#SWITCHED}. After a crash the catalog names either
   * the old region with the move copying, or the new one with the move switched; never a mix.
   */
  void switchRegion(TenantMove move);

  /** Closes the catalog. Idempotent. */
  @Override
  void close();
}
