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
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.HitQueue;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopScoreDocCollectorManager;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.FixedBitSet;
import org.jspecify.annotations.Nullable;

/**
 * The reads a tenant's Lucene index answers: list order, counts, entity counts, vector and text
 * search. Vector search, which near-duplicate detection runs for every message an add ingests,
 * reads the possibly stale searcher, drops the hits the {@link PendingOverlay} overrides and
 * brute-forces the pending memories with the reference filter semantics; text search and text
 * scores likewise score up to {@link #PENDING_TEXT_LIMIT} pending memories from their rows; every
 * other read first {@link IndexCatchUp#refresh refreshes} when anything is pending. Searches and
 * counts read one searcher and no SQLite rows, so they take no engine lock. Thread-safe; the engine
 * runs each call under its lifecycle lock.
 */
final class IndexReads {
  private static final Sort BY_ID = new Sort(new SortField(IndexSchema.ID, SortField.Type.STRING));

  private final TenantSearchers searchers;
  private final IndexCatchUp catchUp;
  private final PendingOverlay overlay;

  /** Vector-search filters' matches in the current searcher, reused across searches. */
  private final FilterBits filterBits = new FilterBits();

  /**
   * Pending memories' analyzed terms by id, with the version analyzed: a memory stays pending
   * across many text searches (up to a second, or {@link #PENDING_TEXT_LIMIT} memories), and
   * analyzing a turn and its context costs about a tenth of a millisecond.
   */
  private final Map<String, Analyzed> analyzedPending = new ConcurrentHashMap<>();

  private record Analyzed(StoredMemory memory, List<Map<String, Integer>> counts) {}

  /** Hit ids by segment, decoded once per segment. */
  private final SegmentIds segmentIds = new SegmentIds();

  /**
   * A filtered vector search with at most this many matching documents reads each of their vectors
   * instead of walking the graph: the answer is then exact (as the PostgreSQL store's below its
   * index threshold), one pass serves every vector of an add's near-duplicate checks, and it skips
   * the graph query's set-up, which cost more than the walk itself on scopes this small (JFR).
   */
  static final int EXACT_SCAN_LIMIT = 2_000;

  /**
   * Most pending memories a text read analyzes and scores from their rows (a few microseconds each,
   * for every text search); with more pending, it refreshes the searcher first.
   */
  static final int PENDING_TEXT_LIMIT = 64;

  /**
   * Vector searches sharing everything but the query vector: for each of {@code vectors}, the
   * {@code k} memories of {@code model} nearest to it that pass {@code scope} and {@code filter},
   * the latter compiled to {@code compiled}.
   */
  record VectorQuery(
      String model,
      List<float[]> vectors,
      ScopeFilter scope,
      FilterExpr filter,
      Query compiled,
      int k) {}

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
   * The nearest memories to each of the query's vectors, best first and aligned with them: the
   * searcher's hits the overlay does not override, then the overlay's own memories, brute-forced.
   * The caller has checked that the model is known, that the vectors have its dimension, and that
   * the filter can match.
   */
  List<List<ScoredId>> vectorSearch(VectorQuery q) throws IOException {
    // Read before the searcher is acquired: whatever leaves the overlay since is in the searcher.
    // Never refreshed here: near-duplicate checks run this for every message an add ingests, and a
    // refresh flushes a segment; the indexer refreshes old or large overlays in the background.
    PendingOverlay.Snapshot pending = overlay.snapshot();
    List<TopK> best = new ArrayList<>(q.vectors().size());
    for (int i = 0; i < q.vectors().size(); i++) {
      best.add(new TopK(q.k()));
    }
    IndexSearcher searcher = searchers.acquire();
    try {
      FilterBits.@Nullable Matches matches =
          FilterCompiler.matchesAll(q.compiled()) ? null : filterBits.of(searcher, q.compiled());
      if (!offerScanned(searcher, q, matches, pending, best)) {
        for (int i = 0; i < best.size(); i++) {
          offerIndexHits(searcher, q, q.vectors().get(i), matches, pending, best.get(i));
        }
      }
    } finally {
      searchers.release(searcher);
    }
    List<List<ScoredId>> out = new ArrayList<>(best.size());
    for (int i = 0; i < best.size(); i++) {
      offerPendingMemories(q, q.vectors().get(i), pending, best.get(i));
      out.add(best.get(i).bestFirst());
    }
    return out;
  }

