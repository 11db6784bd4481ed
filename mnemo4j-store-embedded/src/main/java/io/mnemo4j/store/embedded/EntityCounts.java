package io.mnemo4j.store.embedded;

import io.mnemo4j.EntityCount;
import io.mnemo4j.EntityType;
import io.mnemo4j.Page;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.FixedBitSet;
import org.jspecify.annotations.Nullable;

/**
 * Counts a filter's matching documents per scope id straight from the index: the filter's matches
 * become one bit set per segment, then the terms of the scope field ({@code s:user}...) are walked
 * in order, merged across segments, each counting its postings that are in the bit set. Nothing is
 * loaded from SQLite, and a page stops as soon as it is full. Term order is UTF-8 byte order, that
 * is Unicode code point order. Stateless.
 */
final class EntityCounts {
  private EntityCounts() {}

  /**
   * One page of counts for {@code type}, after {@code after} (exclusive), skipping ids no matching
   * document carries.
   */
  static Page<EntityCount> page(
      IndexSearcher searcher, Query filter, EntityType type, @Nullable String after, int size)
      throws IOException {
    if (filter instanceof MatchNoDocsQuery) {
      return new Page<>(List.of(), null);
    }
    String field =
        switch (type) {
          case USER -> IndexSchema.SCOPE_USER;
          case AGENT -> IndexSchema.SCOPE_AGENT;
          case RUN -> IndexSchema.SCOPE_RUN;
        };
    Weight weight =
        searcher.createWeight(searcher.rewrite(filter), ScoreMode.COMPLETE_NO_SCORES, 1f);
    PriorityQueue<Segment> queue = new PriorityQueue<>((a, b) -> a.term.compareTo(b.term));
    for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
      Terms terms = leaf.reader().terms(field);
      Scorer scorer = weight.scorer(leaf);
      if (terms == null || scorer == null) {
        continue;
      }
      FixedBitSet matches = new FixedBitSet(leaf.reader().maxDoc());
      Bits live = leaf.reader().getLiveDocs();
      DocIdSetIterator it = scorer.iterator();
      for (int d = it.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = it.nextDoc()) {
        if (live == null || live.get(d)) {
          matches.set(d);
        }
      }
      Segment s = new Segment(terms.iterator(), matches);
      if (s.start(after)) {
        queue.add(s);
      }
    }
    List<EntityCount> items = new ArrayList<>();
    while (!queue.isEmpty()) {
      BytesRef current = BytesRef.deepCopyOf(queue.peek().term);
      long n = 0;
      while (!queue.isEmpty() && queue.peek().term.bytesEquals(current)) {
        Segment s = queue.poll();
        n += s.count();
        if (s.advance()) {
          queue.add(s);
        }
      }
      String id = current.utf8ToString();
      if (n == 0 || id.equals(IndexSchema.NO_ID)) {
        continue;
      }
      if (items.size() == size) {
        return new Page<>(items, items.getLast().id());
      }
      items.add(new EntityCount(type, id, n));
    }
    return new Page<>(items, null);
  }

  /** One segment's walk over the scope field's terms. Not thread-safe (one request). */
  private static final class Segment {
    final TermsEnum terms;
    final FixedBitSet matches;
    BytesRef term = new BytesRef();
    @Nullable PostingsEnum postings;

    Segment(TermsEnum terms, FixedBitSet matches) {
      this.terms = terms;
      this.matches = matches;
    }

    /** Positions on the first term after {@code after}; false when there is none. */
    boolean start(@Nullable String after) throws IOException {
      BytesRef t;
      if (after == null) {
        t = terms.next();
      } else {
        t =
            switch (terms.seekCeil(new BytesRef(after))) {
              case END -> null;
              case FOUND -> terms.next();
              case NOT_FOUND -> terms.term();
            };
      }
      return set(t);
    }

    boolean advance() throws IOException {
      return set(terms.next());
    }

    private boolean set(@Nullable BytesRef t) {
      if (t == null) {
        return false;
      }
      term = t;
      return true;
    }

    /** How many documents holding the current term match the filter. */
    long count() throws IOException {
      postings = terms.postings(postings, PostingsEnum.NONE);
      long n = 0;
      for (int d = postings.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = postings.nextDoc()) {
        if (matches.get(d)) {
          n++;
        }
      }
      return n;
    }
  }
}
