package io.mnemo4j.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code open}: what a search costs when its tenant is not among the open ones. T tenants of D
 * memories each (written through the SPI), a {@code Mnemo} keeping at most 64 open; requests
 * alternate between a small hot set (always cached: a hit) and the other tenants round-robin
 * (always evicted since their last use: a miss, which also closes the least recently used tenant).
 * Query vectors are computed beforehand, so the latencies are store-only.
 */
final class OpenBench {
  private OpenBench() {}

  static final String USER = "user-0";

  record Config(
      int tenants,
      int docs,
      int hot,
      int requests,
      int warmup,
      int maxOpen,
      int pool,
      double noise,
      int spiSamples) {
    static Config from(Args a) {
      Config c =
          new Config(
              a.intValue("tenants", 1000),
              a.intValue("docs", 100),
              a.intValue("hot", 16),
              a.intValue("requests", 2000),
              a.intValue("warmup", 400),
              a.intValue("max-open", 64),
              a.intValue("pool", 5000),
              Double.parseDouble(a.string("noise", "0.3")),
              a.intValue("spi-samples", 200));
      if (c.hot < 1 || c.maxOpen < 2 * c.hot) {
        throw new IllegalArgumentException(
            "need --hot >= 1 and --max-open >= 2 * --hot, so hot tenants stay cached");
      }
      if (c.tenants <= c.hot + c.maxOpen) {
        throw new IllegalArgumentException(
            "need --tenants > --hot + --max-open, so cold tenants are evicted");
      }
      if (c.docs < 1 || c.requests < 2 || c.warmup < 0 || c.pool < 1 || c.spiSamples < 0) {
        throw new IllegalArgumentException("open options must be positive");
      }
      return c;
    }
  }

