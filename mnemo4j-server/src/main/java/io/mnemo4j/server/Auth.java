package io.mnemo4j.server;

import io.javalin.http.Context;
import io.mnemo4j.Mnemo;
import io.mnemo4j.NotFoundException;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.spi.ApiKey;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Turns {@code Authorization: Token <key>} or {@code Bearer <key>} into a {@link Principal}. The
 * tenant of a request comes from its key and only from its key. Thread-safe.
 */
final class Auth {
  private final Mnemo mnemo;

  Auth(Mnemo mnemo) {
    this.mnemo = mnemo;
  }

  /** The principal of any valid key; 401 otherwise. */
  Principal any(Context ctx) {
    Principal p = principal(ctx.header("Authorization"));
    ctx.attribute(ServerMetrics.KEY, p.keyId());
    if (p instanceof Principal.Tenant t) {
      ctx.attribute(ServerMetrics.TENANT, t.tenant().value());
    }
    return p;
  }

  /**
   * The principal of an {@code Authorization} header value ({@code Token <key>} or {@code Bearer
   * <key>}); 401 for a missing, malformed or unknown key.
   */
  Principal principal(@Nullable String header) {
    if (header == null || header.isBlank()) {
      throw ApiException.unauthorized(
          "missing API key; send 'Authorization: Token <key>' or 'Bearer <key>'");
    }
    String h = header.strip();
    int space = h.indexOf(' ');
    String scheme = space < 0 ? "" : h.substring(0, space).toLowerCase(Locale.ROOT);
    if (!scheme.equals("token") && !scheme.equals("bearer")) {
      throw ApiException.unauthorized(
          "unsupported Authorization scheme; use 'Token <key>' or 'Bearer <key>'");
    }
    String secret = h.substring(space + 1).strip();
    Optional<ApiKey> key = mnemo.admin().keys().authenticate(secret);
    if (key.isEmpty()) {
      throw ApiException.unauthorized("invalid API key");
    }
    ApiKey k = key.get();
    TenantId tenant = k.tenant();
    if (tenant == null) { // an admin key
      return new Principal.Admin(k.id());
    }
    return new Principal.Tenant(k.id(), tenant, k.userId());
  }

  /** The principal of a tenant key; 403 for an admin key (it reads no memory). */
  Principal.Tenant tenant(Context ctx) {
    return switch (any(ctx)) {
      case Principal.Tenant t -> t;
      case Principal.Admin a ->
          throw ApiException.forbidden(
              "an admin key manages tenants and cannot read or write memories");
    };
  }

  /** The principal of an admin key; 403 for a tenant key. */
  Principal.Admin admin(Context ctx) {
    return switch (any(ctx)) {
      case Principal.Admin a -> a;
      case Principal.Tenant t ->
          throw ApiException.forbidden("tenant administration needs the admin key");
    };
  }

  /**
   * The tenant's memory, never re-creating a tenant purged a moment ago (its keys went with it, so
   * the key that got this far is no longer valid: 401).
   */
  TenantMemory memory(Principal.Tenant p) {
    try {
      return mnemo.existingTenant(p.tenant().value());
    } catch (NotFoundException purged) {
      throw ApiException.unauthorized("invalid API key");
    }
  }
}
