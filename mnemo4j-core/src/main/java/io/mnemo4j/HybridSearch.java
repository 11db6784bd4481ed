package io.mnemo4j;

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
import java.util.Locale;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Search: embed the query once, run dense (pre-filtered HNSW) and BM25 in the tenant's namespace side by side, fuse,
 * drop expired memories, apply threshold and limit. Thread-safe.
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
      throw new InvalidRequestException("query", "query is longer than " + MAX_QUERY_LENGTH + " characters");
    }
    SearchTuning tuning = mnemo.tuning();
    int depth = Math.max(search.limit(), tuning.candidates());
    ScopeFilter scope = search.selection().scopeFilter();
    try (TenantHandles.Lease lease = mnemo.lease(tenant)) {
      TenantStore store = lease.store();
      List<ScoredId> dense = List.of();
      List<ScoredId> text = List.of();
      switch (search.mode()) {
        case DENSE -> dense = denseSearch(store, query, scope, search, depth);
        case TEXT -> text = store.textSearch(query, scope, search.selection().filter(), depth);
        case HYBRID -> {
          // BM25 runs on a virtual thread while this thread embeds the query and walks the HNSW graph.
          try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<List<ScoredId>> bm25 =
                vt.submit(() -> store.textSearch(query, scope, search.selection().filter(), depth));
            dense = denseSearch(store, query, scope, search, depth);
            text = join(bm25);
          }
        }
      }
      Map<String, Double> fused = fuse(dense, text, search.mode(), tuning);
      return materialise(store, fused, search, tenant, query);
    }
  }

  private List<ScoredId> denseSearch(TenantStore store, String query, ScopeFilter scope, Search search, int depth) {
    Embedder embedder = mnemo.embedder();
    float[] vector = embedder.embed(query, Embedder.Purpose.QUERY);
    return store.vectorSearch(embedder.modelId(), vector, scope, search.selection().filter(), depth);
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
  static Map<String, Double> fuse(List<ScoredId> dense, List<ScoredId> text, Search.Mode mode, SearchTuning t) {
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
      case ZSCORE -> {
        if (mode == Search.Mode.DENSE) {
          for (ScoredId s : dense) {
            out.put(s.id(), Math.max(0, s.score()));
          }
          return out;
        }
        addStandardised(out, dense, text, wd, wt);
      }
      case LINEAR -> {
        if (mode == Search.Mode.DENSE) {
          // Alone, the cosine itself is the most meaningful score (thresholds keep their usual meaning).
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

  // Standard scores within each list; a candidate missing from a list gets that list's lowest standard score, so
  // appearing in only one list is not rewarded over appearing low in both. Shifted and scaled to stay positive.
  private static void addStandardised(Map<String, Double> out, List<ScoredId> dense, List<ScoredId> text,
      double wd, double wt) {
    Map<String, Double> zd = standardise(dense);
    Map<String, Double> zt = standardise(text);
    double minD = zd.values().stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double minT = zt.values().stream().mapToDouble(Double::doubleValue).min().orElse(0);
    Set<String> ids = new HashSet<>(zd.keySet());
    ids.addAll(zt.keySet());
    for (String id : ids) {
      double d = zd.getOrDefault(id, minD) + 3;
      double t = zt.getOrDefault(id, minT) + 3;
      out.put(id, Math.max(0, (wd * d + wt * t) / 6));
    }
  }

  private static Map<String, Double> standardise(List<ScoredId> list) {
    Map<String, Double> z = new HashMap<>();
    if (list.isEmpty()) {
      return z;
    }
    double mean = list.stream().mapToDouble(ScoredId::score).average().orElse(0);
    double var = list.stream().mapToDouble(s -> (s.score() - mean) * (s.score() - mean)).average().orElse(0);
    double sd = Math.sqrt(var);
    for (ScoredId s : list) {
      z.put(s.id(), sd > 0 ? (s.score() - mean) / sd : 0);
    }
    return z;
  }

  private List<Hit> materialise(TenantStore store, Map<String, Double> fused, Search search, TenantInfo tenant,
      String query) {
    List<Map.Entry<String, Double>> ranked = sortByScore(new ArrayList<>(fused.entrySet()));
    double boost = mnemo.tuning().actorBoost();
    Set<String> queryWords = boost > 0 ? words(query) : Set.of();
    Instant now = mnemo.clock().instant();
    boolean scopeIsTenantWide = search.selection().scope().isTenantWide() || search.selection().wholeTenant();
    // With an actor boost the order can change after loading, so load a deeper slice before cutting to the limit.
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
        if (m == null || isExpired(m.memory(), now)) {
          continue;
        }
        double score = e.getValue();
        String actor = m.memory().actor();
        if (boost > 0 && actor != null && queryWords.containsAll(words(actor))) {
          score += boost;
        }
        Hit.Origin origin = !scopeIsTenantWide && m.memory().scope().isTenantWide()
            ? Hit.Origin.TENANT_WIDE : Hit.Origin.SCOPE;
        slice.add(new Hit(m.memory(), score, origin));
      }
      slice.sort(Comparator.comparingDouble(Hit::score).reversed().thenComparing(h -> h.memory().id()));
      for (Hit h : slice) {
        if (hits.size() == search.limit() || h.score() < search.threshold()) {
          break;
        }
        hits.add(h);
      }
      if (!slice.isEmpty() && slice.get(slice.size() - 1).score() < search.threshold()) {
        break;
      }
      from = to;
    }
    return hits;
  }

  private static List<Map.Entry<String, Double>> sortByScore(List<Map.Entry<String, Double>> ranked) {
    // Ties broken by id so equal scores give a stable order across runs and backends.
    ranked.sort(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder())
        .thenComparing(Map.Entry.comparingByKey()));
    return ranked;
  }

  /** Lower-cased words of a text, for matching actor names against a query. */
  static Set<String> words(String text) {
    Set<String> out = new HashSet<>();
    for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }

  static boolean isExpired(Memory m, Instant now) {
    return m.expiresAt() != null && !m.expiresAt().isAfter(now);
  }
}
