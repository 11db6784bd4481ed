package io.mnemo4j.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.mnemo4j.Hit;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.SearchTuning;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.FSDirectory;

/**
 * {@code search}: single-threaded search latency on one tenant of many memories, per variant, side
 * by side: the embedder's query embedding alone; hybrid, dense-only and text-only search including
 * query embedding; and hybrid and dense with the query vector computed beforehand (store and fusion
 * only). The variants run in rotating order on each query, so machine noise falls on all of them
 * alike.
 *
 * <p>The tenant is built through the storage SPI (see {@link CorpusWriter}), not through {@code
 * add}: embedding 100,000 texts would take a quarter of an hour. The built corpus is cached in the
 * work directory.
 */
final class SearchBench {
  private SearchBench() {}

  static final String TENANT = "bench";

  record Config(
      int memories,
      int queries,
      int warmup,
      int users,
      int pool,
      double noise,
      int batch,
      int limit,
      double neighbourWeight,
      List<Variant> variants) {
    static Config from(Args a) {
      Config c =
          new Config(
              a.intValue("memories", 100_000),
              a.intValue("queries", 1000),
              a.intValue("warmup", 200),
              a.intValue("users", 1),
              a.intValue("pool", 5000),
              Double.parseDouble(a.string("noise", "0.3")),
              a.intValue("batch", 1000),
              a.intValue("limit", 10),
              Double.parseDouble(
                  a.string(
                      "neighbour-weight",
                      Double.toString(SearchTuning.defaults().neighbourWeight()))),
              Variant.parse(a.string("variants", "all")));
      if (c.memories < 1
          || c.queries < 1
          || c.warmup < 0
          || c.users < 1
          || c.pool < 1
          || c.batch < 1
          || !(c.noise >= 0)
          || c.limit < 1
          || !(c.neighbourWeight >= 0 && c.neighbourWeight <= 1)) {
        throw new IllegalArgumentException("search options must be positive");
      }
      return c;
    }
  }

  enum Variant {
    EMBED("query embedding alone (embedder.embed)"),
    HYBRID("hybrid search, incl. query embedding"),
    DENSE("dense-only search, incl. query embedding"),
    TEXT("text-only search (BM25, no embedding)"),
    HYBRID_PRE("hybrid search, query vector precomputed"),
    DENSE_PRE("dense-only search, query vector precomputed");

    final String label;

    Variant(String label) {
      this.label = label;
    }

    /**
     * The variants named in {@code list} (comma-separated, case-insensitive, e.g. {@code
     * text,hybrid_pre}), in declaration order; {@code all} for every one. Running fewer lets a
     * profile of one variant be read without the others' samples.
     */
    static List<Variant> parse(String list) {
      if (list.equalsIgnoreCase("all")) {
        return List.of(values());
      }
      java.util.EnumSet<Variant> chosen = java.util.EnumSet.noneOf(Variant.class);
      for (String name : list.split(",")) {
        try {
          chosen.add(valueOf(name.strip().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "--variants: unknown variant '"
                  + name.strip()
                  + "' (one or more of embed, hybrid, dense, text, hybrid_pre, dense_pre, or all)");
        }
      }
      return List.copyOf(chosen);
    }
  }

