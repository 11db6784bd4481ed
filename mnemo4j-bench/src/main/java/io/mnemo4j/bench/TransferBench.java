package io.mnemo4j.bench;

import io.mnemo4j.Mnemo;
import io.mnemo4j.Scope;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import io.mnemo4j.transfer.ExportOptions;
import io.mnemo4j.transfer.ImportOptions;
import io.mnemo4j.transfer.TransferProgress;
import io.mnemo4j.transfer.TransferReceipt;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Export and import rates of one large embedded tenant (issue 13): export with and without vectors,
 * import of both files into new tenants (the file without vectors is embedded again, so its import
 * is measured on a smaller tenant: the embedder bounds it), and each phase's peak heap (the peak of
 * the heap pools since the phase began, garbage included: an upper bound). Run with a small {@code
 * -Xmx} to show the memory is bounded. Not thread-safe.
 */
final class TransferBench {
  private TransferBench() {}

  /** Options. */
  record Config(
      int memories, int reembed, int pool, double noise, int pgCopy, String pgUrl, String pgUser) {
    static Config from(Args a) {
      return new Config(
          a.intValue("memories", 100_000),
          a.intValue("reembed", 5_000),
          a.intValue("pool", 5000),
          Double.parseDouble(a.string("noise", "0.3")),
          a.intValue("pg-copy", 10_000),
          a.string("pg-url", "jdbc:postgresql://127.0.0.1:5432/"),
          a.string("pg-user", "postgres"));
    }
  }

  static Report run(BenchMain.Common common, Config cfg) throws IOException {
    Texts texts = Texts.load(common.locomo(), common.seed());
    List<String> poolTexts =
        Texts.cycle(texts.turns(), 0, Math.min(cfg.pool, texts.turns().size()));
    Embedder opened = Embedders.open(common.embedder());
    // Each Mnemo closes its embedder: they share a view whose close does nothing.
    Embedder embedder = new QueryVectorCache(opened).shared();
    Files.createDirectories(common.workDir());
    Path work = Files.createTempDirectory(common.workDir(), "transfer-");
    Path dataDir = work.resolve("data");
    Files.createDirectories(dataDir);
    Pool pool = Pool.load(poolTexts, opened, common.workDir());
    CorpusWriter writer = new CorpusWriter(pool, common.seed(), cfg.noise);
    CorpusWriter.registerTenants(dataDir, List.of("big", "small", "mid"));
    System.err.printf("transfer: writing %d memories%n", cfg.memories);
    try (MemoryStore region = CorpusWriter.openRegion(dataDir)) {
      writer.writeTenant(
          region, "big", 0, cfg.memories, 1000, i -> Scope.user("u" + (i % 100)), true);
      writer.writeTenant(
          region,
          "small",
          cfg.memories,
          cfg.reembed,
          1000,
          i -> Scope.user("u" + (i % 100)),
          false);
      writer.writeTenant(
          region,
          "mid",
          cfg.memories + cfg.reembed,
          cfg.pgCopy,
          1000,
          i -> Scope.user("u" + (i % 100)),
          false);
    }
    Report report = new Report();
    report.put("memories", cfg.memories);
    report.line("one embedded tenant of %d memories (%s)", cfg.memories, embedder.modelId());
    try (Mnemo mnemo =
        Mnemo.builder()
            .dataDir(dataDir)
            .embedder(embedder)
            .backend(EmbeddedBackend.create())
            .defaultRegion(CorpusWriter.REGION)
            .build()) {
      Path withVectors = work.resolve("big-vectors.jsonl");
      Path plain = work.resolve("big-plain.jsonl");
      Path smallPlain = work.resolve("small-plain.jsonl");
      phase(report, "export_vectors", cfg.memories, () -> export(mnemo, "big", withVectors, true));
      phase(report, "export_plain", cfg.memories, () -> export(mnemo, "big", plain, false));
      export(mnemo, "small", smallPlain, false);
      report.line(
          "file size: %.1f MB with vectors, %.1f MB without",
          Files.size(withVectors) / 1e6, Files.size(plain) / 1e6);
      phase(
          report,
          "import_vectors",
          cfg.memories,
          () ->
              mnemo
                  .admin()
                  .importTenant(
                      "copy", withVectors, new ImportOptions(null, TransferProgress.NONE)));
      phase(
          report,
          "import_plain_reembed",
          cfg.reembed,
          () ->
              mnemo
                  .admin()
                  .importTenant(
                      "copy2", smallPlain, new ImportOptions(null, TransferProgress.NONE)));
    }
    copyToPostgres(report, cfg, embedder, dataDir, work);
    moveToPostgres(report, cfg, embedder, dataDir);
    CorpusWriter.deleteTree(work);
    opened.close();
    return report;
  }

