package io.mnemo4j.internal.search;

import io.mnemo4j.Hit;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Search;
import io.mnemo4j.SearchTuning;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.internal.Context;
import io.mnemo4j.internal.TenantHandles;
import io.mnemo4j.internal.util.TextHash;
import io.mnemo4j.spi.AddNeighbour;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.Vectors;
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
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;

/**
 * Search: embed the query once, run dense (pre-filtered HNSW) and full-text search in the tenant's
 * namespace side by side, score the union of their candidates, drop expired memories, apply
 * threshold and limit. Thread-safe.
 *
 * <p>A hit's score is its own relevance (see {@link SearchTuning}): computed from the query, the
 * memory and the tenant's collection only, never from the other candidates, so it is the same for
 * any limit, filter or page and comparable across queries. The rankers only nominate candidates;
 * every candidate that can reach the top is scored exactly: its cosine from its stored embedding,
 * its text score from the text ranker or, when that ranker's list was cut before it, from {@link
 * TenantStore#textScores}. Candidates are examined best bound first (a candidate missing from a
 * full list scores at most that list's last score there), in windows of at least 20, and the walk
 * stops when no unexamined candidate's bound reaches the last hit kept. Which memories make the
 * list is thus approximate, as any candidate-based search is (the actor signal and the neighbour
 * lift, known only once a memory is loaded, are left out of the bounds); the score of each hit is
 * not. The neighbour lift of a loaded memory comes from the memories its add stored up to {@link
 * #NEIGHBOUR_SPAN} places before and after it ({@link TenantStore#addNeighbours}), each scored in
 * full whether or not it is a candidate or passes the search's filter, so it too depends only on
 * the query and the collection; a memory its add stored alone is its own best neighbour, so it
 * scores its own relevance (so the walk compares unlifted bounds until it meets a memory with
 * neighbours). Only memories that can still enter the list with the largest lift look their
 * neighbours up, in one store call per window, and a neighbour's text score is asked only where it
 * could be a best neighbour: shortcuts that change no score and no list.
 */
public final class HybridSearch {
  /** Names the full-text search threads of hybrid queries (a thread-safe factory). */
  private static final ThreadFactory TEXT_SEARCH_THREADS =
      Thread.ofVirtual().name("mnemo-text-search-", 0).factory();

  /** The longest query accepted, in characters. */
  static final int MAX_QUERY_LENGTH = 8192;

  private final Context context;

  public HybridSearch(Context context) {
    this.context = context;
  }