  static Report run(BenchMain.Common common, Config cfg) throws IOException {
    Texts texts = Texts.load(common.locomo(), common.seed());
    List<String> poolTexts =
        Texts.cycle(texts.turns(), 0, Math.min(cfg.pool, texts.turns().size()));
    Embedder embedder = Embedders.open(common.embedder());
    QueryVectorCache cache = new QueryVectorCache(embedder);
    Path corpus =
        common
            .workDir()
            .resolve(
                String.format(
                    Locale.ROOT,
                    "search-%s-n%d-u%d-p%d-noise%s-s%d-%s",
                    embedder.modelId(),
                    cfg.memories,
                    cfg.users,
                    poolTexts.size(),
                    cfg.noise,
                    common.seed(),
                    Pool.digest(poolTexts)));
    Path dataDir = corpus.resolve("data");
    Path buildFile = corpus.resolve("build.json");
    Map<String, Object> build;
    boolean cached = Files.isReadable(buildFile);
    if (cached) {
      System.err.println("search: reusing the corpus in " + corpus);
      build =
          JsonMapper.builder()
              .build()
              .readValue(buildFile.toFile(), new TypeReference<Map<String, Object>>() {});
    } else {
      CorpusWriter.deleteTree(corpus);
      build = build(common, cfg, embedder, texts, poolTexts, dataDir);
      Files.writeString(buildFile, JsonMapper.builder().build().writeValueAsString(build));
    }
    Path tenantDir = CorpusWriter.tenantDir(dataDir, TENANT);
    long diskBytes = CorpusWriter.sizeOf(tenantDir);
    long indexBytes = CorpusWriter.sizeOf(tenantDir.resolve("index"));
    int segments = segments(tenantDir.resolve("index"));

    List<String> warm = Texts.cycle(texts.questions(), 0, cfg.warmup);
    List<String> queries = Texts.cycle(texts.questions(), cfg.warmup, cfg.queries);
    Map<Variant, Stats> stats = new EnumMap<>(Variant.class);
    Map<Variant, Long> hitCounts = new EnumMap<>(Variant.class);
    Map<Variant, Long> cpuNanos = new EnumMap<>(Variant.class);
    for (Variant v : cfg.variants) {
      stats.put(v, new Stats());
      hitCounts.put(v, 0L);
      cpuNanos.put(v, 0L);
    }
    // Process CPU time (every thread: the text search's virtual thread, ONNX's own threads) is
    // what other work on a shared machine inflates least; wall time alone could not resolve a
    // millisecond at a load average of 10.
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    double firstSearchMs;
    int openTenants;
    try (Mnemo mnemo =
        Mnemo.builder()
            .dataDir(dataDir)
            .backend(EmbeddedBackend.create())
            .embedder(cache)
            .searchTuning(SearchTuning.defaults().withNeighbourWeight(cfg.neighbourWeight))
            .autoCreateTenants(false)
            .build()) {
      TenantMemory tenant = mnemo.tenant(TENANT);
      Scope scope = Scope.user("user-0");
      long t0 = System.nanoTime();
      tenant.search(queries.get(0), Search.in(scope).limit(cfg.limit));
      firstSearchMs = (System.nanoTime() - t0) / 1e6;
      System.err.printf(
          "search: first search (opens the tenant) %.1f ms; precomputing %d query vectors%n",
          firstSearchMs, warm.size() + queries.size());
      cache.precompute(warm);
      cache.precompute(queries);
      System.err.printf("search: warming up on %d queries%n", warm.size());
      for (int i = 0; i < warm.size(); i++) {
        for (Variant v : cfg.variants) {
          runOnce(v, warm.get(i), tenant, cache, scope, cfg.limit);
        }
      }
      System.err.printf(
          "search: measuring %d queries x %d variants%n", queries.size(), cfg.variants.size());
      Variant[] all = cfg.variants.toArray(new Variant[0]);
      for (int i = 0; i < queries.size(); i++) {
        for (int k = 0; k < all.length; k++) {
          Variant v = all[(i + k) % all.length];
          long c = os.getProcessCpuTime();
          long s = System.nanoTime();
          int hits = runOnce(v, queries.get(i), tenant, cache, scope, cfg.limit);
          stats.get(v).add(System.nanoTime() - s);
          cpuNanos.merge(v, os.getProcessCpuTime() - c, Long::sum);
          hitCounts.merge(v, (long) hits, Long::sum);
        }
        if ((i + 1) % 100 == 0) {
          System.err.printf("  %d / %d queries%n", i + 1, queries.size());
        }
      }
      openTenants = mnemo.operations().openTenants();
    }
    // Lucene merges in the background after an open; a changed count means merges ran during the
    // measurement.
    int segmentsAfter = segments(tenantDir.resolve("index"));

    Report report = new Report();
    report
        .line(
            "search: 1 tenant, %,d memories in %d user scope(s); searching user-0 (%,d memories), limit %d",
            cfg.memories, cfg.users, (cfg.memories + cfg.users - 1) / cfg.users, cfg.limit)
        .line("  corpus: %s", build.get("how"))
        .line(
            "  corpus build%s: pool embedding %.1f s, SPI writes %.1f s (%.0f memories/s, SQLite + incremental "
                + "Lucene), index rebuild from SQLite %s",
            cached ? " (cached, from " + corpus.getFileName() + ")" : "",
            num(build.get("pool_embed_seconds")),
            num(build.get("write_seconds")),
            num(build.get("write_memories_per_s")),
            build.containsKey("index_rebuild_seconds")
                ? String.format(Locale.ROOT, "%.1f s", num(build.get("index_rebuild_seconds")))
                : "n/a")
        .line(
            "  on disk: %.1f MiB (index %.1f MiB, %d segment(s) before the run, %d after); first search incl. "
                + "tenant open %.1f ms",
            BenchMain.mib(diskBytes),
            BenchMain.mib(indexBytes),
            segments,
            segmentsAfter,
            firstSearchMs)
        .line(
            "  queries: %d %s questions after %d warm-up queries, single thread, embedder %s",
            queries.size(),
            texts.source().startsWith("locomo") ? "LoCoMo" : "synthetic",
            warm.size(),
            embedder.modelId());
    Map<String, Object> latency = new LinkedHashMap<>();
    for (Variant v : cfg.variants) {
      Stats s = stats.get(v);
      double cpuMs = cpuNanos.get(v) / 1e6 / s.count();
      report.line("  %-44s %s   cpu %8.3f ms", v.label, s.line(), cpuMs);
      Map<String, Object> j = s.toJson();
      j.put("mean_hits", Stats.round1((double) hitCounts.get(v) / s.count()));
      j.put("process_cpu_ms_mean", Math.round(cpuMs * 1000) / 1000.0);
      latency.put(v.name().toLowerCase(Locale.ROOT), j);
    }
    report
        .put("embedder", embedder.modelId())
        .put("memories", cfg.memories)
        .put("users", cfg.users)
        .put("limit", cfg.limit)
        .put("neighbour_weight", cfg.neighbourWeight)
        .put("queries", queries.size())
        .put("warmup", warm.size())
        .put("corpus_cached", cached)
        .put("corpus_dir", corpus.toString())
        .put("build", build)
        .put("disk_mib", BenchMain.mib(diskBytes))
        .put("index_mib", BenchMain.mib(indexBytes))
        .put("index_segments", segments)
        .put("index_segments_after", segmentsAfter)
        .put("first_search_ms", Stats.round1(firstSearchMs))
        .put("open_tenants_after", openTenants)
        .put("latency", latency);
    return report;
  }