  /**
   * Offers, for every query vector, the nearest of the documents the filter matches by reading all
   * their vectors, when they are at most {@link #EXACT_SCAN_LIMIT}; false (nothing offered) when
   * there are more. Keeps k plus the overlay's size per vector, so that dropping the hits the
   * overlay overrides still leaves k when there are k.
   */
  private boolean offerScanned(
      IndexSearcher searcher,
      VectorQuery q,
      FilterBits.@Nullable Matches matches,
      PendingOverlay.Snapshot pending,
      List<TopK> best)
      throws IOException {
    IndexReader reader = searcher.getIndexReader();
    long candidates = matches == null ? reader.numDocs() : matches.count();
    if (candidates > EXACT_SCAN_LIMIT) {
      return false;
    }
    int keep = (int) Math.min(candidates, (long) q.k() + pending.size());
    if (keep == 0) {
      return true;
    }
    String field = IndexSchema.vectorField(q.model());
    List<HitQueue> nearest = new ArrayList<>(best.size());
    for (int i = 0; i < best.size(); i++) {
      nearest.add(new HitQueue(keep, false));
    }
    for (LeafReaderContext leaf : reader.leaves()) {
      FloatVectorValues values = leaf.reader().getFloatVectorValues(field);
      FixedBitSet wanted = matches == null ? null : matches.leaves()[leaf.ord];
      if (values == null || (matches != null && wanted == null)) {
        continue;
      }
      Bits live = leaf.reader().getLiveDocs();
      KnnVectorValues.DocIndexIterator docs = values.iterator();
      // Walks the filter's documents, not the segment's: a small scope in a large tenant costs its
      // own size.
      int doc = wanted == null ? docs.nextDoc() : nextSetBit(wanted, 0);
      while (doc != DocIdSetIterator.NO_MORE_DOCS) {
        int at = wanted == null ? doc : docs.docID() < doc ? docs.advance(doc) : docs.docID();
        if (at == DocIdSetIterator.NO_MORE_DOCS) {
          break;
        }
        if (at == doc && (live == null || live.get(doc))) {
          float[] vector = values.vectorValue(docs.index());
          for (int i = 0; i < nearest.size(); i++) {
            // The overlay's similarity, bit for bit (the graph's differs in the last float bits).
            float score = VectorSimilarityFunction.DOT_PRODUCT.compare(q.vectors().get(i), vector);
            nearest.get(i).insertWithOverflow(new ScoreDoc(leaf.docBase + doc, score));
          }
        }
        // Past a document without a vector, the iterator may stand on a wanted one: look there.
        doc = wanted == null ? docs.nextDoc() : nextSetBit(wanted, at > doc ? at : doc + 1);
      }
    }
    for (int i = 0; i < nearest.size(); i++) {
      HitQueue queue = nearest.get(i);
      ScoreDoc[] bestFirst = new ScoreDoc[queue.size()];
      for (int j = bestFirst.length - 1; j >= 0; j--) {
        bestFirst[j] = queue.pop();
      }
      String[] ids = segmentIds.ids(searcher, bestFirst);
      for (int j = 0; j < bestFirst.length; j++) {
        if (!pending.overrides(ids[j])) { // pending holds its current version, or its removal
          best.get(i).offer(ids[j], 2.0 * bestFirst[j].score - 1.0);
        }
      }
    }
    return true;
  }

