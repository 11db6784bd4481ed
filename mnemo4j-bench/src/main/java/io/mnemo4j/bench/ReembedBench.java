package io.mnemo4j.bench;

import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.ReembedStatus;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code reembed}: changing the embedding model of a tenant of N memories (embedded store), in one
 * run: the new model's raw throughput (embedAll in pages of 256, as the re-embedding embeds), the
 * re-embedding's own rate (embedding + second-slot writes + progress records + switch), and the
 * search latency (hybrid, query embedded) before, during and after it.
 */
final class ReembedBench {
  private ReembedBench() {}

  record Config(int memories, int queries, String to) {
    static Config from(Args a) {
      return new Config(
          a.intValue("memories", 3000),
          a.intValue("queries", 200),
          a.string("to", "all-minilm-l6-v2-q"));
    }
  }

  static Report run(BenchMain.Common common, Config c) throws Exception {
    Texts texts = Texts.load(common.locomo(), common.seed());
    List<String> docs = Texts.cycle(texts.turns(), 0, c.memories());
    List<String> queries = Texts.cycle(texts.questions(), 0, c.queries());
    Path dir = Files.createTempDirectory(Files.createDirectories(common.workDir()), "reembed");
    Report report = new Report();
    try (Mnemo mnemo =
        Mnemo.builder()
            .dataDir(dir)
            .embedder(Embedders.open(common.embedder()))
            .backend(EmbeddedBackend.create())
            .build()) {
      TenantMemory t = mnemo.tenant("bench");
      for (int i = 0; i < docs.size(); i += 50) {
        t.add(
            docs.subList(i, Math.min(docs.size(), i + 50)).stream().map(Message::user).toList(),
            Scope.user("u"));
      }
      long stored = t.count(io.mnemo4j.Selection.everywhere().includingClosed(true));

      Embedder raw = Embedders.open(c.to());
      raw.embedAll(docs.subList(0, Math.min(64, docs.size())), Embedder.Purpose.DOCUMENT); // warm
      long r0 = System.nanoTime();
      for (int i = 0; i < docs.size(); i += 256) {
        raw.embedAll(docs.subList(i, Math.min(docs.size(), i + 256)), Embedder.Purpose.DOCUMENT);
      }
      double rawRate = docs.size() / ((System.nanoTime() - r0) / 1e9);
      raw.close();

      Stats before = searches(t, queries, queries.size(), null);

      AtomicReference<ReembedStatus> done = new AtomicReference<>();
      AtomicReference<Throwable> failed = new AtomicReference<>();
      Embedder next = Embedders.open(c.to());
      next.embedAll(docs.subList(0, Math.min(64, docs.size())), Embedder.Purpose.DOCUMENT); // warm
      long e0 = System.nanoTime();
      Thread job =
          Thread.ofPlatform()
              .name("bench-reembed")
              .start(
                  () -> {
                    try {
                      done.set(mnemo.admin().reembedAll(next, s -> {}));
                    } catch (Throwable e) {
                      failed.set(e);
                    }
                  });
      Stats during = searches(t, queries, Integer.MAX_VALUE, job);
      job.join();
      double seconds = (System.nanoTime() - e0) / 1e9;
      if (failed.get() != null) {
        throw new IllegalStateException("re-embedding failed", failed.get());
      }
      double rate = done.get().embedded() / seconds;
      Stats after = searches(t, queries, queries.size(), null);

      report
          .line(
              "re-embedding %d memories (%d stored) %s -> %s",
              docs.size(), stored, common.embedder(), c.to())
          .line("raw embedder %s: %.0f memories/s (embedAll, pages of 256)", c.to(), rawRate)
          .line(
              "re-embedding: %.0f memories/s (%d embedded, %d switched, %.1f s) = %.2f x raw",
              rate, done.get().embedded(), done.get().switched(), seconds, rate / rawRate)
          .line("search before  %s", before.line())
          .line("search during  %s", during.line())
          .line("search after   %s", after.line());
      report
          .put("memories", docs.size())
          .put("raw_embedder_per_s", Stats.round1(rawRate))
          .put("reembed_per_s", Stats.round1(rate))
          .put("ratio", Stats.round3(rate / rawRate))
          .put("reembed_seconds", Stats.round1(seconds))
          .put("search_before", before.toJson())
          .put("search_during", during.toJson())
          .put("search_after", after.toJson());
    }
    return report;
  }

  /** Hybrid searches, query embedded, until {@code n} are done or {@code job} has ended. */
  private static Stats searches(TenantMemory t, List<String> queries, int n, Thread job) {
    Stats s = new Stats();
    for (int i = 0; i < n && (job == null || job.isAlive()); i++) {
      long t0 = System.nanoTime();
      t.search(queries.get(i % queries.size()), Search.in(Scope.user("u")).limit(10));
      s.add(System.nanoTime() - t0);
    }
    return s;
  }
}
