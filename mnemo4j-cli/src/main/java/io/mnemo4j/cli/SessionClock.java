package io.mnemo4j.cli;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The clock {@code eval locomo} builds its {@code Mnemo} with, so that each session is replayed at
 * its date: while {@link #at} runs an add on a thread, that thread reads the session's date-time
 * (UTC), as a live application adding the turns as they happen would have stored them; at any other
 * time, and on any other thread, it reads the system clock. Conversations are ingested on several
 * threads at once, hence a time per thread. Thread-safe.
 */
final class SessionClock extends Clock {
  /** LoCoMo's session date-times, e.g. "1:56 pm on 8 May, 2023". */
  private static final DateTimeFormatter LOCOMO_DATE =
      new DateTimeFormatterBuilder()
          .parseCaseInsensitive()
          .appendPattern("h:mm a 'on' d MMMM, yyyy")
          .toFormatter(Locale.ENGLISH);

  /**
   * The replayed time of each thread; shared by every session clock, which is harmless as ingest
   * uses one ({@link LocomoIngest#CLOCK}) and {@link #at} restores what it found.
   */
  private static final ThreadLocal<@Nullable Instant> REPLAYED = new ThreadLocal<>();

  private final Clock system;

  /** A clock reading {@code system} outside {@link #at}. */
  SessionClock(Clock system) {
    this.system = system;
  }

  /** Runs {@code action} on this thread with the clock at {@code time} (the system's if null). */
  <T> T at(@Nullable Instant time, Supplier<T> action) {
    Instant before = REPLAYED.get();
    REPLAYED.set(time);
    try {
      return action.get();
    } finally {
      REPLAYED.set(before);
    }
  }

  /** A LoCoMo session date-time read as UTC; null when it is blank or not in LoCoMo's format. */
  static @Nullable Instant parseSessionDate(String text) {
    try {
      return LocalDateTime.parse(text.strip(), LOCOMO_DATE).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  @Override
  public Instant instant() {
    Instant t = REPLAYED.get();
    return t != null ? t : system.instant();
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    if (ZoneOffset.UTC.equals(zone)) {
      return this;
    }
    throw new UnsupportedOperationException("the session clock is in UTC only");
  }
}
