package io.mnemo4j.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code scale}: thousands of tenants in one data directory, opened on demand. Builds T tenants of
 * D memories through the SPI on every core (resumable: tenants already built are kept, so an
 * interrupted build continues and a smaller {@code --tenants} searches the first ones), then a
 * {@code Mnemo} keeping at most {@code --max-open} tenants open serves hybrid searches with
 * precomputed query vectors (store-only latency) over tenants drawn uniformly at random (nearly
 * every request opens one tenant and closes another), then a mixed workload (a hot set alternating
 * with random others), while {@link ResourceSampler} watches RSS, file descriptors and the heap.
 */
final class ScaleBench {
  private ScaleBench() {}

  private static final JsonMapper JSON = JsonMapper.builder().build();

  record Config(
      int tenants,
      int docs,
      int maxOpen,
      int hot,
      int requests,
      int warmup,
      int threads,
      int batch,
      int pool,
      double noise,
      int minFreeGib,
      int buildMinutes,
      boolean keep,
      boolean buildOnly,
      long orderSeed) {
    /**
     * Reads the options; {@code --order-seed} (default: {@code --seed}) draws the tenants searched,
     * apart from the corpus: a new order seed on a kept corpus searches tenants whose files the
     * last run did not bring into the page cache.
     */
    static Config from(Args a, long seed) {
      Config c =
          new Config(
              a.intValue("tenants", 10_000),
              a.intValue("docs", 1000),
              a.intValue("max-open", 64),
              a.intValue("hot", 16),
              a.intValue("requests", 10_000),
              a.intValue("warmup", 1000),
              a.intValue("threads", Runtime.getRuntime().availableProcessors()),
              a.intValue("batch", 1000),
              a.intValue("pool", 5000),
              Double.parseDouble(a.string("noise", "0.3")),
              a.intValue("min-free-gib", 15),
              a.intValue("build-minutes", 0),
              a.flag("keep"),
              a.flag("build-only"),
              a.longValue("order-seed", seed));
      if (c.hot < 1 || c.maxOpen < 2 * c.hot) {
        throw new IllegalArgumentException(
            "need --hot >= 1 and --max-open >= 2 * --hot, so hot tenants stay cached");
      }
      if (c.tenants <= c.hot + c.maxOpen) {
        throw new IllegalArgumentException(
            "need --tenants > --hot + --max-open, so most requests open a tenant");
      }
      if (c.docs < 1
          || c.requests < 2
          || c.warmup < 0
          || c.threads < 1
          || c.batch < 1
          || c.pool < 1
          || c.minFreeGib < 0
          || c.buildMinutes < 0) {
        throw new IllegalArgumentException("scale options must be positive");
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
    // The tenant count is not part of the name: a larger run extends a smaller one's corpus.
    Path corpus =
        common
            .workDir()
            .resolve(
                String.format(
                    Locale.ROOT,
                    "scale-%s-d%d-p%d-noise%s-s%d-%s",
                    embedder.modelId(),
                    cfg.docs,
                    poolTexts.size(),
                    cfg.noise,
                    common.seed(),
                    Pool.digest(poolTexts)));
    Path dataDir = corpus.resolve("data");
    Files.createDirectories(dataDir);
    Path builtFile = corpus.resolve("built.txt");
    Path sessionsFile = corpus.resolve("build-sessions.json");
    Set<String> built = readBuilt(builtFile);
    List<Map<String, Object>> sessions = readSessions(sessionsFile);
    List<Integer> missing = new ArrayList<>();
    for (int t = 0; t < cfg.tenants; t++) {
      if (!built.contains(tenants.get(t))) {
        missing.add(t);
      }
    }
    Map<String, Object> session = null;
    boolean complete = true;
    if (missing.isEmpty()) {
      System.err.printf(
          "scale: reusing %d built tenants in %s (%d on disk)%n",
          cfg.tenants, corpus, built.size());
    } else {
      Pool pool = Pool.load(poolTexts, embedder, common.workDir());
      session = build(cfg, common.seed(), pool, dataDir, builtFile, tenants, missing, built);
      sessions.add(session);
      Files.writeString(sessionsFile, JSON.writeValueAsString(sessions));
      complete = (Integer) session.get("tenants_built") == missing.size();
    }
    long t0 = System.nanoTime();
    long diskBytes = CorpusWriter.sizeOf(dataDir);
    double measureSeconds = (System.nanoTime() - t0) / 1e9;

    Report report = new Report();
    List<String> jvmFlags = ManagementFactory.getRuntimeMXBean().getInputArguments();
    report
        .line(
            "scale: %d tenants x %d memories in one data dir (%s), Mnemo maxOpenTenants(%d); hybrid search"
                + " in %s, limit 10, query vectors precomputed (store-only latency)",
            cfg.tenants, cfg.docs, corpus, cfg.maxOpen, OpenBench.USER)
        .line("  JVM flags: %s", String.join(" ", jvmFlags))
        .line(
            "  corpus: %d tenants built in all; %.1f GiB on disk (%.2f KiB per memory, measured in %.1f s)",
            readBuilt(builtFile).size(),
            diskBytes / (1024.0 * 1024 * 1024),
            diskBytes / 1024.0 / ((double) readBuilt(builtFile).size() * cfg.docs),
            measureSeconds);
    for (Map<String, Object> s : sessions) {
      report.line(
          "  build session %s: %s tenants (%s memories) in %s s on %s threads: %s memories/s%s",
          s.get("started"),
          s.get("tenants_built"),
          s.get("memories"),
          s.get("seconds"),
          s.get("threads"),
          s.get("memories_per_s"),
          Boolean.TRUE.equals(s.get("stopped_early")) ? " (stopped early)" : "");
    }
    report
        .put("embedder", embedder.modelId())
        .put("tenants", cfg.tenants)
        .put("docs", cfg.docs)
        .put("max_open", cfg.maxOpen)
        .put("hot", cfg.hot)
        .put("order_seed", cfg.orderSeed)
        .put("jvm_flags", jvmFlags)
        .put("corpus_dir", corpus.toString())
        .put("tenants_on_disk", readBuilt(builtFile).size())
        .put("disk_bytes", diskBytes)
        .put("disk_gib", Stats.round1(diskBytes / (1024.0 * 1024 * 1024)))
        .put("build_sessions", sessions);
    if (!complete) {
      report.line("  build stopped before every tenant was written: no search phase");
      return report;
    }
    if (cfg.buildOnly) {
      return report;
    }
    search(common, cfg, texts, cache, dataDir, tenants, report);
    if (!cfg.keep) {
      System.err.println("scale: deleting " + corpus + " (pass --keep to reuse it)");
      CorpusWriter.deleteTree(corpus);
    }
    return report;
  }

  private static Map<String, Object> build(
      Config cfg,
      long seed,
      Pool pool,
      Path dataDir,
      Path builtFile,
      List<String> tenants,
      List<Integer> missing,
      Set<String> built)
      throws IOException {
    List<String> names = missing.stream().map(tenants::get).toList();
    registerMissing(dataDir, names);
    for (String name : names) {
      // What an interrupted build left of a tenant it had not finished.
      CorpusWriter.deleteTree(CorpusWriter.tenantDir(dataDir, name));
    }
    System.err.printf(
        "scale: writing %d tenants of %d memories on %d threads (%d already built)%n",
        missing.size(), cfg.docs, cfg.threads, built.size());
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Object appendLock = new Object();
    long minFree = (long) cfg.minFreeGib << 30;
    int step = Math.max(1, missing.size() / 20);
    long t0 = System.nanoTime();
    long deadline = cfg.buildMinutes == 0 ? 0 : t0 + cfg.buildMinutes * 60_000_000_000L;
    Path stopFile = dataDir.resolveSibling("stop");
    Files.deleteIfExists(stopFile);
    String started = java.time.Instant.now().toString();
    try (MemoryStore region = CorpusWriter.openRegion(dataDir)) {
      Runnable worker =
          () -> {
            try {
              for (int i = next.getAndIncrement();
                  i < missing.size() && !stop.get();
                  i = next.getAndIncrement()) {
                if (deadline != 0 && System.nanoTime() - deadline > 0 || Files.exists(stopFile)) {
                  if (!stop.getAndSet(true)) {
                    System.err.println(
                        "scale: build time is up (--build-minutes or a 'stop' file): stopping the build");
                  }
                  return;
                }
                if (Files.getFileStore(dataDir).getUsableSpace() < minFree) {
                  System.err.printf(
                      "scale: fewer than %d GiB free: stopping the build%n", cfg.minFreeGib);
                  stop.set(true);
                  return;
                }
                int t = missing.get(i);
                // One writer per tenant, seeded by its index: a tenant's content does not depend
                // on the thread or the session that wrote it.
                CorpusWriter writer = new CorpusWriter(pool, seed * 1_000_003L + t, cfg.noise);
                writer.writeTenant(
                    region,
                    tenants.get(t),
                    (long) t * cfg.docs,
                    cfg.docs,
                    cfg.batch,
                    m -> Scope.user(OpenBench.USER),
                    false);
                synchronized (appendLock) {
                  Files.writeString(
                      builtFile,
                      tenants.get(t) + "\n",
                      StandardOpenOption.CREATE,
                      StandardOpenOption.APPEND);
                }
                int d = done.incrementAndGet();
                if (d % step == 0 || d == missing.size()) {
                  double s = (System.nanoTime() - t0) / 1e9;
                  System.err.printf(
                      Locale.ROOT,
                      "  %s built %d / %d tenants (%.0f %%), %.0f memories/s, %.0f s elapsed, ETA %.0f s,"
                          + " %.1f GiB free%n",
                      java.time.LocalTime.now().withNano(0),
                      d,
                      missing.size(),
                      100.0 * d / missing.size(),
                      (double) d * cfg.docs / s,
                      s,
                      s / d * (missing.size() - d),
                      Files.getFileStore(dataDir).getUsableSpace() / (1024.0 * 1024 * 1024));
                }
              }
            } catch (IOException | RuntimeException e) {
              failure.compareAndSet(null, e);
              stop.set(true);
            }
          };
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < cfg.threads; i++) {
        threads.add(Thread.ofPlatform().name("scale-build-" + i).start(worker));
      }
      for (Thread th : threads) {
        th.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building", e);
    }
    Throwable f = failure.get();
    if (f != null) {
      throw new IllegalStateException("building the corpus failed", f);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    long memories = (long) done.get() * cfg.docs;
    Map<String, Object> session = new LinkedHashMap<>();
    session.put("started", started);
    session.put("tenants_built", done.get());
    session.put("memories", memories);
    session.put("seconds", Stats.round1(seconds));
    session.put("threads", cfg.threads);
    session.put("memories_per_s", Stats.round1(memories / seconds));
    session.put("stopped_early", stop.get());
    session.put(
        "how",
        String.format(
            Locale.ROOT,
            "TenantStore.write in batches of %d through the SPI, pool of %d texts embedded by %s plus noise",
            cfg.batch,
            pool.size(),
            pool.model()));
    return session;
  }

  private static void registerMissing(Path dataDir, List<String> names) {
    Set<String> known = new HashSet<>();
    try (var catalog = EmbeddedBackend.create().openCatalog(dataDir)) {
      catalog.list().forEach(i -> known.add(i.id().value()));
    }
    List<String> toRegister = names.stream().filter(n -> !known.contains(n)).toList();
    if (!toRegister.isEmpty()) {
      System.err.printf("scale: registering %d tenants in the catalog%n", toRegister.size());
      CorpusWriter.registerTenants(dataDir, toRegister);
    }
  }

  private static void search(
      BenchMain.Common common,
      Config cfg,
      Texts texts,
      QueryVectorCache cache,
      Path dataDir,
      List<String> tenants,
      Report report) {
    List<String> queries = Texts.cycle(texts.questions(), 0, 200);
    cache.precompute(queries);
    cache.serveCached(true);
    List<String> hot = tenants.subList(0, cfg.hot);
    List<String> rest = tenants.subList(cfg.hot, cfg.tenants);
    Random random = new Random(cfg.orderSeed());
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    Stats uniform = new Stats();
    Stats uniformCpu = new Stats();
    Stats mixedCpu = new Stats();
    Stats mixedAll = new Stats();
    Stats mixedHot = new Stats();
    Stats mixedCold = new Stats();
    long results = 0;
    int maxOpenSeen = 0;
    List<Map<String, Object>> checkpoints = new ArrayList<>();
    long fdsBefore = ResourceSampler.openFds();
    long rssBefore = ResourceSampler.rssBytes();
    int perPhase = cfg.warmup + cfg.requests;
    Map<String, Object> resources;
    long fdsAfterClose;
    try (ResourceSampler sampler = new ResourceSampler(100)) {
      try (Mnemo mnemo =
          Mnemo.builder()
              .dataDir(dataDir)
              .backend(EmbeddedBackend.create())
              .embedder(cache)
              .maxOpenTenants(cfg.maxOpen)
              .autoCreateTenants(false)
              .build()) {
        Search search = Search.in(Scope.user(OpenBench.USER));
        System.err.printf(
            "scale: uniform workload, %d warm-up + %d measured requests over %d tenants, max open %d%n",
            cfg.warmup, cfg.requests, cfg.tenants, cfg.maxOpen);
        int served = 0;
        for (int k = 0; k < perPhase; k++) {
          String tenant = tenants.get(random.nextInt(tenants.size()));
          Timed t = request(mnemo, tenant, queries.get(k % queries.size()), search, cpu);
          served++;
          if (k >= cfg.warmup) {
            uniform.add(t.wallNanos());
            uniformCpu.add(t.cpuNanos());
            results += t.hits();
          }
          maxOpenSeen = Math.max(maxOpenSeen, mnemo.operations().openTenants());
          if (served == 1000 || served == 5000 || k == perPhase - 1) {
            checkpoints.add(checkpoint("uniform", served, mnemo));
          }
          if ((k + 1) % 2000 == 0) {
            System.err.printf(
                "  %d / %d uniform requests, %d fds, RSS %.0f MiB%n",
                k + 1,
                perPhase,
                ResourceSampler.openFds(),
                ResourceSampler.rssBytes() / (1024.0 * 1024));
          }
        }
        System.err.printf(
            "scale: mixed workload, hot set of %d alternating with random others%n", cfg.hot);
        for (int k = 0; k < perPhase; k++) {
          boolean isHot = k % 2 == 0;
          String tenant =
              isHot ? hot.get((k / 2) % hot.size()) : rest.get(random.nextInt(rest.size()));
          Timed t = request(mnemo, tenant, queries.get(k % queries.size()), search, cpu);
          served++;
          if (k >= cfg.warmup) {
            mixedAll.add(t.wallNanos());
            mixedCpu.add(t.cpuNanos());
            (isHot ? mixedHot : mixedCold).add(t.wallNanos());
            results += t.hits();
          }
          maxOpenSeen = Math.max(maxOpenSeen, mnemo.operations().openTenants());
          if (k == perPhase - 1) {
            checkpoints.add(checkpoint("mixed", served, mnemo));
          }
        }
      }
      fdsAfterClose = ResourceSampler.openFds();
      resources = sampler.toJson();
      report.line("  resources during the search phase: %s", sampler.line());
    }
    double meanHits = (double) results / Math.max(1, uniform.count() + mixedAll.count());
    report
        .line(
            "  before Mnemo opened: %d fds, RSS %.0f MiB; after it closed: %d fds",
            fdsBefore, rssBefore / (1024.0 * 1024), fdsAfterClose)
        .line("  uniform (random tenant of %d)           %s", cfg.tenants, uniform.line())
        .line("  uniform, CPU time of the thread         %s", uniformCpu.line())
        .line("  mixed, all                              %s", mixedAll.line())
        .line("  mixed, CPU time of the thread           %s", mixedCpu.line())
        .line("  mixed, hot (%d tenants, cached)          %s", cfg.hot, mixedHot.line())
        .line("  mixed, cold (random of %d)             %s", rest.size(), mixedCold.line())
        .line("  at most %d tenants open; %.1f hits per search", maxOpenSeen, meanHits);
    for (Map<String, Object> c : checkpoints) {
      report.line(
          "  after %s requests (%s): %s fds, %s tenants open, RSS %s MiB, heap used %s MiB",
          c.get("requests"),
          c.get("phase"),
          c.get("fds"),
          c.get("open_tenants"),
          c.get("rss_mib"),
          c.get("heap_used_mib"));
    }
    report
        .put("uniform", uniform.toJson())
        .put("uniform_cpu", uniformCpu.toJson())
        .put("mixed", mixedAll.toJson())
        .put("mixed_cpu", mixedCpu.toJson())
        .put("mixed_hot", mixedHot.toJson())
        .put("mixed_cold", mixedCold.toJson())
        .put("mean_hits", Stats.round1(meanHits))
        .put("max_open_seen", maxOpenSeen)
        .put("fds_before", fdsBefore)
        .put("fds_after_close", fdsAfterClose)
        .put("rss_before_mib", BenchMain.mib(rssBefore))
        .put("checkpoints", checkpoints)
        .put("resources", resources);
  }

  private static Map<String, Object> checkpoint(String phase, int served, Mnemo mnemo) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("phase", phase);
    c.put("requests", served);
    c.put("fds", ResourceSampler.openFds());
    c.put("open_tenants", mnemo.operations().openTenants());
    c.put("rss_mib", BenchMain.mib(ResourceSampler.rssBytes()));
    c.put(
        "heap_used_mib",
        BenchMain.mib(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()));
    return c;
  }

  private static Set<String> readBuilt(Path builtFile) {
    Set<String> built = new HashSet<>();
    if (Files.isReadable(builtFile)) {
      try {
        for (String line : Files.readAllLines(builtFile)) {
          if (!line.isBlank()) {
            built.add(line.strip());
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + builtFile, e);
      }
    }
    return built;
  }

  private static List<Map<String, Object>> readSessions(Path file) throws IOException {
    if (!Files.isReadable(file)) {
      return new ArrayList<>();
    }
    return new ArrayList<>(
        JSON.readValue(file.toFile(), new TypeReference<List<Map<String, Object>>>() {}));
  }

  /** One request's wall time, the requesting thread's CPU time, and how many hits it returned. */
  private record Timed(long wallNanos, long cpuNanos, int hits) {}

  /** Opens (or finds) the tenant and searches it, timing both as one request, as a server would. */
  private static Timed request(
      Mnemo mnemo, String tenant, String query, Search search, ThreadMXBean cpu) {
    long c0 = cpu.getCurrentThreadCpuTime();
    long s = System.nanoTime();
    TenantMemory tm = mnemo.tenant(tenant);
    int n = tm.search(query, search).size();
    return new Timed(System.nanoTime() - s, cpu.getCurrentThreadCpuTime() - c0, n);
  }
}
