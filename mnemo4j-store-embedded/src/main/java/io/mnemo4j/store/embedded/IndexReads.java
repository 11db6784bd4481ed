package io.mnemo4j.store.embedded;

import io.mnemo4j.EntityCount;
import io.mnemo4j.EntityType;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.filter.FilterEvaluator;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredMemory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.BytesRef;

/**
 * The reads a tenant's Lucene index answers: list order, counts, entity counts, vector and text
 * search. Vector search, which near-duplicate detection runs for every message an add ingests,
 * reads the possibly stale searcher, drops the hits the {@link PendingOverlay} overrides and
 * brute-forces the pending memories with the reference filter semantics; every other read first
 * {@link IndexCatchUp#refresh refreshes} when anything is pending. Searches and counts read one
 * searcher and no SQLite rows, so they take no engine lock. Thread-safe; the engine runs each call
 * under its lifecycle lock.
 */
final class IndexReads {
  private static final Sort BY_ID = new Sort(new SortField(IndexSchema.ID, SortField.Type.STRING));
  private static final Set<String> ID_ONLY = Set.of(IndexSchema.ID);

  private final TenantSearchers searchers;
  private final IndexCatchUp catchUp;
  private final PendingOverlay overlay;

  /** Vector-search filters' matches in the current searcher, reused across searches. */
  private final FilterBits filterBits = new FilterBits();

  /**
   * A vector search: the {@code k} memories of {@code model} nearest to {@code vector} that pass
   * {@code scope} and {@code filter}, the latter compiled to {@code compiled}.
   */
  record VectorQuery(
      String model, float[] vector, ScopeFilter scope, FilterExpr filter, Query compiled, int k) {}

  IndexReads(TenantSearchers searchers, IndexCatchUp catchUp, PendingOverlay overlay) {
    this.searchers = searchers;
    this.catchUp = catchUp;
    this.overlay = overlay;
  }

  /** One page of ids in list order and whether more follow; the caller loads their rows. */
  record IdPage(List<String> ids, boolean more) {}

  /** The first {@code size} ids matching {@code query} in id order, after refreshing. */
  IdPage ids(Query query, int size) throws IOException {
    catchUp.refresh();
    List<String> ids = new ArrayList<>();
    IndexSearcher searcher = searchers.acquire();
    try {
      for (ScoreDoc hit : searcher.search(query, size + 1, BY_ID).scoreDocs) {
        ids.add(((BytesRef) ((FieldDoc) hit).fields[0]).utf8ToString());
      }
    } finally {
      searchers.release(searcher);
    }
    boolean more = ids.size() > size;
    return new IdPage(more ? ids.subList(0, size) : ids, more);
  }

  /** How many documents match {@code query}, after refreshing. */
  long count(Query query) throws IOException {
    catchUp.refresh();
    IndexSearcher searcher = searchers.acquire();
    try {
      return searcher.count(query);
    } finally {
      searchers.release(searcher);
    }
  }

  /** One page of entity counts among the documents matching {@code query}, after refreshing. */
  Page<EntityCount> countByEntity(Query query, EntityType type, PageRequest page)
      throws IOException {
    catchUp.refresh();
    IndexSearcher searcher = searchers.acquire();
    try {
      return EntityCounts.page(searcher, query, type, page.cursor(), page.size());
    } finally {
      searchers.release(searcher);
    }
  }

  /**
   * The nearest memories, best first: the searcher's hits the overlay does not override, then the
   * overlay's own memories, brute-forced. The caller has checked that the model is known, that the
   * query has its dimension, and that the filter can match.
   */
  List<ScoredId> vectorSearch(VectorQuery q) throws IOException {
    // Read before the searcher is acquired: whatever leaves the overlay since is in the searcher.
    // Never refreshed here: near-duplicate checks run this for every message an add ingests, and a
    // refresh flushes a segment; the indexer refreshes old or large overlays in the background.
    PendingOverlay.Snapshot pending = overlay.snapshot();
    TopK best = new TopK(q.k());
    IndexSearcher searcher = searchers.acquire();
    try {
      offerIndexHits(searcher, q, pending, best);
    } finally {
      searchers.release(searcher);
    }
    offerPendingMemories(q, pending, best);
    return best.bestFirst();
  }

  /**
   * Offers the searcher's nearest documents that the overlay does not override. Dropped stale hits
   * may push live ones out of the top k, so the search widens once to k plus the overlay's size.
   */
  private void offerIndexHits(
      IndexSearcher searcher, VectorQuery q, PendingOverlay.Snapshot pending, TopK best)
      throws IOException {
    int maxDoc = searcher.getIndexReader().maxDoc();
    Query knnFilter = null;
    if (!FilterCompiler.matchesAll(q.compiled())) {
      FilterBits.Matches matches = filterBits.of(searcher, q.compiled());
      knnFilter = matches.everyDoc() ? null : FilterBits.asQuery(matches, q.compiled());
    }
    String field = IndexSchema.vectorField(q.model());
    int n = Math.min(q.k(), maxDoc);
    while (n > 0) {
      // Lucene scores DOT_PRODUCT as (1 + dot) / 2; vectors are unit length, so dot is the cosine.
      TopDocs top = searcher.search(new KnnFloatVectorQuery(field, q.vector(), n, knnFilter), n);
      best.clear();
      for (ScoreDoc hit : top.scoreDocs) {
        String id = id(searcher, hit.doc);
        if (!pending.overrides(id)) { // pending holds its current version, or its removal
          best.offer(id, 2.0 * hit.score - 1.0);
        }
      }
      int wider = Math.min(maxDoc, q.k() + pending.size());
      if (best.size() >= q.k() || top.scoreDocs.length < n || wider <= n) {
        break;
      }
      n = wider;
    }
  }

