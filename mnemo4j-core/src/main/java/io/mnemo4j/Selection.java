package io.mnemo4j;

import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.internal.Visibility;
import io.mnemo4j.spi.ScopeFilter;
import java.time.Instant;
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
 * @param asOf look at the tenant as it was at this instant (what was known and valid then), or null
 *     for now
 * @param includeExpired also return memories past their {@code expires_at} (ignored with {@code
 *     asOf}, which shows what had not expired then)
 * @param includeClosed also return closed versions: facts whose {@code valid_to} has passed (a
 *     contradicted fact, the previous text of an updated memory); ignored with {@code asOf}
 */
public record Selection(
    Scope scope,
    boolean includeTenantWide,
    boolean wholeTenant,
    FilterExpr filter,
    @org.jspecify.annotations.Nullable Instant asOf,
    boolean includeExpired,
    boolean includeClosed) {
  /** Checks nulls. */
  public Selection {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(filter, "filter");
  }

  /**
   * A selection that leaves closed versions out (as every selection did before they could be
   * listed).
   */
  public Selection(
      Scope scope,
      boolean includeTenantWide,
      boolean wholeTenant,
      FilterExpr filter,
      @org.jspecify.annotations.Nullable Instant asOf,
      boolean includeExpired) {
    this(scope, includeTenantWide, wholeTenant, filter, asOf, includeExpired, false);
  }

  /** Memories inside {@code scope}. */
  public static Selection in(Scope scope) {
    return new Selection(scope, false, false, new FilterExpr.All(), null, false, false);
  }

  /** Every memory of the tenant, asked for explicitly. */
  public static Selection everywhere() {
    return new Selection(Scope.tenantWide(), false, true, new FilterExpr.All(), null, false, false);
  }

  /** Also selects tenant-wide (organisation) memories. */
  public Selection withTenantWide() {
    return new Selection(scope, true, wholeTenant, filter, asOf, includeExpired, includeClosed);
  }

  /** Narrows by a filter. */
  public Selection filter(FilterExpr newFilter) {
    return new Selection(
        scope, includeTenantWide, wholeTenant, newFilter, asOf, includeExpired, includeClosed);
  }

  /** Looks at the tenant as it was at {@code t} (null: now). */
  public Selection asOf(@org.jspecify.annotations.Nullable Instant t) {
    return new Selection(
        scope, includeTenantWide, wholeTenant, filter, t, includeExpired, includeClosed);
  }

  /** Also returns expired memories (when not looking at a past instant). */
  public Selection includingExpired(boolean on) {
    return new Selection(scope, includeTenantWide, wholeTenant, filter, asOf, on, includeClosed);
  }

  /** Also returns closed versions (when not looking at a past instant). */
  public Selection includingClosed(boolean on) {
    return new Selection(scope, includeTenantWide, wholeTenant, filter, asOf, includeExpired, on);
  }

  /**
   * The filter stores apply: the caller's, narrowed to the memories visible in this view (current
   * ones, or those as of {@code asOf}; expired and closed ones when asked for).
   */
  public FilterExpr effectiveFilter(Instant now) {
    if (asOf != null) {
      return Visibility.and(filter, Visibility.asOf(asOf));
    }
    if (includeExpired && includeClosed) {
      return filter;
    }
    if (includeClosed) {
      return Visibility.and(filter, Visibility.unexpired(now));
    }
    if (includeExpired) {
      return Visibility.and(filter, Visibility.closedOrOpen(now));
    }
    return Visibility.and(filter, Visibility.current(now));
  }

  /** Whether a memory is visible in this view at {@code now} (the check after a search). */
  public boolean shows(Memory m, Instant now) {
    if (asOf != null) {
      return m.visibleAt(asOf);
    }
    if (includeClosed) {
      return includeExpired || Visibility.isUnexpired(m, now);
    }
    return includeExpired ? Visibility.isOpen(m, now) : Visibility.isCurrent(m, now);
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
