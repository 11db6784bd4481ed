package io.mnemo4j.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The full-text match passes, narrowest first. */
class TextPassesTest {
  @Test
  void oneTerm_isOnePass() {
    assertThat(TextSearch.passes("'tea'", "'tea'")).containsExactly("'tea'");
  }

  @Test
  void twoTerms_areAllThenAny() {
    assertThat(TextSearch.passes("'green' & 'tea'", "'green' | 'tea'"))
        .containsExactly("'green' & 'tea'", "'green' | 'tea'");
  }

  @Test
  void threeTerms_addAnyTwoBetween() {
    assertThat(TextSearch.passes("'a' & 'b' & 'c'", "'a' | 'b' | 'c'"))
        .containsExactly(
            "'a' & 'b' & 'c'", "('a' & 'b') | ('a' & 'c') | ('b' & 'c')", "'a' | 'b' | 'c'");
  }
}
