package io.mnemo4j.internal.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.ZoneOffset;
import java.time.format.TextStyle;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Issue 15: the calendar dates {@link QueryDates} reads from a query, as UTC periods. */
class QueryDatesTest {
  @Test
  void parse_readsADayInEitherOrder_aMonthWithItsYear_andABareYear() {
    assertThat(QueryDates.parse("What did Mel paint on 8 May, 2023?").periods())
        .containsExactly(period("2023-05-08", "2023-05-09"));
    assertThat(QueryDates.parse("Where was she on May 8th, 2023").periods())
        .containsExactly(period("2023-05-08", "2023-05-09"));
    assertThat(QueryDates.parse("the 21st of june 2022").periods())
        .containsExactly(period("2022-06-21", "2022-06-22"));
    assertThat(QueryDates.parse("What did Mel and her kids paint in July 2023?").periods())
        .containsExactly(period("2023-07-01", "2023-08-01"));
    assertThat(QueryDates.parse("plans for December of 1999").periods())
        .containsExactly(period("1999-12-01", "2000-01-01"));
    assertThat(QueryDates.parse("What happened in 2022 and in March 2023?").periods())
        .containsExactly(period("2022-01-01", "2023-01-01"), period("2023-03-01", "2023-04-01"));
  }

  @Test
  void parse_namesNothing_forYearlessDatesOtherNumbersAndModalMay() {
    assertThat(QueryDates.parse("When did Melanie go camping in June?").isEmpty()).isTrue();
    assertThat(QueryDates.parse("on 8 May").isEmpty()).isTrue();
    assertThat(QueryDates.parse("May I ask about the 12345 items or 1850 or 2100").isEmpty())
        .isTrue();
    assertThat(QueryDates.parse("order 20231 shipped").isEmpty()).isTrue();
  }

  @Test
  void parse_takesTheMonth_whenTheDayDoesNotExistInIt() {
    assertThat(QueryDates.parse("31 June 2023").periods())
        .containsExactly(period("2023-06-01", "2023-07-01"));
  }

  @Test
  void matches_isTrueWithinANamedPeriod_startInclusiveEndExclusive() {
    QueryDates may = QueryDates.parse("May 2023");
    assertThat(may.matches(Instant.parse("2023-05-01T00:00:00Z"))).isTrue();
    assertThat(may.matches(Instant.parse("2023-05-31T23:59:59Z"))).isTrue();
    assertThat(may.matches(Instant.parse("2023-06-01T00:00:00Z"))).isFalse();
    assertThat(may.matches(Instant.parse("2023-04-30T23:59:59Z"))).isFalse();
    assertThat(QueryDates.NONE.matches(Instant.parse("2023-05-10T00:00:00Z"))).isFalse();
  }

  @Property(tries = 2000)
  void parse_neverThrows_andReadsAtMostTheBoundOfPeriods(@ForAll String query) {
    QueryDates dates = QueryDates.parse(query);
    assertThat(dates.periods()).hasSizeLessThanOrEqualTo(QueryDates.MAX_PERIODS);
    for (QueryDates.Period p : dates.periods()) {
      assertThat(p.start()).isBefore(p.end());
    }
  }

  @Property(tries = 1000)
  void parse_neverThrows_onTextMadeOfDateParts(@ForAll("dateSoup") String query) {
    QueryDates dates = QueryDates.parse(query);
    assertThat(dates.periods()).hasSizeLessThanOrEqualTo(QueryDates.MAX_PERIODS);
  }

  @Property(tries = 1000)
  void parse_findsTheDayOfAGeneratedPhrase_inEveryForm(
      @ForAll("days") LocalDate day, @ForAll("forms") int form, @ForAll("fillers") String filler) {
    String month = day.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
    String date =
        switch (form) {
          case 0 -> day.getDayOfMonth() + " " + month + " " + day.getYear();
          case 1 -> day.getDayOfMonth() + " " + month + ", " + day.getYear();
          case 2 -> month + " " + day.getDayOfMonth() + ", " + day.getYear();
          default ->
              month.toLowerCase(Locale.ROOT) + " " + day.getDayOfMonth() + " " + day.getYear();
        };
    QueryDates dates = QueryDates.parse(filler + " on " + date + "? " + filler);
    Instant noon = day.atTime(12, 0).toInstant(ZoneOffset.UTC);
    assertThat(dates.periods()).contains(period(day.toString(), day.plusDays(1).toString()));
    assertThat(dates.matches(noon)).isTrue();
    assertThat(dates.matches(noon.plusSeconds(86_400))).isFalse();
  }

  @Property(tries = 500)
  void parse_findsTheMonthAndTheYear_ofGeneratedPhrases(
      @ForAll("days") LocalDate day, @ForAll("fillers") String filler) {
    String month = day.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
    LocalDate first = day.withDayOfMonth(1);
    assertThat(QueryDates.parse(filler + " in " + month + " " + day.getYear()).periods())
        .containsExactly(period(first.toString(), first.plusMonths(1).toString()));
    assertThat(QueryDates.parse(filler + " back in " + day.getYear() + ".").periods())
        .containsExactly(
            period(day.withDayOfYear(1).toString(), day.withDayOfYear(1).plusYears(1).toString()));
  }

  @Provide
  Arbitrary<LocalDate> days() {
    return Arbitraries.integers()
        .between(0, 200 * 366 - 1)
        .map(n -> LocalDate.of(1900, 1, 1).plusDays(n))
        .filter(d -> d.getYear() <= 2099);
  }

  @Provide
  Arbitrary<Integer> forms() {
    return Arbitraries.integers().between(0, 3);
  }

  /** Words without digits, so the phrase holds no date but the generated one. */
  @Provide
  Arbitrary<String> fillers() {
    return Arbitraries.of("What did Mel paint", "", "When did John, and Maria", "the trip", "Ok")
        .list()
        .ofMaxSize(3)
        .map(l -> String.join(" ", l));
  }

  /** Month names, numbers, commas and "of" in any order: the parser's own material. */
  @Provide
  Arbitrary<String> dateSoup() {
    Arbitrary<String> part =
        Arbitraries.oneOf(
            Arbitraries.of(Month.values())
                .map(m -> m.getDisplayName(TextStyle.FULL, Locale.ENGLISH)),
            Arbitraries.integers().between(0, 3000).map(String::valueOf),
            Arbitraries.of(",", "of", "th", "st", " ", "\u00a0", "-", "2023", "31"));
    return Combinators.combine(part.list().ofMaxSize(30), Arbitraries.of(" ", "", ","))
        .as((parts, sep) -> String.join(sep, parts));
  }

  private static QueryDates.Period period(String from, String to) {
    return new QueryDates.Period(
        LocalDate.parse(from).atStartOfDay(ZoneOffset.UTC).toInstant(),
        LocalDate.parse(to).atStartOfDay(ZoneOffset.UTC).toInstant());
  }
}
