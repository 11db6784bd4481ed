package io.mnemo4j.server;

import io.mnemo4j.Scope;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantId;
import org.jspecify.annotations.Nullable;

/** Who a request acts as, derived from its API key and only from it. Immutable. */
sealed interface Principal {
  /** The key's public id (safe to log). */
  String keyId();

  /**
   * An admin key: manages tenants, reads no memory.
   *
   * @param keyId key id
   */
  record Admin(String keyId) implements Principal {}

  /**
   * A tenant key, possibly narrowed to one user.
   *
   * @param keyId key id
   * @param tenant the tenant, from the key
   * @param user the user the key is narrowed to, or null for the whole tenant
   */
  record Tenant(String keyId, TenantId tenant, @Nullable String user) implements Principal {
    /** Whether the key is narrowed to one user. */
    boolean narrowed() {
      return user != null;
    }

    /**
     * The scope a write lands in: the requested one for a whole-tenant key; for a narrowed key the
     * requested scope with its user forced to the key's user (another user is forbidden).
     */
    Scope writeScope(Scope requested) {
      if (user == null) {
        return requested;
      }
      checkUser(requested.userId());
      return requested.withUser(user);
    }

    /** Refuses a user id other than the key's (no-op for a whole-tenant key or no user id). */
    void checkUser(@Nullable String requestedUser) {
      if (user != null && requestedUser != null && !requestedUser.equals(user)) {
        throw ApiException.forbidden(
            "this API key is limited to one user; user_id must be that user or omitted");
      }
    }

    /** What by-id reads may see: everything, or the key's user plus tenant-wide memory. */
    Selection readById() {
      return user == null
          ? Selection.everywhere()
          : Selection.in(Scope.user(user)).withTenantWide();
    }

    /** What by-id writes may touch: everything, or the key's user only. */
    Selection writeById() {
      return user == null ? Selection.everywhere() : Selection.in(Scope.user(user));
    }
  }
}
