package io.mnemo4j;

import java.time.Instant;

/**
 * A tenant as the catalog knows it. Immutable.
 *
 * @param id the tenant id
 * @param region the region its data is pinned to
 * @param createdAt when it was created
 */
public record TenantInfo(TenantId id, String region, Instant createdAt) {}