  /** Offers the overlay's memories of the model that pass the query's scope and filter. */
  private static void offerPendingMemories(
      VectorQuery q, PendingOverlay.Snapshot pending, TopK best) {
    for (StoredMemory m : pending.live()) {
      if (m.embedding().length == q.vector().length
          && q.model().equals(m.memory().embeddingModel())
          && q.scope().test(m.memory().scope())
          && FilterEvaluator.matches(q.filter(), m.memory())) {
        best.offer(
            m.id(),
            2.0 * VectorSimilarityFunction.DOT_PRODUCT.compare(q.vector(), m.embedding()) - 1.0);
      }
    }
  }

  /**
   * The {@code k} best memories for the query terms among those matching {@code filter}, best
   * first, ties by id, scored by {@link TextScores} after refreshing.
   */
  List<ScoredId> textSearch(List<String> terms, Query filter, int k) throws IOException {
    if (terms.isEmpty() || filter instanceof MatchNoDocsQuery) {
      return List.of();
    }
    BooleanQuery.Builder q =
        new BooleanQuery.Builder().add(IndexSchema.textQuery(terms), Occur.MUST);
    if (!FilterCompiler.matchesAll(filter)) {
      q.add(filter, Occur.FILTER);
    }
    catchUp.refresh();
    IndexSearcher searcher = searchers.acquire();
    try {
      int n = Math.min(k, searcher.getIndexReader().maxDoc());
      TextScores scores = new TextScores(searcher, terms);
      if (n == 0 || !scores.anyTermKnown()) {
        return List.of();
      }
      // Lucene ranks with the same BM25; the scores are recomputed so that they are bit-identical
      // to textScores' for the same memory.
      List<String> ids = new ArrayList<>(n);
      StoredFields fields = searcher.storedFields();
      for (ScoreDoc hit : searcher.search(q.build(), n).scoreDocs) {
        ids.add(fields.document(hit.doc, ID_ONLY).get(IndexSchema.ID));
      }
      return byScore(scores.ofIds(ids));
    } finally {
      searchers.release(searcher);
    }
  }

  /**
   * The text scores of those of {@code ids} that match a query term, after refreshing; an id this
   * store never hands out cannot match.
   */
  List<ScoredId> textScores(List<String> terms, Collection<String> ids) throws IOException {
    List<String> wanted = new ArrayList<>();
    for (String id : ids) {
      if (IndexSchema.ID_PATTERN.matcher(id).matches()) {
        wanted.add(id);
      }
    }
    if (terms.isEmpty() || wanted.isEmpty()) {
      return List.of();
    }
    catchUp.refresh();
    IndexSearcher searcher = searchers.acquire();
    try {
      return new TextScores(searcher, terms).ofIds(wanted);
    } finally {
      searchers.release(searcher);
    }
  }

  /** Best first, ties by id (Lucene breaks them by document number, which merges change). */
  private static List<ScoredId> byScore(List<ScoredId> hits) {
    List<ScoredId> out = new ArrayList<>(hits);
    out.sort(Comparator.comparingDouble(ScoredId::score).reversed().thenComparing(ScoredId::id));
    return out;
  }

  /** The id of a document, from doc values: cheaper than decompressing a block of stored fields. */
  private static String id(IndexSearcher searcher, int doc) throws IOException {
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
    SortedDocValues ids = DocValues.getSorted(leaf.reader(), IndexSchema.ID);
    if (!ids.advanceExact(doc - leaf.docBase)) {
      throw new CorruptIndexException("document without id", leaf.reader().toString());
    }
    return ids.lookupOrd(ids.ordValue()).utf8ToString();
  }

  /** The k best scored ids offered, kept in a min-heap. */
  private static final class TopK {
    private static final Comparator<ScoredId> WORST_FIRST =
        Comparator.comparingDouble(ScoredId::score);
    private final int k;
    private final PriorityQueue<ScoredId> heap;

    TopK(int k) {
      this.k = k;
      this.heap = new PriorityQueue<>(Math.min(k, 1024) + 1, WORST_FIRST);
    }

    void offer(String id, double score) {
      if (heap.size() < k) {
        heap.add(new ScoredId(id, score));
      } else if (score > heap.peek().score()) {
        heap.poll();
        heap.add(new ScoredId(id, score));
      }
    }

    int size() {
      return heap.size();
    }

    void clear() {
      heap.clear();
    }

    List<ScoredId> bestFirst() {
      ScoredId[] out = new ScoredId[heap.size()];
      for (int i = out.length - 1; i >= 0; i--) {
        out[i] = heap.poll();
      }
      return List.of(out);
    }
  }
}
