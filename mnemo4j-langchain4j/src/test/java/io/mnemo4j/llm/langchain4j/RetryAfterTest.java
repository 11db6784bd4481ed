package io.mnemo4j.llm.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
  private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");

  @Test
  void parse_seconds_duration() {
    assertThat(RetryAfter.parse("2", NOW)).contains(Duration.ofSeconds(2));
    assertThat(RetryAfter.parse(" 0 ", NOW)).contains(Duration.ZERO);
  }

  @Test
  void parse_httpDateInFuture_untilThen() {
    assertThat(RetryAfter.parse("Wed, 01 Jan 2025 12:00:30 GMT", NOW))
        .contains(Duration.ofSeconds(30));
  }

  @Test
  void parse_httpDateInPast_zero() {
    assertThat(RetryAfter.parse("Wed, 01 Jan 2025 11:59:00 GMT", NOW)).contains(Duration.ZERO);
  }

  @Test
  void parse_malformed_empty() {
    assertThat(RetryAfter.parse("soon", NOW)).isEmpty();
    assertThat(RetryAfter.parse("-5", NOW)).isEmpty();
    assertThat(RetryAfter.parse("1.5", NOW)).isEmpty();
    assertThat(RetryAfter.parse("", NOW)).isEmpty();
    assertThat(RetryAfter.parse("99999999999999999999999", NOW)).isEmpty();
  }

  @Test
  void parse_retryAfterMs_winsOverRetryAfter() {
    assertThat(RetryAfter.parse(Optional.of("250.5"), Optional.of("9"), NOW))
        .contains(Duration.ofNanos(250_500_000));
  }

  @Test
  void parse_retryAfterMsMalformed_fallsBackToRetryAfter() {
    assertThat(RetryAfter.parse(Optional.of("x"), Optional.of("9"), NOW))
        .contains(Duration.ofSeconds(9));
    assertThat(RetryAfter.parse(Optional.of("-1"), Optional.empty(), NOW)).isEmpty();
  }
}
