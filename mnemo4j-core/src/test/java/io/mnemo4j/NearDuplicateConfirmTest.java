package io.mnemo4j;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * With a context window, contextual vectors only nominate near-duplicates; word and word-pair
 * overlap confirms them. Regression: formulaic lines that share most single words ("fact number 7
 * about topic 49" / "fact number 49 about topic 343") were once dropped as duplicates of each
 * other.
 */
class NearDuplicateConfirmTest {
  @Test
  void confirm_rewordedRepeat_isADuplicate() {
    assertThat(VerbatimIngest.confirm("I like green tea", "I really like green tea", true))
        .isTrue();
    assertThat(VerbatimIngest.confirm("We ship on Tuesday.", "we ship on tuesday", true)).isTrue();
  }

  @Test
  void confirm_formulaicButDifferentLines_areNotDuplicates() {
    assertThat(
            VerbatimIngest.confirm(
                "fact number 7 about topic 49", "fact number 49 about topic 343", true))
        .isFalse();
    assertThat(VerbatimIngest.confirm("I like green tea", "I like black coffee", true)).isFalse();
  }

  @Test
  void confirm_withoutContext_trustsTheVector() {
    assertThat(VerbatimIngest.confirm("anything", "else entirely", false)).isTrue();
  }
}
