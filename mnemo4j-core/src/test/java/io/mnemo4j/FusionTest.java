package io.mnemo4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mnemo4j.spi.ScoredId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FusionTest {
  private final List<ScoredId> dense =
      List.of(new ScoredId("a", 0.9), new ScoredId("b", 0.5), new ScoredId("c", 0.1));
  private final List<ScoredId> text = List.of(new ScoredId("c", 12.0), new ScoredId("a", 2.0));

  @Test
  void linear_normalisesEachListAndWeighs() {
    Map<String, Double> f =
        HybridSearch.fuse(
            dense,
            text,
            Search.Mode.HYBRID,
            SearchTuning.defaults().withFusion(SearchTuning.Fusion.LINEAR).withDenseWeight(0.5));
    assertThat(f.get("a")).isCloseTo(0.5 * 1.0 + 0.5 * 0.0, within(1e-9));
    assertThat(f.get("b")).isCloseTo(0.5 * 0.5, within(1e-9));
    assertThat(f.get("c")).isCloseTo(0.5 * 0.0 + 0.5 * 1.0, within(1e-9));
  }

  @Test
  void rrf_sumsReciprocalRanks() {
    Map<String, Double> f =
        HybridSearch.fuse(
            dense,
            text,
            Search.Mode.HYBRID,
            SearchTuning.defaults().withFusion(SearchTuning.Fusion.RRF).withDenseWeight(0.5));
    assertThat(f.get("a")).isCloseTo(0.5 / 61 + 0.5 / 62, within(1e-12));
    assertThat(f.get("c")).isCloseTo(0.5 / 63 + 0.5 / 61, within(1e-12));
  }

  @Test
  void denseOnly_keepsTheCosine() {
    Map<String, Double> f =
        HybridSearch.fuse(dense, List.of(), Search.Mode.DENSE, SearchTuning.defaults());
    assertThat(f).containsEntry("a", 0.9).containsEntry("c", 0.1);
  }
}
