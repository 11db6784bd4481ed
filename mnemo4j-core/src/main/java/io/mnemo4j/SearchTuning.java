package io.mnemo4j;

/**
 * How hybrid search scores a memory. A hit's score is a weighted mean of three relevance signals,
 * each in [0, 1] and each a function of the query, the memory and the tenant's own collection only
 * (never of the other hits, the limit or the filter):
 *
 * <ul>
 *   <li><b>dense</b>: {@code max(0, cosine)²}, the query-to-memory cosine squared, so weak semantic
 *       resemblance (any two English sentences reach 0.4 with most models) counts little and close
 *       paraphrases count much;
 *   <li><b>text</b>: the store's full-text score (see {@link
 *       io.mnemo4j.spi.TenantStore#textSearch}): the share of the query's term weight the memory
 *       holds;
 *   <li><b>actor</b>: 1 when the query names the memory's actor (speaker), else 0;
 *   <li><b>date</b>: used only when the query names a calendar date with its year (English: "8 May
 *       2023", "May 8, 2023", "May 2023", "2023"): 1 when the memory was created (UTC) within a
 *       day, month or year the query names, else 0. A query naming no date leaves it out, weight
 *       and all, so its scores are those of a search without the signal.
 * </ul>
 *
 * <p>A memory's own relevance is {@code (denseWeight·dense + textWeight·text + actorWeight·actor +
 * dateWeight·date) / (sum of the weights of the signals the search mode uses)}. Its score adds the
 * relevance of its conversation: {@code score = (own + neighbourWeight·best) / (1 +
 * neighbourWeight)}, where {@code best} is the highest own relevance among the memories stored by
 * the same add up to two messages before or after it (a reply is often found through the question
 * it answers, and a fact through the turn that names its subject); a memory its add stored alone (a
 * chat app adding one message per call) has no conversation but itself, so its {@code best} is its
 * own relevance and its score is its own relevance. The score is in [0, 1] and depends on the
 * query, the memory, its neighbours in the conversation and the tenant's collection, never on the
 * other hits. The defaults were measured on the LoCoMo retrieval protocol (BENCHMARKS.md,
 * "Retrieval quality"); change them only with a measurement. Immutable.
 *
 * @param denseWeight weight of the dense signal, 0 to 1
 * @param textWeight weight of the text signal, 0 to 1
 * @param actorWeight weight of the actor signal, 0 to 1; 0 turns it off
 * @param neighbourWeight weight of the best neighbour's relevance, 0 to 1; 0 turns it off
 * @param candidates how many candidates each ranker contributes, at least the requested limit
 * @param dateWeight weight of the date signal, 0 to 1; 0 turns it off
 */
public record SearchTuning(
    double denseWeight,
    double textWeight,
    double actorWeight,
    double neighbourWeight,
    int candidates,
    double dateWeight) {
  /** The date signal's weight in {@link #defaults()}. */
  public static final double DEFAULT_DATE_WEIGHT = 0.05;

  /** The neighbour evidence's weight in {@link #defaults()}. */
  public static final double DEFAULT_NEIGHBOUR_WEIGHT = 0.2;

  /** Validates the numbers, naming the setting. */
  public SearchTuning {
    checkWeight("denseWeight", denseWeight);
    checkWeight("textWeight", textWeight);
    checkWeight("actorWeight", actorWeight);
    checkWeight("neighbourWeight", neighbourWeight);
    checkWeight("dateWeight", dateWeight);
    if (denseWeight + textWeight == 0) {
      throw new InvalidRequestException(
          "denseWeight", "denseWeight and textWeight must not both be 0");
    }
    if (candidates < 1 || candidates > 10_000) {
      throw new InvalidRequestException(
          "candidates", "candidates must be 1 to 10000, got " + candidates);
    }
  }

  /** The settings of the signals that came before the date signal, which this leaves off. */
  public SearchTuning(
      double denseWeight,
      double textWeight,
      double actorWeight,
      double neighbourWeight,
      int candidates) {
    this(denseWeight, textWeight, actorWeight, neighbourWeight, candidates, 0);
  }

  private static void checkWeight(String name, double w) {
    if (!(w >= 0 && w <= 1)) {
      throw new InvalidRequestException(name, name + " must be within [0, 1], got " + w);
    }
  }

  /**
   * The measured defaults: dense 0.5, text 0.4, actor 0.1, neighbours 0.2, date 0.05, 200
   * candidates per ranker. On the LoCoMo development split (BENCHMARKS.md) scores of their own beat
   * min-max fusion of the two ranked lists, which made a score depend on the other hits, by 0.03
   * recall@10; the date weight raised recall@10 on both halves of the split (tune 0.806 to 0.815,
   * confirm 0.734 to 0.738) with each session replayed at its date; the neighbour weight raises it
   * again on both halves (BENCHMARKS.md, "Neighbour evidence on by default") for a few tenths of a
   * millisecond per search on a 100,000-memory tenant, within issue 15's bound of 1 ms. Weight 0
   * turns neighbours off and skips their lookup.
   */
  public static SearchTuning defaults() {
    return new SearchTuning(0.5, 0.4, 0.1, DEFAULT_NEIGHBOUR_WEIGHT, 200, DEFAULT_DATE_WEIGHT);
  }

  /** A copy with another dense weight. */
  public SearchTuning withDenseWeight(double w) {
    return new SearchTuning(w, textWeight, actorWeight, neighbourWeight, candidates, dateWeight);
  }

  /** A copy with another text weight. */
  public SearchTuning withTextWeight(double w) {
    return new SearchTuning(denseWeight, w, actorWeight, neighbourWeight, candidates, dateWeight);
  }

  /** A copy with another actor weight. */
  public SearchTuning withActorWeight(double w) {
    return new SearchTuning(denseWeight, textWeight, w, neighbourWeight, candidates, dateWeight);
  }

  /** A copy with another neighbour weight. */
  public SearchTuning withNeighbourWeight(double w) {
    return new SearchTuning(denseWeight, textWeight, actorWeight, w, candidates, dateWeight);
  }

  /** A copy with another candidate depth. */
  public SearchTuning withCandidates(int n) {
    return new SearchTuning(denseWeight, textWeight, actorWeight, neighbourWeight, n, dateWeight);
  }

  /** A copy with another date weight (0 turns the date signal off). */
  public SearchTuning withDateWeight(double w) {
    return new SearchTuning(denseWeight, textWeight, actorWeight, neighbourWeight, candidates, w);
  }
}
