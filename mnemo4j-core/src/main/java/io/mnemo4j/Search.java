package io.mnemo4j;

import io.mnemo4j.filter.FilterExpr;
import java.util.Objects;

/**
 * Options of one {@link TenantMemory#search}: which memories, how many, how relevant. Immutable;
 * each {@code with} method returns a copy.
 *
 * <pre>{@code Search.in(Scope.user("alice")).withTenantWide().limit(5)}</pre>
 *
 * @param selection scope and filter
 * @param limit maximum hits, 1 to 1000 (default 10)
 * @param threshold minimum {@link Hit#similarity()} a hit needs, the query-to-memory cosine, 0 to
 *     1; 0 (the default) means no threshold
 * @param mode which rankers run (default {@link Mode#HYBRID})
 */
public record Search(Selection selection, int limit, double threshold, Mode mode) {
  /** Default number of hits. */
  public static final int DEFAULT_LIMIT = 10;

  /** Largest limit accepted. */
  public static final int MAX_LIMIT = 1000;

  /** Validates limit and threshold. */
  public Search {
    Objects.requireNonNull(selection, "selection");
    Objects.requireNonNull(mode, "mode");
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidRequestException(
          "limit", "limit must be 1 to " + MAX_LIMIT + ", got " + limit);
    }
    // A cosine similarity threshold above 1 can never match: refuse it instead of silently
    // answering nothing.
    if (!Double.isFinite(threshold) || threshold < 0 || threshold > 1) {
      throw new InvalidRequestException("threshold", "threshold must be a number from 0 to 1");
    }
  }

  /** A search inside {@code scope} with default options. */
  public static Search in(Scope scope) {
    return new Search(Selection.in(scope), DEFAULT_LIMIT, 0, Mode.HYBRID);
  }

  /** A search over the whole tenant, asked for explicitly. */
  public static Search everywhere() {
    return new Search(Selection.everywhere(), DEFAULT_LIMIT, 0, Mode.HYBRID);
  }

  /** Also returns tenant-wide (organisation) memories, ranked in the same list. */
  public Search withTenantWide() {
    return new Search(selection.withTenantWide(), limit, threshold, mode);
  }

  /** Narrows by a filter. */
  public Search filter(FilterExpr filter) {
    return new Search(selection.filter(filter), limit, threshold, mode);
  }

  /** Sets the maximum number of hits. */
  public Search limit(int newLimit) {
    return new Search(selection, newLimit, threshold, mode);
  }

  /** Sets the minimum {@link Hit#similarity()} a hit needs (0: none). */
  public Search threshold(double newThreshold) {
    return new Search(selection, limit, newThreshold, mode);
  }

  /** Sets which rankers run. */
  public Search mode(Mode newMode) {
    return new Search(selection, limit, threshold, newMode);
  }

  /** A copy searching the tenant as it was at {@code t} (null: now). */
  public Search asOf(java.time.@org.jspecify.annotations.Nullable Instant t) {
    return new Search(selection.asOf(t), limit, threshold, mode);
  }

  /** A copy that also finds expired memories. */
  public Search includingExpired(boolean on) {
    return new Search(selection.includingExpired(on), limit, threshold, mode);
  }

  /** Which rankers a search runs. */
  public enum Mode {
    /** Dense vectors and BM25, fused. The default. */
    HYBRID,
    /** Dense vectors only. */
    DENSE,
    /** BM25 only. */
    TEXT
  }
}
