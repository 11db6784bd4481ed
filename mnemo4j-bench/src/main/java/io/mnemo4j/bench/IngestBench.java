package io.mnemo4j.bench;

import io.mnemo4j.MemoryEvent;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.TimedEmbedder;
import io.mnemo4j.store.embedded.Durability;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ingest}: how much of {@link TenantMemory#add}'s time is the embedder. On the same texts,
 * in one process, it alternates rounds of (A) the embedder alone, {@code embedAll} over batches of
 * 10 texts, and (B) {@code add} of the same texts as batches of 10 user messages into a fresh
 * tenant (near-duplicate detection off), and reports the median rate per round of each and the
 * overhead {@code 1 - add/raw}. It also times the embedder's calls inside {@code add}: the rest of
 * an add's time over that is the pipeline's own cost measured within the same calls, which load
 * swings between the alternating phases do not skew.
 */
final class IngestBench {
  private IngestBench() {}

  /**
   * Run settings. {@code context} is the ingest context window: 0 compares like with like (the
   * embedder sees the same text either way, so the difference is the pipeline's own cost); the
   * default 2 also shows what contextual embeddings cost, since each message is then embedded with
   * the two before it.
   */
  record Config(int n, int warmup, int round, int batch, int context, Durability durability) {
    static Config from(Args a) {
      Config c =
          new Config(
              a.intValue("n", 2000),
              a.intValue("warmup", 200),
              a.intValue("round", 100),
              a.intValue("batch", 10),
              a.intValue("context", 2),
              Durability.parse(a.string("durability", "full"), "durability"));
      if (c.n < 1 || c.warmup < 0 || c.round < c.batch || c.batch < 1 || c.context < 0) {
        throw new IllegalArgumentException(
            "need --n >= 1, --warmup >= 0, --batch >= 1, --round >= --batch, --context >= 0");
      }
      return c;
    }
  }

  static Report run(BenchMain.Common common, Config cfg) throws IOException {
    Texts texts = Texts.load(common.locomo(), common.seed());
    List<String> warm = Texts.cycle(texts.turns(), 0, cfg.warmup);
    List<String> measured = Texts.cycle(texts.turns(), cfg.warmup, cfg.n);
    Files.createDirectories(common.workDir());
    Path dir = Files.createTempDirectory(common.workDir(), "ingest-");
    Report report = new Report();
    try {
      Embedder embedder = Embedders.open(common.embedder());
      // The embedder timed inside add: the part of an add spent embedding, measured in the same
      // add, so the rest is the pipeline's own cost whatever the load did meanwhile.
      AtomicLong embedNanos = new AtomicLong();
      TimedEmbedder timed =
          new TimedEmbedder(embedder, (purpose, count, nanos) -> embedNanos.addAndGet(nanos));
      try (Mnemo mnemo =
          Mnemo.builder()
              .dataDir(dir)
              .backend(EmbeddedBackend.create().withDurability(cfg.durability))
              .embedder(timed)
              .nearDuplicateThreshold(1.0)
              .contextWindow(cfg.context)
              .build()) {
        TenantMemory tenant = mnemo.tenant("ingest");
        System.err.printf("ingest: warming up on %d texts%n", warm.size());
        embedBatches(embedder, warm, cfg.batch);
        addBatches(tenant, warm, cfg.batch, Scope.user("warmup"));

        int rounds = (cfg.n + cfg.round - 1) / cfg.round;
        double[] raw = new double[rounds];
        double[] add = new double[rounds];
        double[] outside = new double[rounds];
        long rawNanos = 0;
        long addNanos = 0;
        int added = 0;
        Scope scope = Scope.user("bench");
        for (int r = 0; r < rounds; r++) {
          List<String> slice =
              measured.subList(r * cfg.round, Math.min(cfg.n, (r + 1) * cfg.round));
          long t0 = System.nanoTime();
          embedBatches(embedder, slice, cfg.batch);
          long t1 = System.nanoTime();
          long embedded0 = embedNanos.get();
          added += addBatches(tenant, slice, cfg.batch, scope);
          long t2 = System.nanoTime();
          // Within the same adds, so both parts saw the same load: what add spent outside the
          // embedder, relative to what it spent in it.
          long inside = embedNanos.get() - embedded0;
          outside[r] = (double) (t2 - t1 - inside) / inside;
          raw[r] = slice.size() / ((t1 - t0) / 1e9);
          add[r] = slice.size() / ((t2 - t1) / 1e9);
          rawNanos += t1 - t0;
          addNanos += t2 - t1;
          System.err.printf(
              "  round %d/%d: raw %.1f texts/s, add %.1f memories/s%n",
              r + 1, rounds, raw[r], add[r]);
        }
        double rawMedian = Stats.median(raw);
        double addMedian = Stats.median(add);
        double overhead = 1 - addMedian / rawMedian;
        // Paired per round: both halves of a round saw about the same machine load.
        double[] paired = new double[rounds];
        for (int r = 0; r < rounds; r++) {
          paired[r] = 1 - add[r] / raw[r];
        }
        double pairedOverhead = Stats.median(paired);
        double outsideShare = Stats.median(outside);
        double rawTotal = cfg.n / (rawNanos / 1e9);
        double addTotal = cfg.n / (addNanos / 1e9);

        report
            .line(
                "ingest: %d texts (%s), embedder %s, batches of %d, %d rounds of %d alternating raw/add, "
                    + "warm-up %d texts, durability %s",
                cfg.n,
                texts.source(),
                embedder.modelId(),
                cfg.batch,
                rounds,
                cfg.round,
                cfg.warmup,
                cfg.durability.wireName())
            .line(
                "  (a) embedder.embedAll      median %8.1f texts/s     (overall %.1f)",
                rawMedian, rawTotal)
            .line(
                "  (b) TenantMemory.add       median %8.1f memories/s  (overall %.1f; %d of %d messages stored, "
                    + "the others were exact duplicates)",
                addMedian, addTotal, added, cfg.n)
            .line(
                "  add overhead over raw embedding (1 - add/raw): %.1f %% of medians; %.1f %% median of per-round "
                    + "ratios; %.1f %% overall",
                100 * overhead, 100 * pairedOverhead, 100 * (1 - addTotal / rawTotal))
            .line(
                "  within add: time outside the embedder / time in it: %.1f %% (median of rounds); as an "
                    + "overhead 1 - in/(in+out): %.1f %%",
                100 * outsideShare, 100 * outsideShare / (1 + outsideShare));
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("embedder", embedder.modelId());
        j.put("texts", texts.source());
        j.put("n", cfg.n);
        j.put("batch", cfg.batch);
        j.put("durability", cfg.durability.wireName());
        j.put("rounds", rounds);
        j.put("round_size", cfg.round);
        j.put("warmup", cfg.warmup);
        j.put("raw_texts_per_s_median", Stats.round1(rawMedian));
        j.put("add_memories_per_s_median", Stats.round1(addMedian));
        j.put("overhead_pct_median", Stats.round1(100 * overhead));
        j.put("overhead_pct_paired_median", Stats.round1(100 * pairedOverhead));
        j.put("raw_texts_per_s_overall", Stats.round1(rawTotal));
        j.put("add_memories_per_s_overall", Stats.round1(addTotal));
        j.put("overhead_pct_overall", Stats.round1(100 * (1 - addTotal / rawTotal)));
        j.put("outside_embedder_pct_of_inside_median", Stats.round1(100 * outsideShare));
        j.put("overhead_pct_within_add", Stats.round1(100 * outsideShare / (1 + outsideShare)));
        j.put("raw_texts_per_s_rounds", round1(raw));
        j.put("add_memories_per_s_rounds", round1(add));
        j.put("stored", added);
        report.json().putAll(j);
      }
    } finally {
      CorpusWriter.deleteTree(dir);
    }
    return report;
  }

  private static void embedBatches(Embedder embedder, List<String> texts, int batch) {
    for (int i = 0; i < texts.size(); i += batch) {
      embedder.embedAll(
          texts.subList(i, Math.min(texts.size(), i + batch)), Embedder.Purpose.DOCUMENT);
    }
  }

  /** Adds the texts as user messages in batches; returns how many became memories. */
  private static int addBatches(TenantMemory tenant, List<String> texts, int batch, Scope scope) {
    int added = 0;
    for (int i = 0; i < texts.size(); i += batch) {
      List<Message> messages = new ArrayList<>(batch);
      for (String t : texts.subList(i, Math.min(texts.size(), i + batch))) {
        messages.add(Message.user(t));
      }
      for (MemoryEvent e : tenant.add(messages, scope)) {
        if (e instanceof MemoryEvent.Added) {
          added++;
        }
      }
    }
    return added;
  }

  private static List<Double> round1(double[] values) {
    List<Double> out = new ArrayList<>(values.length);
    for (double v : values) {
      out.add(Stats.round1(v));
    }
    return out;
  }
}