  static Report run(BenchMain.Common common, Config cfg) throws IOException {
    Texts texts = Texts.load(common.locomo(), common.seed());
    List<String> poolTexts =
        Texts.cycle(texts.turns(), 0, Math.min(cfg.pool, texts.turns().size()));
    Embedder embedder = Embedders.open(common.embedder());
    QueryVectorCache cache = new QueryVectorCache(embedder);
    List<String> tenants = CorpusWriter.tenantNames(cfg.tenants);
    Path corpus =
        common
            .workDir()
            .resolve(
                String.format(
                    Locale.ROOT,
                    "open-%s-t%d-d%d-p%d-noise%s-s%d-%s",
                    embedder.modelId(),
                    cfg.tenants,
                    cfg.docs,
                    poolTexts.size(),
                    cfg.noise,
                    common.seed(),
                    Pool.digest(poolTexts)));
    Path dataDir = corpus.resolve("data");
    Path buildFile = corpus.resolve("build.json");
    boolean cached = Files.isReadable(buildFile);
    Map<String, Object> build;
    if (cached) {
      System.err.println("open: reusing the tenants in " + corpus);
      build =
          JsonMapper.builder()
              .build()
              .readValue(buildFile.toFile(), new TypeReference<Map<String, Object>>() {});
    } else {
      CorpusWriter.deleteTree(corpus);
      Files.createDirectories(dataDir);
      Pool pool = Pool.load(poolTexts, embedder, common.workDir());
      CorpusWriter.registerTenants(dataDir, tenants);
      CorpusWriter writer = new CorpusWriter(pool, common.seed(), cfg.noise);
      System.err.printf("open: writing %d tenants of %d memories%n", cfg.tenants, cfg.docs);
      long t0 = System.nanoTime();
      try (MemoryStore region = CorpusWriter.openRegion(dataDir)) {
        for (int t = 0; t < cfg.tenants; t++) {
          writer.writeTenant(
              region,
              tenants.get(t),
              (long) t * cfg.docs,
              cfg.docs,
              cfg.docs,
              i -> Scope.user(USER),
              false);
          if ((t + 1) % 100 == 0) {
            System.err.printf("  %d / %d tenants%n", t + 1, cfg.tenants);
          }
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      build = new LinkedHashMap<>();
      build.put(
          "how",
          String.format(
              Locale.ROOT,
              "%d tenants x %d memories written through the SPI (one "
                  + "TenantStore.write each); texts and vectors from a pool of %d texts embedded by %s, as in `search`",
              cfg.tenants,
              cfg.docs,
              pool.size(),
              embedder.modelId()));
      build.put("write_seconds", Stats.round1(seconds));
      build.put("tenants_per_s", Stats.round1(cfg.tenants / seconds));
      Files.writeString(buildFile, JsonMapper.builder().build().writeValueAsString(build));
    }
    long diskBytes = CorpusWriter.sizeOf(dataDir.resolve(CorpusWriter.REGION));

    List<String> queries = Texts.cycle(texts.questions(), 0, 200);
    cache.precompute(queries);
    cache.serveCached(true);
    List<String> hot = tenants.subList(0, cfg.hot);
    List<String> cold = tenants.subList(cfg.hot, cfg.tenants);
    Stats hit = new Stats();
    Stats miss = new Stats();
    long hitResults = 0;
    long missResults = 0;
    int maxOpenSeen = 0;
    try (Mnemo mnemo =
        Mnemo.builder()
            .dataDir(dataDir)
            .backend(EmbeddedBackend.create())
            .embedder(cache)
            .maxOpenTenants(cfg.maxOpen)
            .autoCreateTenants(false)
            .build()) {
      Search search = Search.in(Scope.user(USER));
      int pairs = cfg.warmup / 2 + cfg.requests / 2;
      System.err.printf(
          "open: %d warm-up + %d measured requests, hot set %d, cold %d, max open %d%n",
          cfg.warmup / 2 * 2, cfg.requests / 2 * 2, hot.size(), cold.size(), cfg.maxOpen);
      for (int k = 0; k < pairs; k++) {
        boolean measure = k >= cfg.warmup / 2;
        String q = queries.get(k % queries.size());
        for (int side = 0; side < 2; side++) {
          String tenant = side == 0 ? hot.get(k % hot.size()) : cold.get(k % cold.size());
          long s = System.nanoTime();
          TenantMemory tm = mnemo.tenant(tenant);
          int n = tm.search(q, search).size();
          long e = System.nanoTime() - s;
          if (measure) {
            if (side == 0) {
              hit.add(e);
              hitResults += n;
            } else {
              miss.add(e);
              missResults += n;
            }
          }
        }
        maxOpenSeen = Math.max(maxOpenSeen, mnemo.operations().openTenants());
        if ((k + 1) % 500 == 0) {
          System.err.printf("  %d / %d request pairs%n", k + 1, pairs);
        }
      }
    }

    // The store's share of a miss, without the core: open and close through the SPI alone.
    // The CPU time of the open tells its cost apart from waiting on a busy machine: an open runs
    // on the calling thread.
    Stats spiOpen = new Stats();
    Stats spiOpenCpu = new Stats();
    Stats spiClose = new Stats();
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    try (MemoryStore region = CorpusWriter.openRegion(dataDir)) {
      for (int i = 0; i < cfg.spiSamples; i++) {
        TenantId id = TenantId.of(cold.get((i * 7) % cold.size()));
        long c0 = cpu.getCurrentThreadCpuTime();
        long s = System.nanoTime();
        TenantStore store = region.open(id);
        long o = System.nanoTime();
        long c1 = cpu.getCurrentThreadCpuTime();
        store.close();
        long c = System.nanoTime();
        spiOpen.add(o - s);
        spiOpenCpu.add(c1 - c0);
        spiClose.add(c - o);
      }
    }

    Report report = new Report();
    report
        .line(
            "open: %d tenants x %d memories, Mnemo maxOpenTenants(%d); hybrid search in %s, limit 10, query "
                + "vectors precomputed (store-only latency)",
            cfg.tenants, cfg.docs, cfg.maxOpen, USER)
        .line(
            "  tenants: %s%s; %.1f MiB on disk (%.0f KiB per tenant)",
            build.get("how"),
            cached ? " (cached)" : "",
            BenchMain.mib(diskBytes),
            diskBytes / 1024.0 / cfg.tenants)
        .line(
            "  build: %s s (%s tenants/s)", build.get("write_seconds"), build.get("tenants_per_s"))
        .line(
            "  requests alternate a hot set of %d tenants and %d others round-robin; at most %d open seen",
            hot.size(), cold.size(), maxOpenSeen)
        .line("  hit  (tenant cached)                         %s", hit.line())
        .line("  miss (open tenant + evict & close LRU one)   %s", miss.line())
        .line("  SPI alone: MemoryStore.open                  %s", spiOpen.line())
        .line("  SPI alone: MemoryStore.open, thread CPU      %s", spiOpenCpu.line())
        .line("  SPI alone: TenantStore.close                 %s", spiClose.line());
    Map<String, Object> hitJson = hit.toJson();
    hitJson.put("mean_hits", Stats.round1((double) hitResults / Math.max(1, hit.count())));
    Map<String, Object> missJson = miss.toJson();
    missJson.put("mean_hits", Stats.round1((double) missResults / Math.max(1, miss.count())));
    report
        .put("embedder", embedder.modelId())
        .put("tenants", cfg.tenants)
        .put("docs", cfg.docs)
        .put("max_open", cfg.maxOpen)
        .put("hot", cfg.hot)
        .put("corpus_cached", cached)
        .put("corpus_dir", corpus.toString())
        .put("build", build)
        .put("disk_mib", BenchMain.mib(diskBytes))
        .put("max_open_seen", maxOpenSeen)
        .put("hit", hitJson)
        .put("miss", missJson)
        .put("spi_open", spiOpen.toJson())
        .put("spi_open_cpu", spiOpenCpu.toJson())
        .put("spi_close", spiClose.toJson());
    return report;
  }
}
