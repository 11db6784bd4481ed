package io.mnemo4j.internal.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mnemo4j.Hit;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Search;
import io.mnemo4j.SearchTuning;
import io.mnemo4j.spi.ScoredId;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The score formula of {@link SearchTuning} and the candidate bounds of {@link HybridSearch}. */
class RelevanceScoreTest {
  private final HybridSearch.Weights hybrid =
      HybridSearch.Weights.of(SearchTuning.defaults(), Search.Mode.HYBRID);

  @Test
  void score_isTheWeightedMeanOfSquaredCosineTextAndActor() {
    assertThat(hybrid.score(0.8, 0.5, false)).isCloseTo(0.5 * 0.64 + 0.4 * 0.5, within(1e-12));
    assertThat(hybrid.score(0.8, 0.5, true)).isCloseTo(0.5 * 0.64 + 0.4 * 0.5 + 0.1, within(1e-12));
  }

  @Test
  void score_staysWithinZeroAndOne_forAnyInput() {
    assertThat(hybrid.score(1, 1, true)).isEqualTo(1.0);
    assertThat(hybrid.score(-0.7, 0, false)).isZero();
    assertThat(hybrid.score(1.0000001, 1.5, true)).isEqualTo(1.0);
  }

  @Test
  void weights_ofASingleRankerMode_renormaliseSoAPerfectMatchScoresOne() {
    HybridSearch.Weights dense =
        HybridSearch.Weights.of(SearchTuning.defaults(), Search.Mode.DENSE);
    HybridSearch.Weights text = HybridSearch.Weights.of(SearchTuning.defaults(), Search.Mode.TEXT);
    assertThat(dense.text()).isZero();
    assertThat(dense.score(1, 0, true)).isCloseTo(1.0, within(1e-12));
    assertThat(dense.score(0.9, 0, false)).isCloseTo(0.81 * 0.5 / 0.6, within(1e-12));
    assertThat(text.dense()).isZero();
    assertThat(text.score(0, 1, true)).isCloseTo(1.0, within(1e-12));
    HybridSearch.Weights textOnly =
        HybridSearch.Weights.of(
            SearchTuning.defaults().withTextWeight(0).withActorWeight(0), Search.Mode.TEXT);
    assertThat(textOnly.score(0, 0.4, false)).isCloseTo(0.4, within(1e-12));
  }

  @Test
  void weights_countTheDateSignal_onlyForAQueryNamingADate() {
    SearchTuning tuning = SearchTuning.defaults().withDateWeight(0.1);
    HybridSearch.Weights dated = HybridSearch.Weights.of(tuning, Search.Mode.HYBRID, true);
    HybridSearch.Weights plain = HybridSearch.Weights.of(tuning, Search.Mode.HYBRID, false);
    assertThat(plain).isEqualTo(hybrid);
    assertThat(dated.score(0.8, 0.5, true, true))
        .isCloseTo((0.5 * 0.64 + 0.4 * 0.5 + 0.1 + 0.1) / 1.1, within(1e-12));
    assertThat(dated.score(0.8, 0.5, true, false))
        .isCloseTo((0.5 * 0.64 + 0.4 * 0.5 + 0.1) / 1.1, within(1e-12));
    assertThat(dated.score(1, 1, true, true)).isEqualTo(1.0);
    assertThat(HybridSearch.Weights.of(tuning.withDateWeight(0), Search.Mode.HYBRID, true))
        .isEqualTo(hybrid);
  }

