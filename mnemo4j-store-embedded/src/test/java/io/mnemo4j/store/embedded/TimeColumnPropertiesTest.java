package io.mnemo4j.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.testing.NearMisses;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Time columns are parsed by a direct reading of {@link Instant#toString}'s form, with {@link
 * Instant#parse} behind it: both must agree on every stored time, and on any other text (same
 * instant, or both refusing it).
 */
class TimeColumnPropertiesTest {
  private static final long MIN = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
  private static final long MAX = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

  @Property(tries = 2000)
  void everyStoredTime_readsBackAsItself_throughTheDirectReading(
      @ForAll("instants") Instant instant) {
    String stored = Sqlite.time(instant);
    assertThat(Sqlite.parseCanonical(stored)).isEqualTo(instant);
    assertThat(Sqlite.parseTime(stored)).isEqualTo(instant);
  }

  @Property(tries = 3000)
  void anyText_parsesAsInstantParseDoes(@ForAll("nearlyTimes") String text) {
    Instant expected;
    try {
      expected = Instant.parse(text);
    } catch (DateTimeParseException e) {
      assertThatThrownBy(() -> Sqlite.parseTime(text)).isInstanceOf(DateTimeParseException.class);
      return;
    }
    assertThat(Sqlite.parseTime(text)).isEqualTo(expected);
  }

  @Provide
  Arbitrary<Instant> instants() {
    Arbitrary<Integer> nanos =
        Arbitraries.oneOf(
            Arbitraries.just(0),
            Arbitraries.integers().between(0, 999).map(ms -> ms * 1_000_000),
            Arbitraries.integers().between(0, 999_999).map(us -> us * 1_000),
            Arbitraries.integers().between(0, 999_999_999));
    return Combinators.combine(Arbitraries.longs().between(MIN, MAX), nanos)
        .as(Instant::ofEpochSecond);
  }

  /**
   * Stored times cut short, or with one character dropped, inserted or replaced, plus a few
   * hand-picked edge cases.
   */
  @Provide
  Arbitrary<String> nearlyTimes() {
    Arbitrary<String> mutated =
        NearMisses.of(
            instants().map(Instant::toString), Arbitraries.chars().with("0123456789-:.TZz+ x"));
    Arbitrary<String> edges =
        Arbitraries.of(
            "2026-02-29T00:00:00Z",
            "2024-02-29T00:00:00Z",
            "2026-04-31T10:00:00Z",
            "2026-12-06T24:00:00Z",
            "2026-12-06T23:59:60Z",
            "2026-12-06T03:04:44.1Z",
            "2026-12-06T03:04:44.1234Z",
            "2026-12-06t03:04:44Z",
            "+10000-01-01T00:00:00Z",
            "-0001-01-01T00:00:00Z",
            "0000-00-01T00:00:00Z",
            "2026-12-06T03:04:44.-23Z",
            "");
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, mutated), net.jqwik.api.Tuple.of(2, edges));
  }
}
