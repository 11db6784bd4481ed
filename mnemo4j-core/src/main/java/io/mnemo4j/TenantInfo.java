package io.mnemo4j;

import java.time.Instant;
import java.util.Objects;

/**
 * A tenant as the catalog knows it. Immutable.
 *
 * @param id the tenant id
 * @param region the region its data is pinned to
 * @param shard which of the region's stores holds it ({@link #DEFAULT_SHARD} when the region has
 *     one)
 * @param createdAt when it was created
 */
public record TenantInfo(TenantId id, String region, String shard, Instant createdAt) {
  /** The name of a region's only store, and of the first shard when none are named. */
  public static final String DEFAULT_SHARD = "0";

  /** Checks nulls. */
  public TenantInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(shard, "shard");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** A tenant on the region's default shard. */
  public TenantInfo(TenantId id, String region, Instant createdAt) {
    this(id, region, DEFAULT_SHARD, createdAt);
  }
}
