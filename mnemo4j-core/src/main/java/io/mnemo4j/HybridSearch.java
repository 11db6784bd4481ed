package io.mnemo4j;

import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * Search: embed the query once, run dense (pre-filtered HNSW) and BM25 in the tenant's namespace
 * side by side, fuse, drop expired memories, apply threshold and limit. Thread-safe.
 */
final class HybridSearch {
  /** The longest query accepted, in characters. */
  static final int MAX_QUERY_LENGTH = 8192;

  private final Mnemo mnemo;

  HybridSearch(Mnemo mnemo) {
    this.mnemo = mnemo;
  }

  List<Hit> search(TenantInfo tenant, String query, Search search) {
    if (query == null || query.isBlank()) {
      throw new InvalidRequestException("query", "query must not be empty");
    }
    if (query.length() > MAX_QUERY_LENGTH) {
      throw new InvalidRequestException(
          "query", "query is longer than " + MAX_QUERY_LENGTH + " characters");
    }
    SearchTuning tuning = mnemo.tuning();
    int depth = Math.max(search.limit(), tuning.candidates());
    ScopeFilter scope = search.selection().scopeFilter();
    // A past view is pushed down so the candidates are the memories of that moment; the current
    // view drops closed and expired memories after fusion instead, which keeps the common query
    // free of extra index clauses (they are few).
    FilterExpr filter =
        search.selection().asOf() != null
            ? search.selection().effectiveFilter(mnemo.clock().instant())
            : search.selection().filter();
    try (TenantHandles.Lease lease = mnemo.lease(tenant)) {
      TenantStore store = lease.store();
      List<ScoredId> dense = List.of();
      List<ScoredId> text = List.of();
      float[] vector = null;
      switch (search.mode()) {
        case DENSE -> {
          vector = embedQuery(query);
          dense = denseSearch(store, vector, scope, filter, depth);
        }
        case TEXT -> text = store.textSearch(query, scope, filter, depth);
        case HYBRID -> {
          // BM25 runs on a virtual thread while this thread embeds the query and walks the HNSW
          // graph.
          try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<List<ScoredId>> bm25 =
                vt.submit(() -> store.textSearch(query, scope, filter, depth));
            vector = embedQuery(query);
            dense = denseSearch(store, vector, scope, filter, depth);
            text = join(bm25);
          }
        }
      }
      Map<String, Double> fused = fuse(dense, text, search.mode(), tuning);
      return materialise(store, fused, search, query, vector);
    }
  }

  private float[] embedQuery(String query) {
    return mnemo.embedder().embed(query, Embedder.Purpose.QUERY);
  }

  private List<ScoredId> denseSearch(
      TenantStore store, float[] vector, ScopeFilter scope, FilterExpr filter, int depth) {
    return store.vectorSearch(mnemo.embedder().modelId(), vector, scope, filter, depth);
  }

  private static List<ScoredId> join(Future<List<ScoredId>> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted during search", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new StoreUnavailableException("text search failed", e.getCause());
    }
  }

  /** Fused scores by id, in no particular order. */
  static Map<String, Double> fuse(
      List<ScoredId> dense, List<ScoredId> text, Search.Mode mode, SearchTuning t) {
    Map<String, Double> out = new HashMap<>();
    double wd = mode == Search.Mode.TEXT ? 0 : mode == Search.Mode.DENSE ? 1 : t.denseWeight();
    double wt = 1 - wd;
    switch (t.fusion()) {
      case RRF -> {
        for (int i = 0; i < dense.size(); i++) {
          out.merge(dense.get(i).id(), wd / (t.rrfK() + i + 1), Double::sum);
        }
        for (int i = 0; i < text.size(); i++) {
          out.merge(text.get(i).id(), wt / (t.rrfK() + i + 1), Double::sum);
        }
      }
      case LINEAR -> {
        if (mode == Search.Mode.DENSE) {
          // Alone, the cosine itself is the most meaningful score (thresholds keep their usual
          // meaning).
          for (ScoredId s : dense) {
            out.put(s.id(), Math.max(0, s.score()));
          }
          return out;
        }
        addNormalised(out, dense, wd);
        addNormalised(out, text, wt);
      }
    }
    return out;
  }

  // Min-max normalisation within the list; the weakest candidate maps to 0, the best to 1.
  private static void addNormalised(Map<String, Double> out, List<ScoredId> list, double weight) {
    if (list.isEmpty() || weight == 0) {
      for (ScoredId s : list) {
        out.merge(s.id(), 0.0, Double::sum);
      }
      return;
    }
    double max = list.get(0).score();
    double min = list.get(list.size() - 1).score();
    for (ScoredId s : list) {
      max = Math.max(max, s.score());
      min = Math.min(min, s.score());
    }
    double range = max - min;
    for (ScoredId s : list) {
      double norm = range > 0 ? (s.score() - min) / range : 1.0;
      out.merge(s.id(), weight * norm, Double::sum);
    }
  }

  private List<Hit> materialise(
      TenantStore store,
      Map<String, Double> fused,
      Search search,
      String query,
      float @Nullable [] vector) {
    List<Map.Entry<String, Double>> ranked = sortByScore(new ArrayList<>(fused.entrySet()));
    double boost = mnemo.tuning().actorBoost();
    Set<String> queryWords = boost > 0 ? words(query) : Set.of();
    Instant now = mnemo.clock().instant();
    boolean scopeIsTenantWide =
        search.selection().scope().isTenantWide() || search.selection().wholeTenant();
    // With an actor boost the order can change after loading, so load a deeper slice before cutting
    // to the limit.
    int window = boost > 0 ? Math.max(search.limit() * 3, 30) : search.limit() + 8;
    List<Hit> hits = new ArrayList<>(search.limit());
    int from = 0;
    while (hits.size() < search.limit() && from < ranked.size()) {
      int to = Math.min(ranked.size(), from + window);
      List<String> ids = ranked.subList(from, to).stream().map(Map.Entry::getKey).toList();
      Map<String, StoredMemory> byId = new HashMap<>();
      for (StoredMemory m : store.getAll(ids)) {
        byId.put(m.id(), m);
      }
      List<Hit> slice = new ArrayList<>();
      for (int i = from; i < to; i++) {
        Map.Entry<String, Double> e = ranked.get(i);
        StoredMemory m = byId.get(e.getKey());
        if (m == null || !search.selection().shows(m.memory(), now)) {
          continue;
        }
        double score = e.getValue();
        String actor = m.memory().actor();
        if (boost > 0 && actor != null && queryWords.containsAll(words(actor))) {
          score += boost;
        }
        // Without a query vector (text-only search) the normalised BM25 score stands in for
        // similarity.
        double similarity = vector != null ? Vectors.dot(vector, m.embedding()) : e.getValue();
        if (search.threshold() > 0 && similarity < search.threshold()) {
          continue;
        }
        Hit.Origin origin =
            !scopeIsTenantWide && m.memory().scope().isTenantWide()
                ? Hit.Origin.TENANT_WIDE
                : Hit.Origin.SCOPE;
        slice.add(new Hit(m.memory(), score, similarity, origin));
      }
      slice.sort(
          Comparator.comparingDouble(Hit::score).reversed().thenComparing(h -> h.memory().id()));
      for (Hit h : slice) {
        if (hits.size() == search.limit()) {
          break;
        }
        hits.add(h);
      }
      from = to;
    }
    return hits;
  }

  private static List<Map.Entry<String, Double>> sortByScore(
      List<Map.Entry<String, Double>> ranked) {
    // Ties broken by id so equal scores give a stable order across runs and backends.
    ranked.sort(
        Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder())
            .thenComparing(Map.Entry.comparingByKey()));
    return ranked;
  }

  /** Lower-cased words of a text, for matching actor names against a query. */
  static Set<String> words(String text) {
    return new HashSet<>(TextHash.words(text));
  }
}