  private static int runOnce(
      Variant v,
      String query,
      TenantMemory tenant,
      QueryVectorCache cache,
      Scope scope,
      int limit) {
    Search search = Search.in(scope).limit(limit);
    List<Hit> hits;
    switch (v) {
      case EMBED -> {
        cache.delegate().embed(query, Embedder.Purpose.QUERY);
        return 0;
      }
      case HYBRID -> hits = tenant.search(query, search);
      case DENSE -> hits = tenant.search(query, search.mode(Search.Mode.DENSE));
      case TEXT -> hits = tenant.search(query, search.mode(Search.Mode.TEXT));
      case HYBRID_PRE -> {
        cache.serveCached(true);
        try {
          hits = tenant.search(query, search);
        } finally {
          cache.serveCached(false);
        }
      }
      case DENSE_PRE -> {
        cache.serveCached(true);
        try {
          hits = tenant.search(query, search.mode(Search.Mode.DENSE));
        } finally {
          cache.serveCached(false);
        }
      }
      default -> throw new IllegalStateException(v.name());
    }
    return hits.size();
  }

  private static Map<String, Object> build(
      BenchMain.Common common,
      Config cfg,
      Embedder embedder,
      Texts texts,
      List<String> poolTexts,
      Path dataDir)
      throws IOException {
    Files.createDirectories(dataDir);
    System.err.printf("search: building the corpus in %s%n", dataDir);
    Pool pool = Pool.load(poolTexts, embedder, common.workDir());
    System.err.printf(
        "search: pool of %d texts %s%n",
        pool.size(),
        pool.cached()
            ? "read from cache"
            : String.format(Locale.ROOT, "embedded in %.1f s", pool.embedSeconds()));
    CorpusWriter.registerTenants(dataDir, List.of(TENANT));
    CorpusWriter writer = new CorpusWriter(pool, common.seed(), cfg.noise);
    long t0 = System.nanoTime();
    try (MemoryStore region = CorpusWriter.openRegion(dataDir)) {
      writer.writeTenant(
          region,
          TENANT,
          0,
          cfg.memories,
          cfg.batch,
          i -> Scope.user("user-" + (i % cfg.users)),
          true);
    }
    double writeSeconds = (System.nanoTime() - t0) / 1e9;
    Map<String, Object> b = new LinkedHashMap<>();
    b.put(
        "how",
        String.format(
            Locale.ROOT,
            "%d %s texts embedded once by %s (pool); memory i = a random pool text "
                + "+ \" [m<i>]\", vector = its pool vector + seeded Gaussian noise (norm ~%s), re-normalised; written "
                + "through TenantStore.write in batches of %d with ADD history rows",
            pool.size(),
            texts.source().startsWith("locomo") ? "LoCoMo turn" : "synthetic",
            embedder.modelId(),
            cfg.noise,
            cfg.batch));
    b.put("pool_texts", pool.size());
    b.put("pool_embed_seconds", Stats.round1(pool.embedSeconds()));
    b.put("pool_cached", pool.cached());
    b.put("write_seconds", Stats.round1(writeSeconds));
    b.put("write_memories_per_s", Stats.round1(cfg.memories / writeSeconds));
    // Index build alone: drop the derived Lucene index and time the open that rebuilds it from
    // SQLite.
    Path index = CorpusWriter.tenantDir(dataDir, TENANT).resolve("index");
    if (Files.isDirectory(index)) {
      b.put("index_mib_after_writes", BenchMain.mib(CorpusWriter.sizeOf(index)));
      b.put("index_segments_after_writes", segments(index));
      CorpusWriter.deleteTree(index);
      System.err.println("search: rebuilding the index from SQLite");
      try (MemoryStore region = CorpusWriter.openRegion(dataDir)) {
        long r0 = System.nanoTime();
        TenantStore store = region.open(TenantId.of(TENANT));
        long r1 = System.nanoTime();
        store.close();
        long r2 = System.nanoTime();
        b.put("index_rebuild_seconds", Stats.round1((r1 - r0) / 1e9));
        b.put("close_after_rebuild_seconds", Stats.round1((r2 - r1) / 1e9));
      }
    }
    return b;
  }

  /** Segments in the index's latest commit, or -1 if it cannot be read. */
  static int segments(Path index) {
    if (!Files.isDirectory(index)) {
      return -1;
    }
    try (FSDirectory dir = FSDirectory.open(index)) {
      return SegmentInfos.readLatestCommit(dir).size();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static double num(Object o) {
    return o instanceof Number n ? n.doubleValue() : Double.NaN;
  }
}