  public List<Hit> search(TenantInfo tenant, String query, Search search) {
    if (query == null || query.isBlank()) {
      throw new InvalidRequestException("query", "query must not be empty");
    }
    if (query.length() > MAX_QUERY_LENGTH) {
      throw new InvalidRequestException(
          "query", "query is longer than " + MAX_QUERY_LENGTH + " characters");
    }
    SearchTuning tuning = context.settings().tuning();
    int depth = Math.max(search.limit(), tuning.candidates());
    ScopeFilter scope = search.selection().scopeFilter();
    // A past view is pushed down so the candidates are the memories of that moment; the current
    // view drops closed and expired memories after scoring instead, which keeps the common query
    // free of extra index clauses (they are few).
    FilterExpr filter =
        search.selection().asOf() != null
            ? search.selection().effectiveFilter(context.now())
            : search.selection().filter();
    java.util.concurrent.locks.Lock modelLock = context.modelLock().readLock();
    modelLock.lock();
    try (TenantHandles.Lease lease = context.lease(tenant)) {
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
          // Full-text search runs on a virtual thread while this thread embeds the query and walks
          // the HNSW graph.
          try (ExecutorService vt = Executors.newThreadPerTaskExecutor(TEXT_SEARCH_THREADS)) {
            Future<List<ScoredId>> bm25 =
                vt.submit(() -> store.textSearch(query, scope, filter, depth));
            vector = embedQuery(query);
            dense = denseSearch(store, vector, scope, filter, depth);
            text = join(bm25);
          }
        }
      }
      // Parsed once per search, no store call: a query naming no date is scored without the signal.
      QueryDates dates = tuning.dateWeight() > 0 ? QueryDates.parse(query) : QueryDates.NONE;
      Weights weights = Weights.of(tuning, search.mode(), !dates.isEmpty());
      List<Candidate> candidates = candidates(dense, text, depth, weights);
      // The most text score a memory the text ranker did not return can have, when the ranker saw
      // every memory of a neighbour's scope (no filter, no past view): a neighbour shares the scope
      // of the candidate it lifts. Otherwise a neighbour may hold any text score. The margin covers
      // an index that ranks in single precision what is scored in double.
      double neighbourTextCeiling =
          filter instanceof FilterExpr.All && search.selection().asOf() == null
              ? (text.size() >= depth ? Math.min(1, text.get(text.size() - 1).score() + 1e-3) : 0)
              : 1;
      return rank(store, candidates, weights, search, query, vector, dates, neighbourTextCeiling);
    } finally {
      modelLock.unlock();
    }
  }

  private float[] embedQuery(String query) {
    return context.embedder().embed(query, Embedder.Purpose.QUERY);
  }

  private List<ScoredId> denseSearch(
      TenantStore store, float[] vector, ScopeFilter scope, FilterExpr filter, int depth) {
    return store.vectorSearch(context.embedder().modelId(), vector, scope, filter, depth);
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

  /**
   * The weights a mode uses, divided by their sum so that a score is in [0, 1]. A mode that runs
   * one ranker gives it weight 1 if the tuning gave it none. The date signal counts only for a
   * query that names a date, so the weights of any other query are those without it.
   */
  record Weights(double dense, double text, double actor, double neighbour, double date) {
    static Weights of(SearchTuning t, Search.Mode mode) {
      return of(t, mode, false);
    }

    static Weights of(SearchTuning t, Search.Mode mode, boolean queryNamesDate) {
      double d =
          switch (mode) {
            case HYBRID -> t.denseWeight();
            case DENSE -> t.denseWeight() > 0 ? t.denseWeight() : 1;
            case TEXT -> 0;
          };
      double x =
          switch (mode) {
            case HYBRID -> t.textWeight();
            case TEXT -> t.textWeight() > 0 ? t.textWeight() : 1;
            case DENSE -> 0;
          };
      double date = queryNamesDate ? t.dateWeight() : 0;
      double sum = d + x + t.actorWeight() + date;
      return new Weights(d / sum, x / sum, t.actorWeight() / sum, t.neighbourWeight(), date / sum);
    }

    /**
     * The score of a memory with this cosine (to the query), text score and actor match. The cosine
     * is squared: most sentence models put unrelated English text at a cosine of 0.3 to 0.5, so the
     * square keeps weak resemblance low while close matches stay high. It ranks as well as the
     * cosine itself (LoCoMo recall@10 0.780 against 0.776, equal on the confirming half), so it is
     * there for calibration.
     */
    double score(double cosine, double textScore, boolean actorNamed) {
      return score(cosine, textScore, actorNamed, false);
    }

    /** The same score with the date signal: whether the memory's time is in a named period. */
    double score(double cosine, double textScore, boolean actorNamed, boolean dateMatched) {
      double c = Math.max(0, Math.min(1, cosine));
      double s =
          dense * c * c
              + text * Math.max(0, Math.min(1, textScore))
              + (actorNamed ? actor : 0)
              + (dateMatched ? date : 0);
      return Math.max(0, Math.min(1, s));
    }
  }

  /**
   * A memory nominated by a ranker: its cosine and text score when a ranker reported them (NaN when
   * not), the most its cosine can be (the cosine, or the dense list's floor), and the most it can
   * score without the actor signal.
   */
  record Candidate(String id, double cosine, double textScore, double cosineBound, double bound) {}

  /**
   * The union of both candidate lists, best bound first (ties by id). A memory missing from a list
   * that was cut at {@code depth} may still score up to that list's last score there; one missing
   * from a list that was not cut has no match in it (no vector of the model, or no query term).
   * Bounds leave the actor signal out.
   */
  static List<Candidate> candidates(
      List<ScoredId> dense, List<ScoredId> text, int depth, Weights w) {
    double denseFloor =
        dense.size() >= depth ? Math.max(0, dense.get(dense.size() - 1).score()) : 0;
    double textFloor = text.size() >= depth ? text.get(text.size() - 1).score() : 0;
    Map<String, double[]> byId = new HashMap<>();
    for (ScoredId s : dense) {
      byId.computeIfAbsent(s.id(), k -> new double[] {Double.NaN, Double.NaN})[0] = s.score();
    }
    for (ScoredId s : text) {
      byId.computeIfAbsent(s.id(), k -> new double[] {Double.NaN, Double.NaN})[1] = s.score();
    }
    List<Candidate> out = new ArrayList<>(byId.size());
    for (Map.Entry<String, double[]> e : byId.entrySet()) {
      double cos = e.getValue()[0];
      double txt = e.getValue()[1];
      // A cosine reported by an approximate index may differ from the exact one in the last
      // digits; the bound is only an order of examination, the score is recomputed exactly. The
      // actor signal is left out of the bound: it is known only once the memory is loaded, and
      // counting it for every candidate would load every candidate within its weight of the last
      // hit (hundreds on a large tenant). The first window is wide for that reason. The date
      // signal is left out for the same reason.
      double cosineBound = Double.isNaN(cos) ? denseFloor : cos;
      double bound = w.score(cosineBound, Double.isNaN(txt) ? textFloor : txt, false);
      double known = Double.isNaN(txt) && textFloor == 0 ? 0 : txt;
      out.add(new Candidate(e.getKey(), cos, known, cosineBound, bound));
    }
    out.sort(Comparator.comparingDouble(Candidate::bound).reversed().thenComparing(Candidate::id));
    return out;
  }

  private List<Hit> rank(
      TenantStore store,
      List<Candidate> candidates,
      Weights w,
      Search search,
      String query,
      float @Nullable [] vector,
      QueryDates dates,
      double neighbourTextCeiling) {
    Set<String> queryWords = w.actor() > 0 ? words(query) : Set.of();
    Instant now = context.now();
    String model = context.embedder().modelId();
    boolean scopeIsTenantWide =
        search.selection().scope().isTenantWide() || search.selection().wholeTenant();
    int window = Math.max(search.limit() * 2, 20);
    double lift = w.neighbour();
    // Own scores (without the neighbour lift) of every memory scored so far, candidate or
    // neighbour; the text scores the rankers reported, for neighbours that were candidates.
    Map<String, Double> own = new HashMap<>();
    Map<String, Double> knownText = new HashMap<>();
    for (Candidate c : candidates) {
      if (!Double.isNaN(c.textScore())) {
        knownText.put(c.id(), c.textScore());
      }
    }
    OwnScore scorer = new OwnScore(w, vector, model, queryWords, dates);
    Comparator<Hit> best =
        Comparator.comparingDouble(Hit::score).reversed().thenComparing(h -> h.memory().id());
    List<Hit> kept = new ArrayList<>();
    // Whether some memory looked up so far has neighbours (see the walk's bound below).
    boolean[] inConversations = {false};
    int from = 0;
    while (from < candidates.size()) {
      // The score the last hit of the list has now; a candidate must reach it to enter.
      double bar =
          kept.size() >= search.limit()
              ? kept.get(search.limit() - 1).score()
              : Double.NEGATIVE_INFINITY;
      // The neighbour lift is left out of the bounds, as the actor signal is: counting its most
      // for every candidate loaded no more of LoCoMo's evidence but more memories per search. The
      // walk compares the floor a memory has in a conversation, own / (1 + lift), once some
      // memory met has neighbours; while all were stored alone (a chat app adding one message
      // per call, whose memories score their own relevance) it compares the unlifted bound, so
      // such a collection gets the list it gets with neighbours off.
      if (scale(candidates.get(from).bound(), inConversations[0], lift) < bar) {
        break;
      }
      int to = Math.min(candidates.size(), from + window);
      List<Candidate> slice = candidates.subList(from, to);
      from = to;
      // Text scores the rankers did not report first; then only the candidates that can still
      // enter the list are loaded (the whole first window, whatever their actor).
      Map<String, Double> missingText = missingTextScores(store, query, slice, w);
      if (w.text() > 0) {
        for (Candidate c : slice) {
          if (Double.isNaN(c.textScore())) {
            knownText.put(c.id(), missingText.getOrDefault(c.id(), 0.0));
          }
        }
      }
      List<Candidate> load = new ArrayList<>(slice.size());
      for (Candidate c : slice) {
        double text =
            Double.isNaN(c.textScore()) ? missingText.getOrDefault(c.id(), 0.0) : c.textScore();
        if (scale(w.score(c.cosineBound(), text, false), inConversations[0], lift) >= bar) {
          load.add(c);
        }
      }
      Map<String, StoredMemory> byId = new HashMap<>();
      for (StoredMemory m : store.getAll(load.stream().map(Candidate::id).toList())) {
        byId.put(m.id(), m);
      }
      List<Scored> scored = new ArrayList<>(load.size());
      for (Candidate c : load) {
        StoredMemory m = byId.get(c.id());
        if (m == null || !search.selection().shows(m.memory(), now)) {
          continue;
        }
        double cosine = scorer.cosine(m);
        double textScore =
            Double.isNaN(c.textScore()) ? missingText.getOrDefault(c.id(), 0.0) : c.textScore();
        // Without a query vector (text-only search) the text score stands in for similarity.
        double similarity = vector != null ? cosine : textScore;
        if (search.threshold() > 0 && similarity < search.threshold()) {
          continue;
        }
        double score = scorer.score(m, textScore);
        own.put(m.id(), score);
        scored.add(new Scored(m, score, similarity));
      }
      // Only a memory that can still enter the list with the largest lift looks its neighbours up,
      // and only one that can with its neighbours' bounds has them scored: the others are dropped,
      // as they would rank below the list's end whatever their lift.
      Map<String, Double> lifts =
          lift > 0
              ? neighbourLifts(
                  store,
                  query,
                  canEnter(scored, kept, search.limit(), lift),
                  kept,
                  search.limit(),
                  new Known(own, knownText, scorer, neighbourTextCeiling),
                  inConversations)
              : Map.of();
      for (Scored x : scored) {
        StoredMemory m = x.memory();
        if (lift > 0 && !lifts.containsKey(m.id())) {
          continue;
        }
        Hit.Origin origin =
            !scopeIsTenantWide && m.memory().scope().isTenantWide()
                ? Hit.Origin.TENANT_WIDE
                : Hit.Origin.SCOPE;
        double score = withLift(x.own(), lifts.getOrDefault(m.id(), 0.0), lift);
        kept.add(new Hit(m.memory(), score, x.similarity(), origin));
      }
      kept.sort(best);
    }
    return kept.size() > search.limit() ? List.copyOf(kept.subList(0, search.limit())) : kept;
  }

  /**
   * The bound the walk over candidates compares with the list's last score: lowered to the floor a
   * memory has in a conversation, {@code own / (1 + lift)}, once the search has met a memory with
   * neighbours; unchanged before.
   */
  private static double scale(double bound, boolean inConversations, double lift) {
    return inConversations ? withLift(bound, 0, lift) : bound;
  }

  /** A memory's score with the lift of its best neighbour. */
  static double withLift(double own, double neighbour, double lift) {
    return (own + lift * neighbour) / (1 + lift);
  }

  /**
   * Those of a window's scored memories that can still enter the first {@code limit} places with
   * the largest lift a neighbour can give (a neighbour's own score is at most 1). A memory's final
   * score is at least {@code own / (1 + lift)} whatever its neighbours, so the {@code limit}-th
   * best of those floors and the kept hits' scores is a bar no final score below it can pass; a
   * memory whose ceiling is under that bar would rank below the list's end, and dropping it changes
   * neither the list nor any score in it.
   */
  private static List<Scored> canEnter(
      List<Scored> scored, List<Hit> kept, int limit, double lift) {
    double[] floors = new double[scored.size()];
    for (int i = 0; i < floors.length; i++) {
      floors[i] = withLift(scored.get(i).own(), 0, lift);
    }
    double bar = entryBar(kept, floors, limit);
    List<Scored> out = new ArrayList<>(scored.size());
    for (Scored x : scored) {
      if (withLift(x.own(), 1, lift) >= bar) {
        out.add(x);
      }
    }
    return out;
  }

  /**
   * The score a memory must be able to reach to enter the first {@code limit} places: the {@code
   * limit}-th best among the kept hits' scores and the {@code floors} (scores other memories are
   * sure to reach); minus infinity when there are not that many.
   */
  static double entryBar(List<Hit> kept, double[] floors, int limit) {
    if (kept.size() + floors.length < limit || limit < 1) {
      return Double.NEGATIVE_INFINITY;
    }
    double[] all = java.util.Arrays.copyOf(floors, floors.length + kept.size());
    for (int i = 0; i < kept.size(); i++) {
      all[floors.length + i] = kept.get(i).score();
    }
    java.util.Arrays.sort(all);
    return all[all.length - limit];
  }

  /** A loaded candidate that passed the selection and threshold, with its own score. */
  private record Scored(StoredMemory memory, double own, double similarity) {}

  /**
   * What a search knows of own scores: every memory scored so far (candidate or neighbour), the
   * exact text scores known without asking the store, how to score, and the most text score a
   * neighbour with none known can have.
   */
  private record Known(
      Map<String, Double> own,
      Map<String, Double> text,
      OwnScore scorer,
      double neighbourTextCeiling) {}

  /**
   * The lifts (the best own score among their neighbours in their add, see {@link
   * TenantStore#addNeighbours}, or their own score when their add stored them alone) of those of
   * {@code liftable} that can still enter the first {@code limit} places; the others are left out.
   * One store call finds the neighbours with their vectors, so each one's own score is known but
   * for its text score: first bounded (none, or the ceiling), which drops the memories that cannot
   * enter even with their neighbours' best bound, then exact, asked in one batch only for the
   * neighbours that could still be some survivor's best.
   */
  private static Map<String, Double> neighbourLifts(
      TenantStore store,
      String query,
      List<Scored> liftable,
      List<Hit> kept,
      int limit,
      Known known,
      boolean[] inConversations) {
    if (liftable.isEmpty()) {
      return Map.of();
    }
    Map<String, List<AddNeighbour>> near =
        store.addNeighbours(liftable.stream().map(s -> s.memory().id()).toList(), NEIGHBOUR_SPAN);
    OwnScore scorer = known.scorer();
    double lift = scorer.weights().neighbour();
    // Own score bounds of the neighbours not scored yet: {lowest, highest} by their text score.
    // A neighbour was stored by the same add as the memory it lifts, so it shares its time.
    Map<String, double[]> bounds = new HashMap<>();
    Map<String, AddNeighbour> byId = new HashMap<>();
    Map<String, Instant> timeOf = new HashMap<>();
    for (Scored s : liftable) {
      for (AddNeighbour n : near.getOrDefault(s.memory().id(), List.of())) {
        if (known.own().containsKey(n.id()) || bounds.containsKey(n.id())) {
          continue;
        }
        Instant time = s.memory().memory().createdAt();
        Double t = known.text().get(n.id());
        double low =
            scorer.score(n.embeddingModel(), n.embedding(), n.actor(), time, t != null ? t : 0);
        double high =
            t != null || scorer.weights().text() == 0
                ? low
                : scorer.score(
                    n.embeddingModel(),
                    n.embedding(),
                    n.actor(),
                    time,
                    known.neighbourTextCeiling());
        if (high <= low) {
          known.own().put(n.id(), low);
        } else {
          bounds.put(n.id(), new double[] {low, high});
          byId.put(n.id(), n);
          timeOf.put(n.id(), time);
        }
      }
    }
    double[] bestLow = new double[liftable.size()];
    double[] bestHigh = new double[liftable.size()];
    double[] floors = new double[liftable.size()];
    for (int i = 0; i < liftable.size(); i++) {
      List<AddNeighbour> around = near.getOrDefault(liftable.get(i).memory().id(), List.of());
      inConversations[0] |= !around.isEmpty();
      if (around.isEmpty()) {
        // Stored alone: its conversation is itself, so its score is its own relevance.
        bestLow[i] = liftable.get(i).own();
        bestHigh[i] = liftable.get(i).own();
      }
      for (AddNeighbour n : around) {
        Double exact = known.own().get(n.id());
        double[] b = exact != null ? new double[] {exact, exact} : bounds.get(n.id());
        if (b == null) {
          continue;
        }
        bestLow[i] = Math.max(bestLow[i], b[0]);
        bestHigh[i] = Math.max(bestHigh[i], b[1]);
      }
      floors[i] = withLift(liftable.get(i).own(), bestLow[i], lift);
    }
    double bar = entryBar(kept, floors, limit);
    // A neighbour's text score is needed only where it could be a survivor's best.
    List<Integer> survivors = new ArrayList<>();
    Set<String> needText = new java.util.LinkedHashSet<>();
    for (int i = 0; i < liftable.size(); i++) {
      if (withLift(liftable.get(i).own(), bestHigh[i], lift) < bar) {
        continue;
      }
      survivors.add(i);
      for (AddNeighbour n : near.getOrDefault(liftable.get(i).memory().id(), List.of())) {
        double[] b = bounds.get(n.id());
        if (b != null && b[1] > bestLow[i]) {
          needText.add(n.id());
        }
      }
    }
    if (!needText.isEmpty()) {
      Map<String, Double> text = new HashMap<>();
      for (ScoredId s : store.textScores(query, needText)) {
        text.put(s.id(), s.score());
      }
      for (String id : needText) {
        AddNeighbour n = java.util.Objects.requireNonNull(byId.get(id));
        double t = text.getOrDefault(id, 0.0);
        known.text().put(id, t);
        known
            .own()
            .put(
                id,
                scorer.score(
                    n.embeddingModel(),
                    n.embedding(),
                    n.actor(),
                    java.util.Objects.requireNonNull(timeOf.get(id)),
                    t));
      }
    }
    // A neighbour left unscored is at most the best lowest bound of every survivor it neighbours,
    // which an exactly scored neighbour of that survivor reaches: the best is among the exact ones.
    Map<String, Double> out = new HashMap<>();
    for (int i : survivors) {
      String id = liftable.get(i).memory().id();
      List<AddNeighbour> around = near.getOrDefault(id, List.of());
      double best = around.isEmpty() ? liftable.get(i).own() : 0;
      for (AddNeighbour n : around) {
        best = Math.max(best, known.own().getOrDefault(n.id(), 0.0));
      }
      out.put(id, best);
    }
    return out;
  }

  /** How many memories on either side of a memory in its add lend it their relevance. */
  static final int NEIGHBOUR_SPAN = 2;

  /** A memory's own score: its cosine, text score, actor and date match, without neighbours. */
  private record OwnScore(
      Weights weights,
      float @Nullable [] vector,
      String model,
      Set<String> queryWords,
      QueryDates dates,
      Map<String, Boolean> namedActors) {
    OwnScore(
        Weights weights,
        float @Nullable [] vector,
        String model,
        Set<String> queryWords,
        QueryDates dates) {
      // A search loads dozens of memories of a few actors: each name is matched once.
      this(weights, vector, model, queryWords, dates, new HashMap<>());
    }

    double cosine(StoredMemory m) {
      return cosine(m.memory().embeddingModel(), m.embedding());
    }

    double cosine(String embeddingModel, float[] embedding) {
      return vector != null && model.equals(embeddingModel)
          ? Math.max(-1, Math.min(1, Vectors.dot(vector, embedding)))
          : 0;
    }

    double score(StoredMemory m, double textScore) {
      return score(
          m.memory().embeddingModel(),
          m.embedding(),
          m.memory().actor(),
          m.memory().createdAt(),
          textScore);
    }

    /** The same score from only the fields it reads (a neighbour is not loaded whole). */
    double score(
        String embeddingModel,
        float[] embedding,
        @Nullable String actor,
        Instant createdAt,
        double textScore) {
      boolean named =
          weights.actor() > 0
              && actor != null
              && namedActors.computeIfAbsent(actor, a -> names(queryWords, a));
      boolean dated = weights.date() > 0 && dates.matches(createdAt);
      return weights.score(cosine(embeddingModel, embedding), textScore, named, dated);
    }
  }

  /**
   * Exact text scores of the candidates of a slice whose text score no ranker reported (empty when
   * text does not count in this mode).
   */
  private static Map<String, Double> missingTextScores(
      TenantStore store, String query, List<Candidate> slice, Weights w) {
    if (w.text() == 0) {
      return Map.of();
    }
    List<String> missing = new ArrayList<>();
    for (Candidate c : slice) {
      if (Double.isNaN(c.textScore())) {
        missing.add(c.id());
      }
    }
    if (missing.isEmpty()) {
      return Map.of();
    }
    Map<String, Double> out = new HashMap<>();
    for (ScoredId s : store.textScores(query, missing)) {
      out.put(s.id(), s.score());
    }
    return out;
  }

  /** Whether the query names this actor: every word of the name is a word of the query. */
  public static boolean names(Set<String> queryWords, String actor) {
    Set<String> name = words(actor);
    return !name.isEmpty() && queryWords.containsAll(name);
  }

  /** Lower-cased words of a text, for matching actor names against a query. */
  public static Set<String> words(String text) {
    return new HashSet<>(TextHash.words(text));
  }
}
