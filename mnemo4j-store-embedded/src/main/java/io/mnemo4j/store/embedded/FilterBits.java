package io.mnemo4j.store.embedded;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.ConstantScoreScorer;
import org.apache.lucene.search.ConstantScoreWeight;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.BitSetIterator;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.FixedBitSet;
import org.jspecify.annotations.Nullable;

/**
 * The documents a vector-search filter matches in one searcher's reader, per segment, computed once
 * and reused while that reader is current. Near-duplicate detection runs one vector search per
 * message an add ingests, nearly always with the same exact-scope filter: Lucene would otherwise
 * look up the scope's terms and build the same bit set in every segment for every message (half of
 * a near-duplicate search in JFR), and its own query cache skips small segments, which is what
 * frequent refreshes make. Thread-safe.
 */
final class FilterBits {
  /** Filters remembered per reader; more distinct filters than this and the map starts over. */
  static final int MAX_FILTERS = 64;

  /** The cache of one reader. */
  private record PerReader(IndexReader reader, Map<Query, Matches> filters) {}

  /**
   * A filter's matches: per segment (by ord) the matching documents, deleted ones included, or null
   * for none; whether it matches every live document of the reader; and how many live documents it
   * matches.
   */
  record Matches(@Nullable FixedBitSet[] leaves, boolean everyDoc, long count) {}

  private volatile @Nullable PerReader current;

  /** The filter's matches in the searcher's reader, from the cache when it has them. */
  Matches of(IndexSearcher searcher, Query filter) throws IOException {
    IndexReader reader = searcher.getIndexReader();
    PerReader cache = current;
    if (cache == null || cache.reader() != reader) {
      cache = new PerReader(reader, new ConcurrentHashMap<>());
      current = cache; // an older reader's entries are dropped with its map
    }
    Matches known = cache.filters().get(filter);
    if (known != null) {
      return known;
    }
    Matches computed = compute(searcher, filter);
    if (cache.filters().size() >= MAX_FILTERS) {
      cache.filters().clear();
    }
    cache.filters().put(filter, computed);
    return computed;
  }

  private static Matches compute(IndexSearcher searcher, Query filter) throws IOException {
    Weight weight =
        searcher.createWeight(searcher.rewrite(filter), ScoreMode.COMPLETE_NO_SCORES, 1f);
    var leaves = searcher.getIndexReader().leaves();
    FixedBitSet[] bits = new FixedBitSet[leaves.size()];
    boolean everyDoc = true;
    long count = 0;
    for (LeafReaderContext leaf : leaves) {
      Scorer scorer = weight.scorer(leaf);
      int live = 0;
      if (scorer != null) {
        FixedBitSet set = new FixedBitSet(leaf.reader().maxDoc());
        set.or(scorer.iterator());
        bits[leaf.ord] = set;
        live = liveCount(set, leaf.reader().getLiveDocs());
      }
      everyDoc &= live == leaf.reader().numDocs();
      count += live;
    }
    return new Matches(bits, everyDoc, count);
  }

  private static int liveCount(FixedBitSet set, @Nullable Bits liveDocs) {
    if (liveDocs == null) {
      return set.cardinality();
    }
    int live = 0;
    for (int d = set.nextSetBit(0);
        d != BitSetIterator.NO_MORE_DOCS;
        d = d + 1 < set.length() ? set.nextSetBit(d + 1) : BitSetIterator.NO_MORE_DOCS) {
      if (liveDocs.get(d)) {
        live++;
      }
    }
    return live;
  }

  /**
   * A query matching exactly the documents of {@code matches} in the reader they were computed on;
   * never cached by Lucene (it is a cache itself), equal only to itself.
   */
  static Query asQuery(Matches matches, Query source) {
    return new Query() {
      @Override
      public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) {
        return new ConstantScoreWeight(this, boost) {
          @Override
          public @Nullable ScorerSupplier scorerSupplier(LeafReaderContext context) {
            FixedBitSet set = matches.leaves()[context.ord];
            if (set == null) {
              return null;
            }
            Scorer scorer =
                new ConstantScoreScorer(
                    score(), scoreMode, new BitSetIterator(set, set.cardinality()));
            return new DefaultScorerSupplier(scorer);
          }

          @Override
          public boolean isCacheable(LeafReaderContext ctx) {
            return false;
          }
        };
      }

      @Override
      public String toString(String field) {
        return "FilterBits(" + source.toString(field) + ")";
      }

      @Override
      public void visit(QueryVisitor visitor) {
        visitor.visitLeaf(this);
      }

      @Override
      public boolean equals(Object other) {
        return this == other;
      }

      @Override
      public int hashCode() {
        return System.identityHashCode(this);
      }
    };
  }
}
