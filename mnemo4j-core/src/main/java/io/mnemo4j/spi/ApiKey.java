package io.mnemo4j.spi;

import io.mnemo4j.TenantId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An API key as the catalog keeps it: never the secret, only its hash. A key with no tenant is an
 * admin key; a key with a user id is narrowed to that user's memories (and read access to
 * tenant-wide ones). Immutable.
 *
 * @param id public key id (shown in listings, used to revoke)
 * @param hash hex SHA-256 of the secret
 * @param tenant the tenant it belongs to, or null for an admin key
 * @param userId the user it is narrowed to, or null
 * @param createdAt when it was issued
 */
public record ApiKey(
    String id, String hash, @Nullable TenantId tenant, @Nullable String userId, Instant createdAt) {
  /** Checks nulls. */
  public ApiKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** The tenant, empty for an admin key. */
  public Optional<TenantId> tenantIfAny() {
    return Optional.ofNullable(tenant);
  }

  /** True for an admin key. */
  public boolean isAdmin() {
    return tenant == null;
  }
}
