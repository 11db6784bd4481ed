package io.mnemo4j;

import io.mnemo4j.spi.ApiKey;
import io.mnemo4j.spi.Catalog;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * API keys for servers built on Mnemo4j: 256-bit random secrets, kept in the catalog only as
 * SHA-256 hashes. A secret is shown once, when issued. Thread-safe.
 */
public final class ApiKeys {
  /** Prefix of every secret, so a leaked key is recognisable in logs and secret scanners. */
  public static final String SECRET_PREFIX = "mnemo_";

  private final Catalog catalog;
  private final Clock clock;
  private final Supplier<String> ids;
  private final SecureRandom random = new SecureRandom();

  ApiKeys(Catalog catalog, Clock clock, Supplier<String> ids) {
    this.catalog = catalog;
    this.clock = clock;
    this.ids = ids;
  }

  /**
   * A newly issued key: its public id, and the secret the caller must keep (it cannot be
   * recovered).
   *
   * @param key the stored record
   * @param secret the secret, shown once
   */
  public record Issued(ApiKey key, String secret) {}

  /** Issues a key for the tenant, optionally narrowed to one user. The tenant must exist. */
  public Issued issue(TenantId tenant, @Nullable String userId) {
    if (catalog.find(tenant).isEmpty()) {
      throw new NotFoundException("tenant " + tenant + " not found");
    }
    if (userId != null) {
      Scope.user(userId); // validates the id like every scope id
    }
    return store(tenant, userId);
  }

  /** Issues an admin key (manages tenants, reads no memory). */
  public Issued issueAdmin() {
    return store(null, null);
  }

  /**
   * Issues a new admin key and revokes every other admin key (generated or registered from an
   * operator's secret), for an operator who lost the key or suspects it leaked. Tenant keys are
   * untouched. The new key is stored before the old ones are removed, so a failure half-way leaves
   * a working key behind, never none.
   */
  public Issued rotateAdmin() {
    Issued fresh = issueAdmin();
    for (ApiKey old : listAdmin()) {
      if (!old.id().equals(fresh.key().id())) {
        catalog.removeKey(Optional.empty(), old.id());
      }
    }
    return fresh;
  }

  /**
   * Stores an admin key whose secret the operator chose (for example from an environment variable).
   */
  public ApiKey registerAdminSecret(String secret) {
    if (secret.length() < 16) {
      throw new InvalidRequestException(
          "admin_key", "the admin key must be at least 16 characters");
    }
    String hash = hash(secret);
    Optional<ApiKey> existing = catalog.findKeyByHash(hash);
    if (existing.isPresent()) {
      return existing.get();
    }
    ApiKey key = new ApiKey(ids.get(), hash, null, null, clock.instant());
    catalog.addKey(key);
    return key;
  }

  private Issued store(@Nullable TenantId tenant, @Nullable String userId) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String secret = SECRET_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    ApiKey key = new ApiKey(ids.get(), hash(secret), tenant, userId, clock.instant());
    catalog.addKey(key);
    return new Issued(key, secret);
  }

  /**
   * The key a presented secret belongs to, if any; the stored hash is compared in constant time.
   */
  public Optional<ApiKey> authenticate(String secret) {
    if (secret == null || secret.isEmpty() || secret.length() > 512) {
      return Optional.empty();
    }
    String hash = hash(secret);
    return catalog
        .findKeyByHash(hash)
        .filter(
            k ->
                MessageDigest.isEqual(
                    k.hash().getBytes(StandardCharsets.US_ASCII),
                    hash.getBytes(StandardCharsets.US_ASCII)));
  }

  /** The tenant's keys (never their secrets). */
  public List<ApiKey> list(TenantId tenant) {
    return catalog.keys(Optional.of(tenant));
  }

  /** The admin keys (never their secrets). */
  public List<ApiKey> listAdmin() {
    return catalog.keys(Optional.empty());
  }

  /** Revokes a key of the tenant; "not found" if the tenant has no such key. */
  public void revoke(TenantId tenant, String keyId) {
    if (!catalog.removeKey(Optional.of(tenant), keyId)) {
      throw new NotFoundException("key " + keyId + " not found");
    }
  }

  /** Hex SHA-256 of a secret. */
  static String hash(String secret) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
