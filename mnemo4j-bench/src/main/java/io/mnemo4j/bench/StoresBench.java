package io.mnemo4j.bench;

import static io.mnemo4j.bench.SideBySide.POSTGRES;
import static io.mnemo4j.bench.SideBySide.SIDES;

import io.mnemo4j.Hit;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.SearchTuning;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.bench.SideBySide.Pair;
import io.mnemo4j.bench.SideBySide.Table;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code stores}: the embedded store and the PostgreSQL store side by side, in one process, on the
 * same memories and vectors. For each corpus size (many small tenants, one large one): the bulk
 * write rate, dense search through the store ({@link TenantStore#vectorSearch}, k=10) with its
 * recall@10 against brute-force cosine, dense and hybrid {@link TenantMemory#search}, and the cost
 * of opening a tenant that is not open; then {@link TenantMemory#add} throughput. Every measured
 * loop alternates the two backends (rotating which goes first), so machine noise falls on both
 * alike; the report gives medians and the ratio postgres/embedded.
 *
 * <p>Corpora are built as in {@code search} (see {@link CorpusWriter}): real texts embedded once,
 * memories are noisy copies of their vectors. Query vectors are embedded once beforehand, and
 * {@code add} serves message embeddings from a memo filled by a priming pass, so the model's cost
 * is outside every timing.
 */
final class StoresBench {
  private StoresBench() {}

  /** The user every benchmark memory belongs to, and every search is scoped to. */
  static final String USER = "user-0";

  record Config(
      int tenants,
      int docs,
      int large,
      int queries,
      int warmup,
      int warmupPerTenant,
      int k,
      int batch,
      int add,
      int addWarmup,
      int addRound,
      int coldPasses,
      int coldMaxOpen,
      int coldLarge,
      int pool,
      double noise,
      String pgUrl,
      String pgUser,
      String pgDb,
      boolean pgAnalyze,
      int preAnalyze,
      double neighbourWeight,
      boolean keep) {
    static Config from(Args a) {
      Config c =
          new Config(
              a.intValue("tenants", 100),
              a.intValue("docs", 1000),
              a.intValue("large", 100_000),
              a.intValue("queries", 500),
              a.intValue("warmup", 100),
              a.intValue("warmup-per-tenant", 12),
              a.intValue("k", 10),
              a.intValue("batch", 1000),
              a.intValue("add", 2000),
              a.intValue("add-warmup", 200),
              a.intValue("add-round", 100),
              a.intValue("cold-passes", 3),
              a.intValue("cold-max-open", 8),
              a.intValue("cold-large", 10),
              a.intValue("pool", 5000),
              Double.parseDouble(a.string("noise", "0.3")),
              a.string("pg-url", "jdbc:postgresql://127.0.0.1:5432/"),
              a.string("pg-user", "postgres"),
              a.string("pg-db", "mnemo_bench_stores"),
              bool(a.string("pg-analyze", "true"), "pg-analyze"),
              a.intValue("pre-analyze", 20),
              Double.parseDouble(
                  a.string(
                      "neighbour-weight",
                      Double.toString(SearchTuning.defaults().neighbourWeight()))),
              a.flag("keep"));
      if (c.tenants < 0 || c.docs < 1 || c.large < 0 || (c.tenants == 0 && c.large == 0)) {
        throw new IllegalArgumentException(
            "need --docs >= 1, --tenants >= 0, --large >= 0, and one of them non-zero");
      }
      if (c.queries < 1
          || c.warmup < 0
          || c.warmupPerTenant < 0
          || c.preAnalyze < 0
          || c.k < 1
          || c.batch < 1
          || c.pool < 1) {
        throw new IllegalArgumentException("stores options must be positive");
      }
      if (c.add < 0 || c.addWarmup < 0 || (c.add > 0 && c.addRound < 10) || c.addRound % 10 != 0) {
        throw new IllegalArgumentException(
            "need --add >= 0, --add-warmup >= 0 and --add-round a multiple of 10 (batches of 10)");
      }
      if (c.coldPasses < 0 || c.coldLarge < 0 || c.coldMaxOpen < 1) {
        throw new IllegalArgumentException("cold-open options must be positive");
      }
      if (!(c.neighbourWeight >= 0 && c.neighbourWeight <= 1)) {
        throw new IllegalArgumentException("--neighbour-weight must be within [0, 1]");
      }
      if (!(c.noise >= 0)) {
        throw new IllegalArgumentException("--noise must be >= 0");
      }
      return c;
    }

    private static boolean bool(String v, String name) {
      return switch (v) {
        case "true" -> true;
        case "false" -> false;
        default ->
            throw new IllegalArgumentException(
                "--" + name + " must be true or false, got '" + v + "'");
      };
    }

    /**
     * The search tuning of every {@code Mnemo} the run builds: the defaults, with this neighbour
     * weight.
     */
    SearchTuning tuning() {
      return SearchTuning.defaults().withNeighbourWeight(neighbourWeight);
    }

    /** Warm-up queries for a size of {@code tenants} tenants. */
    int warmupFor(int tenants) {
      return Math.max(warmup, warmupPerTenant * tenants);
    }
  }

  /**
   * One search to run: the query, the index of the tenant it goes to, and the ids of its exact
   * top-k there.
   */
  private record Probe(String query, int tenant, Set<String> exact) {}

  /** The ids and vectors of one tenant's memories, kept for the exact search. */
  record TenantData(String tenant, String[] ids, float[][] vectors) {}

  static Report run(BenchMain.Common common, Config cfg) throws Exception {
    Texts texts = Texts.load(common.locomo(), common.seed());
    List<String> poolTexts =
        Texts.cycle(texts.turns(), 0, Math.min(cfg.pool, texts.turns().size()));
    Embedder embedder = Embedders.open(common.embedder());
    QueryVectorCache cache = new QueryVectorCache(embedder);
    Pool pool = Pool.load(poolTexts, embedder, common.workDir());
    System.err.printf(
        "stores: pool of %d texts %s%n",
        pool.size(),
        pool.cached()
            ? "read from cache"
            : String.format(Locale.ROOT, "embedded in %.1f s", pool.embedSeconds()));
    // Measured queries first, then warm-up ones after them (cycling when the questions run out).
    List<String> queries = Texts.cycle(texts.questions(), 0, cfg.queries);
    List<String> warm =
        Texts.cycle(
            texts.questions(),
            cfg.queries,
            Math.max(cfg.warmupFor(cfg.tenants), cfg.warmupFor(cfg.large > 0 ? 1 : 0)));
    System.err.printf("stores: embedding %d queries once%n", queries.size() + warm.size());
    cache.precompute(queries);
    cache.precompute(warm);

    Report report = new Report();
    Map<String, Object> server = StoreSide.serverFacts(cfg.pgUrl, cfg.pgUser);
    report
        .line(
            "stores: embedded (SQLite + Lucene) vs PostgreSQL %s + pgvector %s, same data, one process, "
                + "backends alternating in every loop",
            server.get("server_version"), server.get("pgvector"))
        .line(
            "  corpus: %d %s texts embedded once by %s (pool); memory i = a random pool text + \" [m<i>]\", "
                + "vector = its pool vector + Gaussian noise (norm ~%s), re-normalised; all in %s",
            pool.size(),
            texts.source().startsWith("locomo") ? "LoCoMo turn" : "synthetic",
            embedder.modelId(),
            cfg.noise,
            USER)
        .line(
            "  queries: %d %s questions (held out: never memory texts), embedded once beforehand, round-robin "
                + "over the tenants, after max(%d, %d per tenant) warm-up queries; k=%d; single thread",
            queries.size(),
            texts.source().startsWith("locomo") ? "LoCoMo" : "synthetic",
            cfg.warmup,
            cfg.warmupPerTenant,
            cfg.k)
        .line(
            "  PostgreSQL: shared_buffers %s, synchronous_commit %s, fsync %s, jit %s, autovacuum %s; "
                + "database %s created for the run%s; %s",
            server.get("shared_buffers"),
            server.get("synchronous_commit"),
            server.get("fsync"),
            server.get("jit"),
            server.get("autovacuum"),
            cfg.pgDb,
            cfg.keep ? " and kept" : " and dropped afterwards",
            cfg.pgAnalyze
                ? "ANALYZE after each bulk load (what auto-analyze would do), searches timed after it"
                : "no ANALYZE (the planner may lack table statistics)");
    report
        .put("embedder", embedder.modelId())
        .put("texts", texts.source())
        .put("postgres", server)
        .put("config", configJson(cfg));

    try (StoreSide embedded = StoreSide.embedded(common.workDir(), cfg.keep);
        StoreSide postgres =
            StoreSide.postgres(cfg.pgUrl, cfg.pgUser, cfg.pgDb, common.workDir(), cfg.keep)) {
      StoreSide[] sides = {embedded, postgres};
      if (cfg.tenants > 0) {
        List<String> tenants = new ArrayList<>(cfg.tenants);
        for (int t = 0; t < cfg.tenants; t++) {
          tenants.add(String.format(Locale.ROOT, "many-%04d", t));
        }
        Map<String, Object> many =
            size(
                "many",
                sides,
                tenants,
                cfg.docs,
                cfg,
                common.seed(),
                pool,
                cache,
                warm,
                queries,
                report);
        report.put("many", many);
      }
      if (cfg.large > 0) {
        Map<String, Object> one =
            size(
                "one",
                sides,
                List.of("one-large"),
                cfg.large,
                cfg,
                common.seed() + 1,
                pool,
                cache,
                warm,
                queries,
                report);
        report.put("one", one);
      }
      if (cfg.add > 0) {
        report.put("add", StoresAdd.run(sides, texts, cfg, cache, report));
      }
      Map<String, Object> footprint = new LinkedHashMap<>();
      for (StoreSide side : sides) {
        footprint.put(side.name(), side.footprint());
      }
      report.line(
          "  on disk at the end: embedded %s MiB, postgres database %s MiB",
          footprint.get("embedded") instanceof Map<?, ?> m ? m.get("disk_mib") : "?",
          footprint.get("postgres") instanceof Map<?, ?> m ? m.get("database_mib") : "?");
      report.put("footprint_end", footprint);
    }
    return report;
  }

  // ------------------------------------------------------------------------------ one corpus size

  private static Map<String, Object> size(
      String label,
      StoreSide[] sides,
      List<String> tenants,
      int docs,
      Config cfg,
      long seed,
      Pool pool,
      QueryVectorCache cache,
      List<String> warmPool,
      List<String> queries,
      Report report)
      throws Exception {
    List<String> warm = warmPool.subList(0, cfg.warmupFor(tenants.size()));
    System.err.printf(
        "stores[%s]: writing %d tenant(s) x %,d memories to both backends%n",
        label, tenants.size(), docs);
    for (StoreSide side : sides) {
      side.register(tenants);
    }
    long[] writeNanos = new long[2];
    List<TenantData> data =
        write(sides, tenants, docs, cfg.batch, seed, pool, cfg.noise, writeNanos);
    long total = (long) tenants.size() * docs;
    double[] rate = {total / (writeNanos[0] / 1e9), total / (writeNanos[1] / 1e9)};
    Map<String, Object> footprint = new LinkedHashMap<>();
    for (StoreSide side : sides) {
      footprint.put(side.name(), side.footprint());
    }

    String model = pool.model();
    ScopeFilter scope = Search.in(Scope.user(USER)).selection().scopeFilter();
    // Ground truth once per query: brute-force cosine over the tenant's vectors.
    System.err.printf(
        "stores[%s]: exact top-%d of %d queries%n", label, cfg.k, warm.size() + queries.size());
    List<Probe> warmProbes = probes(warm, 0, data, cfg.k, cache);
    List<Probe> probes = probes(queries, warm.size(), data, cfg.k, cache);

    Pair pre = null;
    double analyzeSeconds = Double.NaN;
    if (cfg.pgAnalyze) {
      if (cfg.preAnalyze > 0) {
        // Right after a bulk load PostgreSQL has no statistics of the new tables until
        // (auto-)analyze runs: a few searches in that state, no warm-up.
        pre =
            storeSearch(
                label + ", before ANALYZE",
                sides,
                data,
                model,
                scope,
                List.of(),
                probes.subList(0, Math.min(cfg.preAnalyze, probes.size())),
                cfg,
                cache);
      }
      long a = System.nanoTime();
      sides[POSTGRES].analyze();
      analyzeSeconds = (System.nanoTime() - a) / 1e9;
      System.err.printf("stores[%s]: ANALYZE took %.1f s%n", label, analyzeSeconds);
    }

    Pair store = storeSearch(label, sides, data, model, scope, warmProbes, probes, cfg, cache);
    Pair[] core = coreSearch(label, sides, data, warmProbes, probes, cfg, cache);
    Pair dense = core[0];
    Pair hybrid = core[1];
    StoresCold.Result cold = StoresCold.run(label, sides, data, model, scope, queries, cfg, cache);

    String title =
        String.format(
            Locale.ROOT,
            "%s: %d tenant(s) x %,d memories (%,d in all)",
            label,
            tenants.size(),
            docs,
            total);
    Table table = new Table(title);
    table.row(
        String.format(Locale.ROOT, "bulk write, TenantStore.write x%d (memories/s)", cfg.batch),
        String.format(Locale.ROOT, "%,.0f", rate[0]),
        String.format(Locale.ROOT, "%,.0f", rate[1]),
        rate[1] / rate[0]);
    if (pre != null) {
      table.latency(
          String.format(
              Locale.ROOT, "dense, vectorSearch k=%d, before ANALYZE (%d q)", cfg.k, pre.count()),
          pre);
      table.recall(String.format(Locale.ROOT, "  recall@%d vs exact", cfg.k), pre);
      table.row(
          "ANALYZE of the PostgreSQL database (s)",
          "",
          String.format(Locale.ROOT, "%.1f", analyzeSeconds),
          Double.NaN);
    }
    table.latency(String.format(Locale.ROOT, "dense, TenantStore.vectorSearch k=%d", cfg.k), store);
    table.recall(String.format(Locale.ROOT, "  recall@%d vs exact", cfg.k), store);
    table.latency("dense, TenantMemory.search (200 candidates)", dense);
    table.recall(String.format(Locale.ROOT, "  recall@%d vs exact", cfg.k), dense);
    table.latency("hybrid, TenantMemory.search", hybrid);
    if (cold.spi() != null && cold.close() != null) {
      table.latency("cold: MemoryStore.open + first vectorSearch", cold.spi());
      table.latency("cold: TenantStore.close after it", cold.close());
    }
    if (cold.mnemo() != null) {
      table.latency(
          String.format(
              Locale.ROOT, "cold: Mnemo miss (LRU of %d) + hybrid search", cfg.coldMaxOpen),
          cold.mnemo());
    }
    table.row(
        "on disk after the writes (MiB)",
        String.valueOf(((Map<?, ?>) footprint.get("embedded")).get("disk_mib")),
        String.valueOf(((Map<?, ?>) footprint.get("postgres")).get("database_mib")),
        Double.NaN);
    table.print(report);

    Map<String, Object> j = new LinkedHashMap<>();
    j.put("tenants", tenants.size());
    j.put("memories_per_tenant", docs);
    Map<String, Object> build = new LinkedHashMap<>();
    for (int s = 0; s < 2; s++) {
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("seconds", Stats.round1(writeNanos[s] / 1e9));
      b.put("memories_per_s", Stats.round1(rate[s]));
      build.put(SIDES[s], b);
    }
    build.put("ratio", Stats.round3(rate[1] / rate[0]));
    build.put(
        "how",
        "TenantStore.write in batches of "
            + cfg.batch
            + " memories, each with its ADD history row; open + writes + close timed per tenant,"
            + " the two backends alternating per batch");
    j.put("bulk_write", build);
    j.put("footprint_after_write", footprint);
    j.put("warmup_queries", warm.size());
    j.put("measured_queries", probes.size());
    if (pre != null) {
      j.put("store_vector_search_before_analyze", pre.toJson());
    }
    if (!Double.isNaN(analyzeSeconds)) {
      j.put("postgres_analyze_seconds", Stats.round1(analyzeSeconds));
    }
    j.put("store_vector_search", store.toJson());
    j.put("core_dense_search", dense.toJson());
    j.put("core_hybrid_search", hybrid.toJson());
    if (cold.spi() != null && cold.close() != null) {
      j.put("cold_spi_open_first_query", cold.spi().toJson());
      j.put("cold_spi_close", cold.close().toJson());
    }
    if (cold.mnemo() != null) {
      j.put("cold_mnemo_miss_hybrid", cold.mnemo().toJson());
    }
    return j;
  }

  /**
   * Writes the same memories to both backends, batch by batch, alternating which goes first; adds
   * each side's open + write + close time to {@code nanos}.
   */
  private static List<TenantData> write(
      StoreSide[] sides,
      List<String> tenants,
      int docs,
      int batchSize,
      long seed,
      Pool pool,
      double noise,
      long[] nanos) {
    CorpusWriter writer = new CorpusWriter(pool, seed, noise);
    List<TenantData> out = new ArrayList<>(tenants.size());
    MemoryStore[] regions = {sides[0].openRegion(), sides[1].openRegion()};
    try {
      long t0 = System.nanoTime();
      int flip = 0;
      for (int t = 0; t < tenants.size(); t++) {
        String tenant = tenants.get(t);
        TenantStore[] stores = new TenantStore[2];
        for (int s = 0; s < 2; s++) {
          long a = System.nanoTime();
          stores[s] = regions[s].open(TenantId.of(tenant));
          nanos[s] += System.nanoTime() - a;
        }
        String[] ids = new String[docs];
        float[][] vectors = new float[docs][];
        int written = 0;
        while (written < docs) {
          int n = Math.min(batchSize, docs - written);
          List<StoredMemory> memories =
              writer.memories((long) t * docs + written, n, i -> Scope.user(USER));
          for (int j = 0; j < n; j++) {
            ids[written + j] = memories.get(j).id();
            vectors[written + j] = memories.get(j).embedding();
          }
          WriteBatch batch = writer.addBatch(memories);
          for (int o = 0; o < 2; o++) {
            int s = (flip + o) % 2;
            long a = System.nanoTime();
            stores[s].write(batch);
            nanos[s] += System.nanoTime() - a;
          }
          flip ^= 1;
          written += n;
          if (tenants.size() == 1 && (written / n) % 10 == 0) {
            System.err.printf(
                "  %s: %,d / %,d memories (%.0f s; embedded %.0f/s, postgres %.0f/s)%n",
                tenant,
                written,
                docs,
                (System.nanoTime() - t0) / 1e9,
                written / (nanos[0] / 1e9),
                written / (nanos[1] / 1e9));
          }
        }
        for (int s = 0; s < 2; s++) {
          long a = System.nanoTime();
          stores[s].close();
          nanos[s] += System.nanoTime() - a;
        }
        out.add(new TenantData(tenant, ids, vectors));
        if (tenants.size() > 1 && ((t + 1) % 10 == 0 || t + 1 == tenants.size())) {
          System.err.printf(
              "  %d / %d tenants (%.0f s; embedded %.0f/s, postgres %.0f/s)%n",
              t + 1,
              tenants.size(),
              (System.nanoTime() - t0) / 1e9,
              (t + 1.0) * docs / (nanos[0] / 1e9),
              (t + 1.0) * docs / (nanos[1] / 1e9));
        }
      }
    } finally {
      for (MemoryStore r : regions) {
        r.close();
      }
    }
    return out;
  }

  /** Dense search through the SPI with every tenant open: latency and recall against exact. */
  private static Pair storeSearch(
      String label,
      StoreSide[] sides,
      List<TenantData> data,
      String model,
      ScopeFilter scope,
      List<Probe> warm,
      List<Probe> measured,
      Config cfg,
      QueryVectorCache cache) {
    Pair pair = new Pair();
    List<Probe> all = new ArrayList<>(warm);
    all.addAll(measured);
    MemoryStore[] regions = {sides[0].openRegion(), sides[1].openRegion()};
    List<TenantStore[]> open = new ArrayList<>();
    try {
      for (TenantData t : data) {
        open.add(
            new TenantStore[] {
              regions[0].open(TenantId.of(t.tenant())), regions[1].open(TenantId.of(t.tenant()))
            });
      }
      System.err.printf(
          "stores[%s]: TenantStore.vectorSearch, %d warm-up + %d measured queries%n",
          label, warm.size(), measured.size());
      FilterExpr everything = new FilterExpr.All();
      for (int i = 0; i < all.size(); i++) {
        Probe probe = all.get(i);
        float[] q = cache.queryVector(probe.query());
        for (int o = 0; o < 2; o++) {
          int s = (i + o) % 2;
          long a = System.nanoTime();
          List<ScoredId> hits =
              open.get(probe.tenant())[s].vectorSearch(model, q, scope, everything, cfg.k);
          long e = System.nanoTime() - a;
          if (i >= warm.size()) {
            pair.add(s, e, hits.size());
            pair.recall(s, recall(hits.stream().map(ScoredId::id).toList(), probe.exact()));
          }
        }
        progress(label, "vectorSearch", i, all.size());
      }
    } finally {
      for (TenantStore[] pairOfStores : open) {
        for (TenantStore st : pairOfStores) {
          st.close();
        }
      }
      for (MemoryStore r : regions) {
        r.close();
      }
    }
    return pair;
  }

  /**
   * Dense and hybrid {@code TenantMemory.search} with precomputed query vectors, every tenant open
   * (LRU larger than the tenant count); returns {dense, hybrid}.
   */
  private static Pair[] coreSearch(
      String label,
      StoreSide[] sides,
      List<TenantData> data,
      List<Probe> warm,
      List<Probe> measured,
      Config cfg,
      QueryVectorCache cache) {
    List<Probe> all = new ArrayList<>(warm);
    all.addAll(measured);
    Pair dense = new Pair();
    Pair hybrid = new Pair();
    cache.serveCached(true);
    Scope scope = Scope.user(USER);
    try (Mnemo e =
            sides[0].mnemo(cache.shared(), Math.max(256, data.size() + 8), false, cfg.tuning());
        Mnemo p =
            sides[1].mnemo(cache.shared(), Math.max(256, data.size() + 8), false, cfg.tuning())) {
      Mnemo[] mnemos = {e, p};
      List<TenantMemory[]> tenants = new ArrayList<>();
      for (TenantData t : data) {
        TenantMemory[] pairOfTenants = {e.tenant(t.tenant()), p.tenant(t.tenant())};
        for (TenantMemory tm : pairOfTenants) {
          tm.search(all.get(0).query(), Search.in(scope).limit(cfg.k)); // opens the tenant
        }
        tenants.add(pairOfTenants);
      }
      System.err.printf(
          "stores[%s]: TenantMemory.search dense + hybrid, %d warm-up + %d measured queries%n",
          label, warm.size(), measured.size());
      for (int i = 0; i < all.size(); i++) {
        Probe probe = all.get(i);
        String q = probe.query();
        // Four runs per query: (dense, hybrid) x (embedded, postgres), rotating the order.
        for (int o = 0; o < 4; o++) {
          int r = (i + o) % 4;
          int s = r % 2;
          boolean isDense = r < 2;
          Search search = Search.in(scope).limit(cfg.k);
          if (isDense) {
            search = search.mode(Search.Mode.DENSE);
          }
          long a = System.nanoTime();
          List<Hit> hits = tenants.get(probe.tenant())[s].search(q, search);
          long el = System.nanoTime() - a;
          if (i >= warm.size()) {
            Pair target = isDense ? dense : hybrid;
            target.add(s, el, hits.size());
            if (isDense) {
              target.recall(
                  s, recall(hits.stream().map(h -> h.memory().id()).toList(), probe.exact()));
            }
          }
        }
        progress(label, "TenantMemory.search", i, all.size());
      }
      if (mnemos[0].operations().openTenants() < data.size()) {
        System.err.println("stores: warning: not every tenant stayed open during the search loop");
      }
    } finally {
      cache.serveCached(false);
    }
    return new Pair[] {dense, hybrid};
  }

  // ------------------------------------------------------------------------------ helpers

  /**
   * Probes for {@code queries}: query {@code i} goes to tenant {@code (offset + i) % tenants}, with
   * its exact top-k there (brute force over the tenant's vectors).
   */
  private static List<Probe> probes(
      List<String> queries, int offset, List<TenantData> data, int k, QueryVectorCache cache) {
    List<Probe> out = new ArrayList<>(queries.size());
    for (int i = 0; i < queries.size(); i++) {
      int t = (offset + i) % data.size();
      TenantData d = data.get(t);
      out.add(
          new Probe(
              queries.get(i),
              t,
              ExactKnn.topK(d.ids(), d.vectors(), cache.queryVector(queries.get(i)), k)));
    }
    return out;
  }

  private static double recall(List<String> found, Set<String> exact) {
    if (exact.isEmpty()) {
      return 1.0;
    }
    int hit = 0;
    for (String id : new HashSet<>(found)) {
      if (exact.contains(id)) {
        hit++;
      }
    }
    return (double) hit / exact.size();
  }

  private static void progress(String label, String what, int i, int total) {
    if ((i + 1) % 200 == 0 || i + 1 == total) {
      System.err.printf("  [%s] %s: %d / %d queries%n", label, what, i + 1, total);
    }
  }

  private static Map<String, Object> configJson(Config cfg) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tenants", cfg.tenants);
    m.put("docs", cfg.docs);
    m.put("large", cfg.large);
    m.put("queries", cfg.queries);
    m.put("warmup", cfg.warmup);
    m.put("warmup_per_tenant", cfg.warmupPerTenant);
    m.put("pg_analyze", cfg.pgAnalyze);
    m.put("pre_analyze", cfg.preAnalyze);
    m.put("k", cfg.k);
    m.put("batch", cfg.batch);
    m.put("add", cfg.add);
    m.put("add_warmup", cfg.addWarmup);
    m.put("add_round", cfg.addRound);
    m.put("cold_passes", cfg.coldPasses);
    m.put("cold_max_open", cfg.coldMaxOpen);
    m.put("cold_large", cfg.coldLarge);
    m.put("pool", cfg.pool);
    m.put("noise", cfg.noise);
    m.put("neighbour_weight", cfg.neighbourWeight);
    m.put("pg_db", cfg.pgDb);
    return m;
  }
}
