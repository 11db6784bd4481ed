package io.mnemo4j.llm.langchain4j;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Parses the wait a provider asks for. Stateless, thread-safe.
 *
 * <p>RFC 9110 allows {@code Retry-After} as delta-seconds or as an HTTP-date; OpenAI and Azure also
 * send {@code retry-after-ms}, which is more precise, so it wins when present.
 */
final class RetryAfter {
  private RetryAfter() {}

  /**
   * The wait from a {@code retry-after-ms} and a {@code Retry-After} header value (either may be
   * absent), measured from {@code now} for an HTTP-date; empty when neither parses.
   */
  static Optional<Duration> parse(
      Optional<String> retryAfterMs, Optional<String> retryAfter, Instant now) {
    Optional<Duration> millis = retryAfterMs.flatMap(RetryAfter::parseMillis);
    return millis.isPresent() ? millis : retryAfter.flatMap(value -> parse(value, now));
  }

  /** The wait a {@code Retry-After} value asks for, or empty when it is malformed. */
  static Optional<Duration> parse(String value, Instant now) {
    String text = value.trim();
    if (text.isEmpty()) {
      return Optional.empty();
    }
    if (text.chars().allMatch(Character::isDigit)) {
      try {
        return Optional.of(Duration.ofSeconds(Long.parseLong(text)));
      } catch (NumberFormatException tooLong) {
        return Optional.empty();
      }
    }
    try {
      Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      // A date already past means "now": the provider's clock may run slightly ahead of ours.
      return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
    } catch (DateTimeParseException malformed) {
      return Optional.empty();
    }
  }

  private static Optional<Duration> parseMillis(String value) {
    try {
      double millis = Double.parseDouble(value.trim());
      if (!Double.isFinite(millis) || millis < 0) {
        return Optional.empty();
      }
      return Optional.of(Duration.ofNanos(Math.round(millis * 1_000_000)));
    } catch (NumberFormatException malformed) {
      return Optional.empty();
    }
  }
}
