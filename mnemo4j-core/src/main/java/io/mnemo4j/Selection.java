package io.mnemo4j;

import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.ScopeFilter;
import java.util.Objects;

/**
 * Which memories of a tenant an operation sees: a scope (optionally plus tenant-wide memories), or
 * explicitly everything, narrowed by a filter. Immutable.
 *
 * <p>A tenant-wide scope selects organisation memory only; it never silently means "everything".
 *
 * @param scope the scope; tenant-wide selects organisation memory
 * @param includeTenantWide also return tenant-wide memories (ignored when the scope is tenant-wide)
 * @param wholeTenant select the whole tenant (scope and includeTenantWide are then ignored)
 * @param filter narrows further
 */
public record Selection(
    Scope scope, boolean includeTenantWide, boolean wholeTenant, FilterExpr filter) {
  /** Checks nulls. */
  public Selection {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(filter, "filter");
  }

  /** Memories inside {@code scope}. */
  public static Selection in(Scope scope) {
    return new Selection(scope, false, false, new FilterExpr.All());
  }

  /** Every memory of the tenant, asked for explicitly. */
  public static Selection everywhere() {
    return new Selection(Scope.tenantWide(), false, true, new FilterExpr.All());
  }

  /** Also selects tenant-wide (organisation) memories. */
  public Selection withTenantWide() {
    return new Selection(scope, true, wholeTenant, filter);
  }

  /** Narrows by a filter. */
  public Selection filter(FilterExpr newFilter) {
    return new Selection(scope, includeTenantWide, wholeTenant, newFilter);
  }

  /** The store-level scope filter this selection compiles to. */
  public ScopeFilter scopeFilter() {
    if (wholeTenant) {
      return new ScopeFilter.Everything();
    }
    if (scope.isTenantWide()) {
      return new ScopeFilter.Exact(scope);
    }
    return new ScopeFilter.Within(scope, includeTenantWide);
  }
}