  /**
   * The copy step of a move of a {@code pgCopy}-memory tenant from the embedded store to
   * PostgreSQL: export with vectors, then import into a PostgreSQL region (no embedding).
   */
  private static void copyToPostgres(
      Report report, Config cfg, Embedder embedder, Path dataDir, Path work) {
    Path file = work.resolve("mid.jsonl");
    long t0 = System.nanoTime();
    try (Mnemo mnemo =
        Mnemo.builder()
            .dataDir(dataDir)
            .embedder(embedder)
            .backend(EmbeddedBackend.create())
            .defaultRegion(CorpusWriter.REGION)
            .build()) {
      TransferReceipt out = export(mnemo, "mid", file, true);
      System.err.printf(
          "transfer: mid holds %d memories, exported %d%n",
          mnemo.tenant("mid").count(io.mnemo4j.Selection.everywhere()), out.count("memory"));
    }
    double exportSeconds = (System.nanoTime() - t0) / 1e9;
    try (StoreSide pg =
            StoreSide.postgres(cfg.pgUrl, cfg.pgUser, "mnemo_bench_transfer", work, false);
        Mnemo target = pg.mnemo(embedder, 16, true)) {
      long t1 = System.nanoTime();
      TransferReceipt r =
          target.admin().importTenant("mid", file, new ImportOptions(null, TransferProgress.NONE));
      double importSeconds = (System.nanoTime() - t1) / 1e9;
      report.put("pg_copy_memories", cfg.pgCopy);
      report.put("pg_copy_seconds", Math.round((exportSeconds + importSeconds) * 10) / 10.0);
      report.line(
          "copy of a %d-memory tenant embedded -> PostgreSQL: export %.1f s + import %.1f s ="
              + " %.1f s (%d embedded)",
          cfg.pgCopy, exportSeconds, importSeconds, exportSeconds + importSeconds, r.embedded());
    } catch (Exception e) {
      throw new IllegalStateException("PostgreSQL copy failed", e);
    }
  }

  /**
   * The whole move (issue 13 item 4) of the {@code pgCopy}-memory tenant from the embedded region
   * {@code local} to a PostgreSQL region {@code pg} of the same instance: journal, copy through a
   * temporary file, verification (a second export, of the copy), catalog switch, purge.
   */
  private static void moveToPostgres(Report report, Config cfg, Embedder embedder, Path dataDir) {
    String database = "mnemo_bench_move";
    String base = cfg.pgUrl.endsWith("/") ? cfg.pgUrl : cfg.pgUrl + "/";
    try {
      try (java.sql.Connection c = StoreSide.admin(base, cfg.pgUser);
          java.sql.Statement s = c.createStatement()) {
        s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        s.execute("CREATE DATABASE " + database);
      }
      EmbeddedBackend embedded = EmbeddedBackend.create();
      io.mnemo4j.store.postgres.PostgresBackend pg =
          io.mnemo4j.store.postgres.PostgresBackend.single(
              "pg",
              io.mnemo4j.store.postgres.PostgresOptions.of(base + database).withUser(cfg.pgUser));
      io.mnemo4j.spi.Backend mixed =
          new io.mnemo4j.spi.Backend() {
            @Override
            public io.mnemo4j.spi.Catalog openCatalog(Path dir) {
              return embedded.openCatalog(dir);
            }

            @Override
            public MemoryStore openRegion(String region, Path dir) {
              return region.equals("pg")
                  ? pg.openRegion(region, dir)
                  : embedded.openRegion(region, dir);
            }

            @Override
            public java.util.Set<String> regions() {
              return java.util.Set.of(CorpusWriter.REGION, "pg");
            }
          };
      try (Mnemo mnemo =
          Mnemo.builder()
              .dataDir(dataDir)
              .embedder(embedder)
              .backend(mixed)
              .defaultRegion(CorpusWriter.REGION)
              .build()) {
        long t0 = System.nanoTime();
        io.mnemo4j.MoveReceipt r = mnemo.admin().moveTenant("mid", "pg");
        double seconds = (System.nanoTime() - t0) / 1e9;
        report.put("move_memories", r.to().count("memory"));
        report.put("move_seconds", Math.round(seconds * 10) / 10.0);
        report.line(
            "move of a %d-memory tenant embedded -> PostgreSQL (copy, verify, switch, purge):"
                + " %.1f s; %d records moved, %d bytes of the old copy purged",
            r.to().count("memory"),
            seconds,
            r.to().counts().values().stream().mapToLong(Long::longValue).sum(),
            r.bytesPurged());
      } finally {
        try (java.sql.Connection c = StoreSide.admin(base, cfg.pgUser);
            java.sql.Statement s = c.createStatement()) {
          s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("PostgreSQL move failed", e);
    }
  }

  private static TransferReceipt export(Mnemo mnemo, String tenant, Path file, boolean vectors) {
    try (OutputStream out = Files.newOutputStream(file)) {
      return mnemo
          .admin()
          .exportTenant(tenant, out, new ExportOptions(vectors, TransferProgress.NONE));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void phase(
      Report report, String name, int memories, Supplier<TransferReceipt> body) {
    System.gc();
    List<MemoryPoolMXBean> heap =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP)
            .toList();
    heap.forEach(MemoryPoolMXBean::resetPeakUsage);
    long t0 = System.nanoTime();
    TransferReceipt r = body.get();
    double seconds = (System.nanoTime() - t0) / 1e9;
    long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    double rate = memories / seconds;
    report.put(name + "_per_s", Math.round(rate));
    report.put(name + "_peak_heap_mb", Math.round(peak / 1e6));
    report.line(
        "%-22s %8d memories in %6.1f s: %8.0f memories/s, peak heap %5.0f MB (max %d MB)%s",
        name,
        memories,
        seconds,
        rate,
        peak / 1e6,
        Runtime.getRuntime().maxMemory() / 1_000_000,
        r.embedded() > 0 ? ", " + r.embedded() + " embedded" : "");
  }
}
