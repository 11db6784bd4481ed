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
 * frequent refreshes make. A segment's matches never change (a document's fields are fixed; an
 * update deletes it and adds another), so they are also kept per segment across readers: a refresh
 * that adds one small segment computes the filter on that segment alone, where recomputing it on
 * every segment after each background refresh was a quarter of an add's near-duplicate check.
 * Thread-safe.
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

  /**
   * Per segment core (of the current reader), each filter's matches there, deleted documents
   * included; an empty optional for none.
   */
  private final Map<Object, Map<Query, java.util.Optional<FixedBitSet>>> segments =
      new ConcurrentHashMap<>();

  /** The filter's matches in the searcher's reader, from the cache when it has them. */
  Matches of(IndexSearcher searcher, Query filter) throws IOException {
    IndexReader reader = searcher.getIndexReader();
    PerReader cache = current;
    if (cache == null || cache.reader() != reader) {
      cache = new PerReader(reader, new ConcurrentHashMap<>());
      current = cache; // an older reader's entries are dropped with its map
      // Segments merged away are dropped with their matches.
      java.util.Set<Object> cores = new java.util.HashSet<>();
      for (LeafReaderContext leaf : reader.leaves()) {
        IndexReader.CacheHelper helper = leaf.reader().getCoreCacheHelper();
        if (helper != null) {
          cores.add(helper.getKey());
        }
      }
      segments.keySet().retainAll(cores);
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

  private Matches compute(IndexSearcher searcher, Query filter) throws IOException {
    Weight weight = null;
    var leaves = searcher.getIndexReader().leaves();
    FixedBitSet[] bits = new FixedBitSet[leaves.size()];
    boolean everyDoc = true;
    long count = 0;
    for (LeafReaderContext leaf : leaves) {
      IndexReader.CacheHelper helper = leaf.reader().getCoreCacheHelper();
      Map<Query, java.util.Optional<FixedBitSet>> known =
          helper == null
              ? null
              : segments.computeIfAbsent(helper.getKey(), k -> new ConcurrentHashMap<>());
      java.util.Optional<FixedBitSet> matched = known == null ? null : known.get(filter);
      if (matched == null) {
        if (weight == null) {
          weight =
              searcher.createWeight(searcher.rewrite(filter), ScoreMode.COMPLETE_NO_SCORES, 1f);
        }
        Scorer scorer = weight.scorer(leaf);
        FixedBitSet set = null;
        if (scorer != null) {
          set = new FixedBitSet(leaf.reader().maxDoc());
          set.or(scorer.iterator());
        }
        matched = java.util.Optional.ofNullable(set);
        if (known != null) {
          if (known.size() >= MAX_FILTERS) {
            known.clear();
          }
          known.put(filter, matched);
        }
      }
      int live = 0;
      if (matched.isPresent()) {
        bits[leaf.ord] = matched.get();
        live = liveCount(matched.get(), leaf.reader().getLiveDocs());
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
    if (liveDocs instanceof FixedBitSet live && live.length() == set.length()) {
      return (int) FixedBitSet.intersectionCount(set, live);
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
