package io.mnemo4j.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The full-text match passes, narrowest first. */
class TextPassesTest {
  private static final int NARROW = TextSearch.TEXT_CANDIDATES;
  private static final int WIDE = TextSearch.WIDE_CANDIDATES;

  @Test
  void oneTerm_isOnePass() {
    assertThat(TextSearch.passes("'tea'", "'tea'"))
        .containsExactly(new TextSearch.Pass("'tea'", NARROW));
  }

  @Test
  void twoTerms_areAllThenAny() {
    assertThat(TextSearch.passes("'green' & 'tea'", "'green' | 'tea'"))
        .containsExactly(
            new TextSearch.Pass("'green' & 'tea'", NARROW),
            new TextSearch.Pass("'green' | 'tea'", WIDE));
  }

  @Test
  void threeTerms_addAnyTwoBetween() {
    assertThat(TextSearch.passes("'a' & 'b' & 'c'", "'a' | 'b' | 'c'"))
        .containsExactly(
            new TextSearch.Pass("'a' & 'b' & 'c'", NARROW),
            new TextSearch.Pass("(('a' & ('b' | 'c')) | ('b' & 'c'))", WIDE),
            new TextSearch.Pass("'a' | 'b' | 'c'", WIDE));
  }

  @Test
  void fourTerms_addAnyThreeBeforeAnyTwo() {
    List<String> terms = List.of("'a'", "'b'", "'c'", "'d'");
    assertThat(TextSearch.passes(String.join(" & ", terms), String.join(" | ", terms)))
        .containsExactly(
            new TextSearch.Pass("'a' & 'b' & 'c' & 'd'", NARROW),
            new TextSearch.Pass(TextSearch.atLeast(3, terms), NARROW),
            new TextSearch.Pass(TextSearch.atLeast(2, terms), WIDE),
            new TextSearch.Pass("'a' | 'b' | 'c' | 'd'", WIDE));
  }

  @Test
  void manyTerms_anyThreeAndAnyTwoOfTheFirstEight() {
    List<String> terms = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      terms.add("'w" + i + "'");
    }
    List<TextSearch.Pass> passes =
        TextSearch.passes(String.join(" & ", terms), String.join(" | ", terms));
    assertThat(passes)
        .extracting(TextSearch.Pass::match)
        .containsExactly(
            String.join(" & ", terms),
            TextSearch.atLeast(3, terms.subList(0, 8)),
            TextSearch.atLeast(2, terms.subList(0, 8)),
            String.join(" | ", terms));
    assertThat(passes.get(1).match()).doesNotContain("'w8'", "'w9'");
  }

  @Test
  void atLeast_outsideOneToTheTermCount_isRefused() {
    assertThatThrownBy(() -> TextSearch.atLeast(0, List.of("'a'")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TextSearch.atLeast(3, List.of("'a'", "'b'")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * PostgreSQL itself judges the query: for up to eight terms and every threshold, a text matches
   * exactly when it holds that many of the terms, over every subset of the terms.
   */
  @Test
  void atLeast_matchesExactlyTheTextsHoldingThatManyTerms() throws Exception {
    try (Connection c = TestDatabase.connect("postgres");
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*) FILTER (WHERE (to_tsvector('simple', d) @@ ?::tsquery) <> e),"
                    + " count(*) FILTER (WHERE e) FROM unnest(?::text[], ?::boolean[]) AS u(d, e)")) {
      for (int n = 1; n <= 8; n++) {
        List<String> terms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          terms.add("'w" + i + "'");
        }
        for (int t = 1; t <= n; t++) {
          String[] texts = new String[1 << n];
          Boolean[] expected = new Boolean[1 << n];
          int holding = 0;
          for (int mask = 0; mask < 1 << n; mask++) {
            StringBuilder text = new StringBuilder("filler");
            for (int i = 0; i < n; i++) {
              if ((mask & 1 << i) != 0) {
                text.append(" w").append(i);
              }
            }
            texts[mask] = text.toString();
            expected[mask] = Integer.bitCount(mask) >= t;
            holding += expected[mask] ? 1 : 0;
          }
          ps.setString(1, TextSearch.atLeast(t, terms));
          ps.setArray(2, c.createArrayOf("text", texts));
          ps.setArray(3, c.createArrayOf("boolean", expected));
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            assertThat(rs.getLong(1)).as("texts judged wrongly, %d of %d terms", t, n).isZero();
            assertThat(rs.getLong(2)).as("texts holding %d of %d terms", t, n).isEqualTo(holding);
          }
        }
      }
    }
  }
}
