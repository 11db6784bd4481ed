package io.mnemo4j.internal;

import io.mnemo4j.Memory;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.filter.FilterExpr.Field;
import io.mnemo4j.filter.FilterExpr.Kind;
import io.mnemo4j.filter.FilterExpr.Op;
import io.mnemo4j.filter.FilterExpr.Value;
import java.time.Instant;
import java.util.List;

/**
 * Which memories count at a moment. Current (the default view): not expired and not closed (no
 * {@code valid_to} at or before now). As of an instant T: known by T ({@code created_at <= T}), not
 * expired at T, and valid at T ({@code valid_from <= T < valid_to}, open ends allowed). Stateless.
 */
public final class Visibility {
  private Visibility() {}

  /** Whether {@code m} is in the current view at {@code now}. */
  public static boolean isCurrent(Memory m, Instant now) {
    return (m.expiresAt() == null || m.expiresAt().isAfter(now)) && isOpen(m, now);
  }

  /** Whether {@code m} has not expired at {@code now} (closed or not). */
  public static boolean isUnexpired(Memory m, Instant now) {
    return m.expiresAt() == null || m.expiresAt().isAfter(now);
  }

  /** Whether {@code m} is not closed at {@code now} (expired or not). */
  public static boolean isOpen(Memory m, Instant now) {
    return m.validTo() == null || m.validTo().isAfter(now);
  }

  /** The current view as a filter, for stores to apply before paging and counting. */
  public static FilterExpr current(Instant now) {
    return new FilterExpr.And(
        List.of(openOrAfter(Kind.EXPIRES_AT, now), openOrAfter(Kind.VALID_TO, now)));
  }

  /** Open facts only (expired ones included): the current view without the expiry rule. */
  public static FilterExpr closedOrOpen(Instant now) {
    return openOrAfter(Kind.VALID_TO, now);
  }

  /** Unexpired memories, closed versions included: the current view without the validity rule. */
  public static FilterExpr unexpired(Instant now) {
    return openOrAfter(Kind.EXPIRES_AT, now);
  }

  /** The view as of {@code t} as a filter. */
  public static FilterExpr asOf(Instant t) {
    Value at = new Value.Time(t);
    return new FilterExpr.And(
        List.of(
            new FilterExpr.Compare(Field.of(Kind.CREATED_AT), Op.LTE, at),
            openOrAfter(Kind.EXPIRES_AT, t),
            openOrAfter(Kind.VALID_TO, t),
            new FilterExpr.Or(
                List.of(
                    new FilterExpr.Not(new FilterExpr.Present(Field.of(Kind.VALID_FROM))),
                    new FilterExpr.Compare(Field.of(Kind.VALID_FROM), Op.LTE, at)))));
  }

  /** The filter {@code base} narrowed to a view ({@code All} stays simple). */
  public static FilterExpr and(FilterExpr base, FilterExpr view) {
    return base instanceof FilterExpr.All ? view : new FilterExpr.And(List.of(base, view));
  }

  private static FilterExpr openOrAfter(Kind kind, Instant t) {
    return new FilterExpr.Or(
        List.of(
            new FilterExpr.Not(new FilterExpr.Present(Field.of(kind))),
            new FilterExpr.Compare(Field.of(kind), Op.GT, new Value.Time(t))));
  }
}
