package io.mnemo4j.internal.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The lexical half of near-duplicate detection: its shortcut and its memo change no answer. */
class SameInformationTest {
  /**
   * Pieces that make contractions, their look-alikes and their neighbours likely: every apostrophe
   * the class folds, "cannot" in mixed case, characters whose lower case changes length.
   */
  private static final List<String> PIECES =
      List.of(
          "can't",
          "CAN\u2019T",
          "cannot",
          "CaNnOt",
          "won't",
          "shan't",
          "isn't",
          "I'm",
          "you're",
          "we've",
          "they'll",
          "she'd",
          "o'clock",
          "rock'n'roll",
          "\u00b4",
          "`",
          "\u02bc",
          "'",
          "don",
          "t",
          "not",
          "the",
          "a",
          "555-0100",
          "-3.5",
          "12:30",
          "5km",
          "\u0130",
          "\u00df",
          "\u212b",
          "\uff43annot",
          " ",
          " ",
          ", ",
          ".",
          "!",
          "\u2212",
          "%",
          "$",
          "please");

  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> piece =
        Arbitraries.oneOf(
            Arbitraries.of(PIECES),
            Arbitraries.strings().withCharRange(' ', '\u024f').ofMaxLength(6),
            Arbitraries.strings().all().ofMaxLength(3));
    return piece.list().ofMaxSize(12).map(p -> String.join("", p));
  }

  @Property(tries = 2000)
  void tokens_skippingThePatternsWhenNoneCanMatch_areTheTokensOfEveryPattern(
      @ForAll("texts") String text) {
    assertThat(SameInformation.tokens(text, true))
        .isEqualTo(SameInformation.tokens(text, true, true));
  }

  @Property(tries = 1000)
  void memo_reusedAcrossComparisons_answersAsAFreshOne(
      @ForAll("texts") String a, @ForAll("texts") String b, @ForAll("texts") String c) {
    SameInformation.Memo reused = new SameInformation.Memo();
    for (String[] pair : new String[][] {{a, b}, {b, c}, {a, c}, {c, a}, {a, a}}) {
      assertThat(reused.sameText(pair[0], pair[1]))
          .isEqualTo(new SameInformation.Memo().sameText(pair[0], pair[1]));
      assertThat(reused.sameInformation(pair[0], pair[1]))
          .isEqualTo(new SameInformation.Memo().sameInformation(pair[0], pair[1]));
    }
  }

  @Test
  void sameInformation_spellsOutContractionsOfAnyApostropheAndCase() {
    SameInformation.Memo words = new SameInformation.Memo();
    assertThat(words.sameInformation("I CANNOT come", "I can\u2019t come")).isTrue();
    assertThat(words.sameInformation("I cannot come", "I can come")).isFalse();
    assertThat(words.sameInformation("We\u2019ve met the team", "we have met team")).isTrue();
    assertThat(words.sameText("My number is 555-0100", "my number is 555-0199")).isFalse();
  }
}
