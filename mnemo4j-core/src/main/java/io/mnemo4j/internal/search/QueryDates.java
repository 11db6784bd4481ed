package io.mnemo4j.internal.search;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The calendar dates an English query names, as UTC periods: a day ("8 May 2023", "May 8, 2023",
 * "the 8th of May, 2023"), a month ("May 2023", "July of 2023") or a year ("in 2023", 1900 to
 * 2099). A month or a day without a year names nothing (relative and yearless dates are left out:
 * they would need the search's clock and a guess). Immutable and thread-safe.
 *
 * @param periods the named periods, in the order the query names them (at most {@link
 *     #MAX_PERIODS})
 */
record QueryDates(List<Period> periods) {
  /** A query naming no date. */
  static final QueryDates NONE = new QueryDates(List.of());

  /** The most periods read from one query: a bound on the per-memory cost of matching. */
  static final int MAX_PERIODS = 8;

  private static final String MONTH =
      "(january|february|march|april|may|june|july|august|september|october|november|december)";
  private static final String DAY = "(\\d{1,2})(?:st|nd|rd|th)?";
  private static final String YEAR = "((?:19|20)\\d\\d)";

  /**
   * One pass over the query: "D Month YYYY" (groups 1-3), "Month [D] YYYY" (groups 4-6) or a bare
   * year (group 7). Commas and "of" may sit between the parts.
   */
  private static final Pattern DATE =
      Pattern.compile(
          "\\b(?:"
              + DAY
              + "\\s+(?:of\\s+)?"
              + MONTH
              + ",?\\s+(?:of\\s+)?"
              + YEAR
              + "|"
              + MONTH
              + "(?:\\s+"
              + DAY
              + ")?,?\\s+(?:of\\s+)?"
              + YEAR
              + "|"
              + YEAR
              + ")\\b",
          Pattern.CASE_INSENSITIVE);

  /** A period of time, from {@code start} inclusive to {@code end} exclusive. */
  record Period(Instant start, Instant end) {
    /** Whether {@code t} lies in this period. */
    boolean contains(Instant t) {
      return !t.isBefore(start) && t.isBefore(end);
    }
  }

  /** The dates {@code query} names; never throws, {@link #NONE} when it names none. */
  static QueryDates parse(String query) {
    // Cheap rejection: every form has a year, so a query without four digits in a row names none.
    if (!hasFourDigits(query)) {
      return NONE;
    }
    List<Period> out = new ArrayList<>(2);
    Matcher m = DATE.matcher(query);
    while (out.size() < MAX_PERIODS && m.find()) {
      Period p =
          m.group(1) != null
              ? day(m.group(3), m.group(2), m.group(1))
              : m.group(4) != null
                  ? (m.group(5) != null
                      ? day(m.group(6), m.group(4), m.group(5))
                      : month(m.group(6), m.group(4)))
                  : year(m.group(7));
      out.add(p);
    }
    return out.isEmpty() ? NONE : new QueryDates(List.copyOf(out));
  }

  /** Whether the query names no date. */
  boolean isEmpty() {
    return periods.isEmpty();
  }

  /** Whether {@code t} lies in a period the query names. */
  boolean matches(Instant t) {
    for (Period p : periods) {
      if (p.contains(t)) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasFourDigits(String s) {
    int run = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      run = c >= '0' && c <= '9' ? run + 1 : 0;
      if (run == 4) {
        return true;
      }
    }
    return false;
  }

  /** The day, or its month when the day does not exist in it (a "31 June 2023" names June). */
  private static Period day(String year, String monthName, String day) {
    int y = Integer.parseInt(year);
    int mo = monthNumber(monthName);
    try {
      LocalDate d = LocalDate.of(y, mo, Integer.parseInt(day));
      return new Period(start(d), start(d.plusDays(1)));
    } catch (DateTimeException e) {
      return month(year, monthName);
    }
  }

  private static Period month(String year, String monthName) {
    LocalDate first = LocalDate.of(Integer.parseInt(year), monthNumber(monthName), 1);
    return new Period(start(first), start(first.plusMonths(1)));
  }

  private static Period year(String year) {
    LocalDate first = LocalDate.of(Integer.parseInt(year), 1, 1);
    return new Period(start(first), start(first.plusYears(1)));
  }

  private static Instant start(LocalDate d) {
    return d.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  private static int monthNumber(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "january" -> 1;
      case "february" -> 2;
      case "march" -> 3;
      case "april" -> 4;
      case "may" -> 5;
      case "june" -> 6;
      case "july" -> 7;
      case "august" -> 8;
      case "september" -> 9;
      case "october" -> 10;
      case "november" -> 11;
      case "december" -> 12;
      default -> throw new IllegalArgumentException("not a month: " + name);
    };
  }
}
