package io.mnemo4j.store.embedded;

import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredMemory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.CollectionStatistics;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * The text score of given memories for one query: {@code Σ boost·idf·tf/(tf + k1)} over the query
 * terms in the memory's text and (boost {@link IndexSchema#CONTEXT_BOOST}) its context, divided by
 * the query's maximum attainable {@code Σ boost·idf}, so in [0, 1]. This is BM25 with {@link
 * IndexSchema#BM25_K1} and b = 0 (no length normalisation), the similarity Lucene ranks with; it is
 * recomputed here from the postings, in one fixed order, so that the same memory gets the
 * bit-identical score whichever call asks (a ranked search, or {@link TenantEngine#textScores} for
 * ids the ranking left out), and so that scores never depend on a filter. Idf is BM25Similarity's,
 * {@code ln(1 + (docCount - docFreq + 0.5) / (docFreq + 0.5))}, over the tenant's whole index; a
 * term no memory holds in a field adds nothing to the maximum. One instance serves one searcher and
 * query; not thread-safe.
 */
final class TextScores {
  private static final List<String> FIELDS = List.of(IndexSchema.TEXT, IndexSchema.CONTEXT);

  private final IndexSearcher searcher;
  private final List<String> terms;

  /** boost × idf per field (outer, {@link #FIELDS} order) and term (inner, query order). */
  private final double[][] weights;

  private final double max;

  /** Per pending memory id, per field and query term, the term's frequency in that field. */
  private final Map<String, int[][]> pendingFreqs = new HashMap<>();

  /**
   * Scores for the searcher's documents and for {@code pending}, memories written since that the
   * searcher does not show yet: their term counts per field ({@link #FIELDS} order) come from
   * {@code analyzed} (which may remember them: a memory stays pending across many searches), and
   * they are counted in the collection statistics as a refresh would add them (Lucene counts a
   * replaced or removed document until a merge drops it, so the searcher's statistics stay as they
   * are), so that a memory scores as it will once the searcher shows it.
   */
  TextScores(
      IndexSearcher searcher,
      List<String> terms,
      List<StoredMemory> pending,
      Function<StoredMemory, List<Map<String, Integer>>> analyzed)
      throws IOException {
    this.searcher = searcher;
    this.terms = List.copyOf(terms);
    this.weights = new double[FIELDS.size()][terms.size()];
    int[] pendingDocCount = new int[FIELDS.size()];
    int[][] pendingDocFreq = new int[FIELDS.size()][terms.size()];
    for (StoredMemory m : pending) {
      List<Map<String, Integer>> counts = analyzed.apply(m);
      int[][] freqs = new int[FIELDS.size()][terms.size()];
      for (int f = 0; f < FIELDS.size(); f++) {
        Map<String, Integer> fieldCounts = counts.get(f);
        if (fieldCounts.isEmpty()) {
          continue; // no terms in the field: the index counts no document there
        }
        pendingDocCount[f]++;
        for (int t = 0; t < terms.size(); t++) {
          freqs[f][t] = fieldCounts.getOrDefault(terms.get(t), 0);
          pendingDocFreq[f][t] += freqs[f][t] > 0 ? 1 : 0;
        }
      }
      pendingFreqs.put(m.id(), freqs);
    }
    double sum = 0;
    for (int f = 0; f < FIELDS.size(); f++) {
      String field = FIELDS.get(f);
      CollectionStatistics stats = searcher.collectionStatistics(field);
      long docCount = (stats == null ? 0 : stats.docCount()) + pendingDocCount[f];
      if (docCount == 0) {
        continue;
      }
      double boost = field.equals(IndexSchema.TEXT) ? 1 : IndexSchema.CONTEXT_BOOST;
      for (int t = 0; t < terms.size(); t++) {
        int docFreq =
            searcher.getIndexReader().docFreq(new Term(field, terms.get(t))) + pendingDocFreq[f][t];
        if (docFreq > 0) {
          weights[f][t] = boost * Math.log(1 + (docCount - docFreq + 0.5D) / (docFreq + 0.5D));
          sum += weights[f][t];
        }
      }
    }
    this.max = sum;
  }

  /** A memory's term counts per field, {@link #FIELDS} order, as the index would hold them. */
  static List<Map<String, Integer>> analyze(StoredMemory m) {
    List<Map<String, Integer>> out = new ArrayList<>(FIELDS.size());
    for (String field : FIELDS) {
      String value = field.equals(IndexSchema.TEXT) ? m.memory().text() : m.context();
      // The index adds no context field for an empty context.
      out.add(value.isEmpty() ? Map.of() : IndexSchema.termCounts(field, value));
    }
    return out;
  }

  /** Whether some query term occurs in the index at all (otherwise every score is 0). */
  boolean anyTermKnown() {
    return max > 0;
  }

  /**
   * The scores of the live documents with these memory ids that hold at least one query term, in no
   * particular order; unknown ids are skipped.
   */
  List<ScoredId> ofIds(Collection<String> ids) throws IOException {
    List<ScoredId> out = new ArrayList<>();
    if (max == 0) {
      return out;
    }
    for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
      Terms idTerms = leaf.reader().terms(IndexSchema.ID);
      if (idTerms == null) {
        continue;
      }
      Bits live = leaf.reader().getLiveDocs();
      TermsEnum idEnum = idTerms.iterator();
      List<String> found = new ArrayList<>();
      List<Integer> docs = new ArrayList<>();
      PostingsEnum reuse = null;
      for (String id : new LinkedHashSet<>(ids)) {
        if (!idEnum.seekExact(new BytesRef(id))) {
          continue;
        }
        reuse = idEnum.postings(reuse, PostingsEnum.NONE);
        for (int d = reuse.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = reuse.nextDoc()) {
          if (live == null || live.get(d)) {
            found.add(id);
            docs.add(d);
          }
        }
      }
      if (!docs.isEmpty()) {
        score(leaf, found, docs, out);
      }
    }
    return out;
  }

  /**
   * The scores of documents a ranked search returned (live, top-level doc numbers), in no
   * particular order: the same as {@link #ofIds} gives for their ids, without looking the ids up in
   * every segment; ids come from {@code segmentIds}, not from stored fields (whose block
   * decompression was 40 % of a BM25 search at 100,000 memories in JFR).
   */
  List<ScoredId> ofDocs(SegmentIds segmentIds, ScoreDoc[] hits) throws IOException {
    List<ScoredId> out = new ArrayList<>();
    if (max == 0) {
      return out;
    }
    for (SegmentIds.LeafHits group : segmentIds.byLeaf(searcher, hits)) {
      score(group.leaf(), group.ids(), group.docs(), out);
    }
    return out;
  }

  /** Scores the documents {@code docs} (leaf-relative) of one leaf, adding the matching ones. */
  private void score(
      LeafReaderContext leaf, List<String> ids, List<Integer> docs, List<ScoredId> out)
      throws IOException {
    int n = docs.size();
    // Postings only move forward: visit the documents in increasing order. Each entry holds the
    // document in its high half and its position in the low half, so one primitive sort orders
    // them (document numbers are never negative).
    long[] order = new long[n];
    for (int i = 0; i < n; i++) {
      order[i] = ((long) docs.get(i) << 32) | i;
    }
    java.util.Arrays.sort(order);
    // Per field and term, the frequency of the term in each document (0 when absent).
    int[][][] freqs = new int[FIELDS.size()][terms.size()][];
    for (int f = 0; f < FIELDS.size(); f++) {
      Terms fieldTerms = leaf.reader().terms(FIELDS.get(f));
      if (fieldTerms == null) {
        continue;
      }
      TermsEnum te = fieldTerms.iterator();
      for (int t = 0; t < terms.size(); t++) {
        if (weights[f][t] == 0 || !te.seekExact(new BytesRef(terms.get(t)))) {
          continue;
        }
        PostingsEnum postings = te.postings(null, PostingsEnum.FREQS);
        int[] tf = new int[n];
        for (long entry : order) {
          int i = (int) entry;
          int doc = (int) (entry >>> 32);
          int at = postings.docID() < doc ? postings.advance(doc) : postings.docID();
          if (at == DocIdSetIterator.NO_MORE_DOCS) {
            break;
          }
          if (at == doc) {
            tf[i] = postings.freq();
          }
        }
        freqs[f][t] = tf;
      }
    }
    for (int i = 0; i < n; i++) {
      int doc = i;
      scored(ids.get(i), (f, t) -> freqs[f][t] == null ? 0 : freqs[f][t][doc]).ifPresent(out::add);
    }
  }

  /** A term's frequency in one memory, by field ({@link #FIELDS} order) and query term. */
  @FunctionalInterface
  private interface Frequencies {
    int of(int field, int term);
  }

  /**
   * The score of one memory from its term frequencies: the one computation both indexed and pending
   * memories go through (same terms, same order, same arithmetic), so that a memory scores bit for
   * bit the same before and after it is indexed; empty when it holds no query term.
   */
  private Optional<ScoredId> scored(String id, Frequencies tf) {
    double sum = 0;
    for (int f = 0; f < FIELDS.size(); f++) {
      for (int t = 0; t < terms.size(); t++) {
        int freq = tf.of(f, t);
        if (freq > 0) {
          sum += weights[f][t] * freq / (freq + IndexSchema.BM25_K1);
        }
      }
    }
    return sum > 0
        ? Optional.of(new ScoredId(id, Math.max(0, Math.min(1, sum / max))))
        : Optional.empty();
  }

  /**
   * The score of a pending memory given at construction, computed by {@link #scored} as indexed
   * ones are; empty when it holds no query term.
   */
  Optional<ScoredId> ofPending(String id) {
    int[][] freqs = pendingFreqs.get(id);
    return freqs == null || max == 0 ? Optional.empty() : scored(id, (f, t) -> freqs[f][t]);
  }
}
