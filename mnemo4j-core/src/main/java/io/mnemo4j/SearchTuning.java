package io.mnemo4j;

/**
 * How hybrid search ranks: the fusion method and its weights. The defaults are the values measured
 * best on the LoCoMo retrieval protocol (see README); change them only with a measurement.
 * Immutable.
 *
 * @param fusion how the dense and BM25 lists are combined
 * @param denseWeight weight of the dense list (BM25 gets {@code 1 - denseWeight}), 0 to 1
 * @param candidates how many candidates each ranker contributes, at least the requested limit
 * @param rrfK the rank constant of reciprocal-rank fusion
 * @param actorBoost added to the fused score of a memory whose actor (speaker) the query names; 0
 *     turns it off
 */
public record SearchTuning(
    Fusion fusion, double denseWeight, int candidates, int rrfK, double actorBoost) {
  /** Validates the numbers, naming the setting. */
  public SearchTuning {
    if (!(denseWeight >= 0 && denseWeight <= 1)) {
      throw new InvalidRequestException(
          "denseWeight", "denseWeight must be within [0, 1], got " + denseWeight);
    }
    if (candidates < 1 || candidates > 10_000) {
      throw new InvalidRequestException(
          "candidates", "candidates must be 1 to 10000, got " + candidates);
    }
    if (!(actorBoost >= 0 && actorBoost <= 10)) {
      throw new InvalidRequestException(
          "actorBoost", "actorBoost must be within [0, 10], got " + actorBoost);
    }
    if (rrfK < 1) {
      throw new InvalidRequestException("rrfK", "rrfK must be at least 1, got " + rrfK);
    }
  }

  /**
   * The measured defaults: min-max linear fusion, equal weights, 200 candidates per ranker, actor
   * boost 0.3. On the LoCoMo development split (README) these beat reciprocal-rank fusion by 0.08
   * recall@10 and z-score fusion by 0.01.
   */
  public static SearchTuning defaults() {
    return new SearchTuning(Fusion.LINEAR, 0.4, 200, 60, 0.3);
  }

  /** A copy with another fusion method. */
  public SearchTuning withFusion(Fusion f) {
    return new SearchTuning(f, denseWeight, candidates, rrfK, actorBoost);
  }

  /** A copy with another dense weight. */
  public SearchTuning withDenseWeight(double w) {
    return new SearchTuning(fusion, w, candidates, rrfK, actorBoost);
  }

  /** A copy with another candidate depth. */
  public SearchTuning withCandidates(int n) {
    return new SearchTuning(fusion, denseWeight, n, rrfK, actorBoost);
  }

  /** A copy with another rank constant for reciprocal-rank fusion. */
  public SearchTuning withRrfK(int k) {
    return new SearchTuning(fusion, denseWeight, candidates, k, actorBoost);
  }

  /** A copy with another actor boost. */
  public SearchTuning withActorBoost(double boost) {
    return new SearchTuning(fusion, denseWeight, candidates, rrfK, boost);
  }

  /** How two ranked lists become one. */
  public enum Fusion {
    /** Weighted sum of scores min-max normalised within each list. */
    LINEAR,
    /** Weighted reciprocal-rank fusion: {@code w / (k + rank)}. */
    RRF
  }
}
