package io.mnemo4j.spi;

import io.mnemo4j.Scope;

/**
 * Which scopes of a tenant a store operation may see. A closed set: stores compile it with an
 * exhaustive switch. Records are immutable.
 */
public sealed interface ScopeFilter {
  /** Whether a memory stored in {@code memoryScope} passes this filter. */
  boolean test(Scope memoryScope);

  /**
   * Only memories whose scope equals {@code scope} exactly (absent ids must be absent). @param
   * scope the scope
   */
  record Exact(Scope scope) implements ScopeFilter {
    @Override
    public boolean test(Scope memoryScope) {
      return scope.equals(memoryScope);
    }
  }

  /**
   * Memories inside {@code scope} (each id it sets is equal; {@link Scope#contains}), plus
   * tenant-wide memories when {@code includeTenantWide}. {@code scope} is never tenant-wide here:
   * use {@link Exact} for organisation memory.
   *
   * @param scope a scope with at least one id
   * @param includeTenantWide also match memories with no user, agent or run
   */
  record Within(Scope scope, boolean includeTenantWide) implements ScopeFilter {
    /** Rejects a tenant-wide scope, which would silently mean "everything". */
    public Within {
      if (scope.isTenantWide()) {
        throw new IllegalArgumentException(
            "Within needs a scope with at least one id; use Exact or Everything");
      }
    }

    @Override
    public boolean test(Scope memoryScope) {
      return scope.contains(memoryScope) || (includeTenantWide && memoryScope.isTenantWide());
    }
  }

  /** Every memory of the tenant: used only where the caller asked for it explicitly. */
  record Everything() implements ScopeFilter {
    @Override
    public boolean test(Scope memoryScope) {
      return true;
    }
  }
}
