package io.mnemo4j;

import java.time.Instant;

/**
 * The instants Mnemo4j accepts from callers: years 0001 to 9999 in UTC, the range of a four-digit
 * ISO-8601 year. {@link Instant} itself reaches a billion years, which overflows epoch
 * milliseconds, index encodings and database columns: a date such as {@code +999999999-12-31} is
 * refused where it enters, with a 400 naming the field, instead of failing deep inside a store.
 * Stateless and thread-safe.
 */
public final class TimeRange {
  /** The earliest instant accepted: 0001-01-01T00:00:00Z. */
  public static final Instant MIN = Instant.parse("0001-01-01T00:00:00Z");

  /** The latest instant accepted: 9999-12-31T23:59:59.999999999Z. */
  public static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999999Z");

  private TimeRange() {}

  /** Whether {@code t} lies in [{@link #MIN}, {@link #MAX}]. */
  public static boolean contains(Instant t) {
    return !t.isBefore(MIN) && !t.isAfter(MAX);
  }

  /** Returns {@code t} when it lies in the accepted range, else refuses it naming {@code field}. */
  public static Instant check(String field, Instant t) {
    if (!contains(t)) {
      throw new InvalidRequestException(
          field, field + " must lie between the years 0001 and 9999 (UTC)");
    }
    return t;
  }
}