  @Test
  void candidates_boundMissingSignalsByTheLastScoreOfACutList_andByZeroOtherwise_actorLeftOut() {
    List<ScoredId> dense = List.of(new ScoredId("a", 0.9), new ScoredId("b", 0.6));
    List<ScoredId> text = List.of(new ScoredId("c", 0.8), new ScoredId("a", 0.3));

    // depth 2: both lists are full, so "b" may still have up to 0.3 of text, "c" up to 0.6 cosine.
    List<HybridSearch.Candidate> cut = HybridSearch.candidates(dense, text, 2, hybrid);
    assertThat(cut).extracting(HybridSearch.Candidate::id).containsExactly("a", "c", "b");
    HybridSearch.Candidate b = cut.get(2);
    assertThat(b.textScore()).isNaN();
    assertThat(b.bound()).isCloseTo(hybrid.score(0.6, 0.3, false), within(1e-12));
    assertThat(cut.get(1).bound()).isCloseTo(hybrid.score(0.6, 0.8, false), within(1e-12));

    // depth 10: neither list was cut, so a memory missing from the text list holds no query term.
    List<HybridSearch.Candidate> whole = HybridSearch.candidates(dense, text, 10, hybrid);
    HybridSearch.Candidate b2 =
        whole.stream().filter(c -> c.id().equals("b")).findFirst().orElseThrow();
    assertThat(b2.textScore()).isZero();
    assertThat(b2.bound()).isCloseTo(hybrid.score(0.6, 0, false), within(1e-12));
  }

  /**
   * Issue 15: only a memory that can still enter the list with the largest lift looks its
   * neighbours up. The bar is the limit-th best of the kept scores and the floors other memories
   * are sure to reach, so every memory that could end at or above it survives and the list cannot
   * change.
   */
  @Test
  void entryBar_isTheLimitthBestOfKeptScoresAndFloors() {
    List<Hit> kept = List.of(hit("a", 0.9), hit("b", 0.5));
    double lift = 0.2;
    double[] floors = {0.84 / 1.2, 0.3 / 1.2, 0.6 / 1.2};

    // 0.9, 0.5 kept; 0.7, 0.25, 0.5 floors. Third best: 0.5.
    double bar = HybridSearch.entryBar(kept, floors, 3);

    assertThat(bar).isCloseTo(0.5, within(1e-12));
    // 0.3 lifted by a perfect neighbour reaches (0.3 + 0.2) / 1.2 = 0.417 < 0.5: no lookup.
    assertThat(HybridSearch.withLift(0.3, 1, lift)).isLessThan(bar);
    assertThat(HybridSearch.withLift(0.6, 1, lift)).isGreaterThanOrEqualTo(bar);
    assertThat(HybridSearch.entryBar(kept, floors, 6)).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(HybridSearch.entryBar(List.of(), floors, 1)).isCloseTo(0.7, within(1e-12));
  }

  private static Hit hit(String text, double score) {
    io.mnemo4j.Memory m =
        io.mnemo4j.testing.TestMemories.memory(
                io.mnemo4j.testing.TestMemories.id(text.charAt(0)),
                text,
                io.mnemo4j.Scope.user("alice"))
            .memory();
    return new Hit(m, score, score, Hit.Origin.SCOPE);
  }

  @Test
  void names_needsEveryWordOfTheActor_andNeverMatchesANameWithoutWords() {
    Set<String> query = HybridSearch.words("What did Mary Ann say to Bob?");
    assertThat(HybridSearch.names(query, "Mary Ann")).isTrue();
    assertThat(HybridSearch.names(query, "bob")).isTrue();
    assertThat(HybridSearch.names(query, "Mary Lou")).isFalse();
    assertThat(HybridSearch.names(query, "!!!")).isFalse();
  }

  @Test
  void tuning_refusesWeightsOutsideZeroToOne_andTwoZeroRankerWeights() {
    assertThatThrownBy(() -> SearchTuning.defaults().withDenseWeight(1.5))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("denseWeight");
    assertThatThrownBy(() -> SearchTuning.defaults().withActorWeight(-0.1))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("actorWeight");
    assertThatThrownBy(() -> SearchTuning.defaults().withDateWeight(1.01))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("dateWeight");
    assertThatThrownBy(() -> SearchTuning.defaults().withDateWeight(Double.NaN))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("dateWeight");
    assertThat(new SearchTuning(0.5, 0.4, 0.1, 0, 200).dateWeight()).isZero();
    assertThatThrownBy(() -> new SearchTuning(0, 0, 0.1, 0.2, 200))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("must not both be 0");
  }
}