  /** The first document at or after {@code from} in {@code set}, or NO_MORE_DOCS. */
  private static int nextSetBit(FixedBitSet set, int from) {
    return from < set.length() ? set.nextSetBit(from) : DocIdSetIterator.NO_MORE_DOCS;
  }

  /**
   * Offers the searcher's documents nearest to {@code vector} that the overlay does not override.
   * Dropped stale hits may push live ones out of the top k, so the search widens once to k plus the
   * overlay's size.
   */
  private void offerIndexHits(
      IndexSearcher searcher,
      VectorQuery q,
      float[] vector,
      FilterBits.@Nullable Matches matches,
      PendingOverlay.Snapshot pending,
      TopK best)
      throws IOException {
    int maxDoc = searcher.getIndexReader().maxDoc();
    Query knnFilter =
        matches == null || matches.everyDoc() ? null : FilterBits.asQuery(matches, q.compiled());
    String field = IndexSchema.vectorField(q.model());
    int n = Math.min(q.k(), maxDoc);
    while (n > 0) {
      // Lucene scores DOT_PRODUCT as (1 + dot) / 2; vectors are unit length, so dot is the cosine.
      TopDocs top = searcher.search(new KnnFloatVectorQuery(field, vector, n, knnFilter), n);
      best.clear();
      String[] ids = segmentIds.ids(searcher, top.scoreDocs);
      for (int j = 0; j < ids.length; j++) {
        if (!pending.overrides(ids[j])) { // pending holds its current version, or its removal
          best.offer(ids[j], 2.0 * top.scoreDocs[j].score - 1.0);
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
      VectorQuery q, float[] vector, PendingOverlay.Snapshot pending, TopK best) {
    for (StoredMemory m : pending.live()) {
      if (m.embedding().length == vector.length
          && q.model().equals(m.memory().embeddingModel())
          && q.scope().test(m.memory().scope())
          && FilterEvaluator.matches(q.filter(), m.memory())) {
        best.offer(
            m.id(),
            2.0 * VectorSimilarityFunction.DOT_PRODUCT.compare(vector, m.embedding()) - 1.0);
      }
    }
  }

  /**
   * The {@code k} best memories for the query terms among those passing {@code scope} and {@code
   * filter} (compiled to {@code compiled}), best first, ties by id, scored by {@link TextScores}:
   * the searcher's documents the overlay does not override, and the overlay's memories scored from
   * their rows (see {@link #pendingForText}).
   */
  List<ScoredId> textSearch(
      List<String> terms, ScopeFilter scope, FilterExpr filter, Query compiled, int k)
      throws IOException {
    if (terms.isEmpty() || compiled instanceof MatchNoDocsQuery) {
      return List.of();
    }
    PendingOverlay.Snapshot pending = pendingForText();
    IndexSearcher searcher = searchers.acquire();
    try {
      TextScores scores = new TextScores(searcher, terms, pending.live(), this::analyzed);
      if (!scores.anyTermKnown()) {
        return List.of();
      }
      // A scope alone (a tenant has few, so they stay cached) takes its matches from the same
      // per-reader cache as vector search: a scope that holds every live memory (as in a tenant of
      // one user) needs no filter clause at all, and any other is a bit set, where the scope's
      // postings cost a decode per leap (a third of a BM25 search's Lucene time in a profile on
      // 100,000 memories). A metadata filter stays a clause: a one-off broad filter would cost a
      // whole pass to cache where the ranker may only visit a few of its documents. The matching
      // documents are the same either way.
      Query text = IndexSchema.textQuery(terms);
      @Nullable Query clause = null;
      if (!FilterCompiler.matchesAll(compiled)) {
        if (filter instanceof FilterExpr.All) {
          FilterBits.Matches matches = filterBits.of(searcher, compiled);
          clause = matches.everyDoc() ? null : FilterBits.asQuery(matches, compiled);
        } else {
          clause = compiled;
        }
      }
      if (clause != null) {
        text = new BooleanQuery.Builder().add(text, Occur.MUST).add(clause, Occur.FILTER).build();
      }
      List<ScoredId> hits = new ArrayList<>();
      // Hits the overlay overrides are dropped: ask for enough that k remain when there are k.
      int n = Math.min(k + pending.size(), searcher.getIndexReader().maxDoc());
      if (n > 0) {
        // Lucene ranks with the same BM25 (over the searcher's statistics alone); the scores are
        // recomputed so that they are bit-identical to textScores' for the same memory. Nothing
        // reads the total hit count, so Lucene may skip documents that cannot enter the top n
        // once it has n (by default it counts the first 1,000 matches exactly).
        TopScoreDocCollectorManager ranked = new TopScoreDocCollectorManager(n, null, n);
        for (ScoredId hit : scores.ofDocs(segmentIds, searcher.search(text, ranked).scoreDocs)) {
          if (!pending.overrides(hit.id())) {
            hits.add(hit);
          }
        }
      }
      for (StoredMemory m : pending.live()) {
        if (scope.test(m.memory().scope()) && FilterEvaluator.matches(filter, m.memory())) {
          scores.ofPending(m.id()).ifPresent(hits::add);
        }
      }
      List<ScoredId> best = byScore(hits);
      return best.size() > k ? List.copyOf(best.subList(0, k)) : best;
    } finally {
      searchers.release(searcher);
    }
  }

  /**
   * The text scores of those of {@code ids} that match a query term (the overlay's memories scored
   * from their rows); an id this store never hands out cannot match.
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
    PendingOverlay.Snapshot pending = pendingForText();
    IndexSearcher searcher = searchers.acquire();
    try {
      TextScores scores = new TextScores(searcher, terms, pending.live(), this::analyzed);
      List<String> indexed = new ArrayList<>(wanted.size());
      List<ScoredId> out = new ArrayList<>();
      for (String id : new java.util.LinkedHashSet<>(wanted)) {
        if (!pending.overrides(id)) {
          indexed.add(id);
        } else {
          scores.ofPending(id).ifPresent(out::add); // empty when removed: not scored
        }
      }
      out.addAll(scores.ofIds(indexed));
      return out;
    } finally {
      searchers.release(searcher);
    }
  }

  /**
   * The overlay a text read scores from rows, taken before the searcher is acquired (whatever
   * leaves the overlay since is in the searcher). A text read used to refresh first, which flushes
   * a segment: a chat app that adds a turn and searches right away paid that flush in its search.
   * Scoring a few pending memories from their rows costs far less; past {@link #PENDING_TEXT_LIMIT}
   * memories the searcher is refreshed, as before.
   */
  private PendingOverlay.Snapshot pendingForText() throws IOException {
    PendingOverlay.Snapshot pending = overlay.snapshot();
    if (pending.size() > PENDING_TEXT_LIMIT) {
      catchUp.refresh();
      pending = overlay.snapshot();
    }
    if (analyzedPending.size() > 2 * PENDING_TEXT_LIMIT) {
      analyzedPending.keySet().retainAll(pending.changes().keySet()); // indexed since
    }
    return pending;
  }

  /** The pending memory's term counts per field, analyzed once per version. */
  private List<Map<String, Integer>> analyzed(StoredMemory m) {
    Analyzed known = analyzedPending.get(m.id());
    if (known != null && known.memory() == m) {
      return known.counts();
    }
    List<Map<String, Integer>> counts = TextScores.analyze(m);
    analyzedPending.put(m.id(), new Analyzed(m, counts));
    return counts;
  }

  /** Best first, ties by id (Lucene breaks them by document number, which merges change). */
  private static List<ScoredId> byScore(List<ScoredId> hits) {
    List<ScoredId> out = new ArrayList<>(hits);
    out.sort(Comparator.comparingDouble(ScoredId::score).reversed().thenComparing(ScoredId::id));
    return out;
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
