package io.mnemo4j.bench;

import static io.mnemo4j.bench.SideBySide.POSTGRES;

import io.mnemo4j.MemoryEvent;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.bench.SideBySide.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The {@code add} part of {@code stores}: {@code TenantMemory.add} throughput on both backends. */
final class StoresAdd {
  private StoresAdd() {}

  /**
   * {@code TenantMemory.add} throughput: the same batches of 10 user messages into a new tenant on
   * each backend, in rounds that rotate the backends, with message embeddings served from a memo (a
   * priming pass on a scratch tenant embeds them once). PostgreSQL runs twice, into two tenants: as
   * the server is configured, and (with {@code --pg-analyze true}) with {@code ANALYZE} of the
   * tenant between rounds whenever autovacuum's default rule would analyze it (more than 50 + 10 %
   * of its rows changed since the last time), the analyze itself untimed.
   */
  static Map<String, Object> run(
      StoreSide[] sides, Texts texts, StoresBench.Config cfg, QueryVectorCache cache, Report report)
      throws Exception {
    // Messages are LoCoMo turns from the end of the list, batched once so every pass embeds the
    // very same inputs (the context window joins earlier messages of the same batch).
    int n = cfg.addWarmup() + cfg.add();
    List<String> turns = Texts.cycle(texts.turns(), Math.max(0, texts.turns().size() - n), n);
    List<List<Message>> batches = new ArrayList<>();
    for (int i = 0; i < n; i += 10) {
      List<Message> b = new ArrayList<>(10);
      for (String t : turns.subList(i, Math.min(n, i + 10))) {
        b.add(Message.user(t));
      }
      batches.add(b);
    }
    int warmBatches = (cfg.addWarmup() + 9) / 10;
    int perRound = cfg.addRound() / 10;
    int rounds = (batches.size() - warmBatches + perRound - 1) / perRound;
    // Variants: 0 embedded, 1 postgres as configured, 2 postgres with auto-analyze emulated.
    int variants = cfg.pgAnalyze() ? 3 : 2;
    String[] names = {"embedded", "postgres", "postgres_analyzed"};
    double[][] rate = new double[variants][rounds];
    long[] stored = new long[variants];
    long[] nanos = new long[variants];
    int analyzes = 0;
    long missesBefore;
    cache.memoDocuments(true);
    try (Mnemo e = sides[0].mnemo(cache.shared(), 256, true, cfg.tuning());
        Mnemo p = sides[1].mnemo(cache.shared(), 256, true, cfg.tuning())) {
      System.err.printf(
          "stores[add]: priming the embedding memo with %d messages (embedded store, scratch tenant)%n",
          n);
      long t0 = System.nanoTime();
      TenantMemory prime = e.tenant("add-prime");
      for (List<Message> b : batches) {
        prime.add(b, Scope.user("prime"));
      }
      System.err.printf(
          "  primed in %.1f s (%d texts embedded)%n",
          (System.nanoTime() - t0) / 1e9, cache.documentMisses());
      missesBefore = cache.documentMisses();
      Mnemo[] mnemos = {e, p, p};
      String[] tenants = {"add-measured", "add-measured", "add-measured-analyzed"};
      TenantMemory[] target = new TenantMemory[variants];
      for (int v = 0; v < variants; v++) {
        if (v < 2) {
          TenantMemory w = mnemos[v].tenant("add-warm");
          for (List<Message> b : batches.subList(0, warmBatches)) {
            w.add(b, Scope.user(StoresBench.USER));
          }
        }
        target[v] = mnemos[v].tenant(tenants[v]);
        target[v].search("open the tenant", Search.in(Scope.user(StoresBench.USER)));
      }
      long analyzedAt = 0;
      System.err.printf(
          "stores[add]: %d rounds of %d messages per variant, rotating%n", rounds, cfg.addRound());
      for (int r = 0; r < rounds; r++) {
        List<List<Message>> slice =
            batches.subList(
                warmBatches + r * perRound,
                Math.min(batches.size(), warmBatches + (r + 1) * perRound));
        int messages = slice.stream().mapToInt(List::size).sum();
        for (int o = 0; o < variants; o++) {
          int v = (r + o) % variants;
          long a = System.nanoTime();
          for (List<Message> b : slice) {
            for (MemoryEvent ev : target[v].add(b, Scope.user(StoresBench.USER))) {
              if (ev instanceof MemoryEvent.Added) {
                stored[v]++;
              }
            }
          }
          long el = System.nanoTime() - a;
          nanos[v] += el;
          rate[v][r] = messages / (el / 1e9);
        }
        if (variants == 3 && stored[2] - analyzedAt > 50 + analyzedAt / 10) {
          sides[POSTGRES].analyzeTenant(tenants[2]);
          analyzedAt = stored[2];
          analyzes++;
        }
        StringBuilder line = new StringBuilder();
        for (int v = 0; v < variants; v++) {
          line.append(String.format(Locale.ROOT, " %s %.0f", names[v], rate[v][r]));
        }
        System.err.printf("  round %d/%d, memories/s:%s%n", r + 1, rounds, line);
      }
    } finally {
      cache.memoDocuments(false);
    }
    long embeddedDuring = cache.documentMisses() - missesBefore;
    double[] median = new double[variants];
    for (int v = 0; v < variants; v++) {
      median[v] = Stats.median(rate[v]);
    }
    Table table =
        new Table("add: TenantMemory.add, batches of 10 user messages, into a new tenant");
    table.row(
        "memories/s (median of rounds)",
        String.format(Locale.ROOT, "%,.0f", median[0]),
        String.format(Locale.ROOT, "%,.0f", median[1]),
        median[1] / median[0]);
    table.row(
        "memories/s overall",
        String.format(Locale.ROOT, "%,.0f", stored[0] / (nanos[0] / 1e9)),
        String.format(Locale.ROOT, "%,.0f", stored[1] / (nanos[1] / 1e9)),
        (stored[1] / (nanos[1] / 1e9)) / (stored[0] / (nanos[0] / 1e9)));
    table.row(
        "memories/s first round / last round",
        String.format(Locale.ROOT, "%,.0f / %,.0f", rate[0][0], rate[0][rounds - 1]),
        String.format(Locale.ROOT, "%,.0f / %,.0f", rate[1][0], rate[1][rounds - 1]),
        Double.NaN);
    if (variants == 3) {
      table.row(
          String.format(
              Locale.ROOT, "postgres, ANALYZE as autovacuum would (%d x): median", analyzes),
          "",
          String.format(Locale.ROOT, "%,.0f", median[2]),
          median[2] / median[0]);
      table.row(
          "  overall; first round / last round",
          "",
          String.format(
              Locale.ROOT,
              "%,.0f; %,.0f / %,.0f",
              stored[2] / (nanos[2] / 1e9),
              rate[2][0],
              rate[2][rounds - 1]),
          (stored[2] / (nanos[2] / 1e9)) / (stored[0] / (nanos[0] / 1e9)));
    }
    table.row(
        "stored (the rest near- or exact duplicates)",
        String.valueOf(stored[0]),
        String.valueOf(stored[1]),
        Double.NaN);
    table.print(report);
    report.line(
        "  add: %d messages (LoCoMo turns) per variant into a new tenant, after %d warm-up messages; %d rounds "
            + "of %d, variants rotating; default pipeline (context window 2, near-duplicate threshold 0.97: a "
            + "findByHash and a vectorSearch k=3 per message); embeddings from a memo (%d texts embedded during "
            + "the measurement)",
        cfg.add(), cfg.addWarmup(), rounds, cfg.addRound(), embeddedDuring);
    Map<String, Object> j = new LinkedHashMap<>();
    j.put("messages", cfg.add());
    j.put("warmup_messages", cfg.addWarmup());
    j.put("round_messages", cfg.addRound());
    j.put("rounds", rounds);
    j.put("texts_embedded_during_measurement", embeddedDuring);
    for (int v = 0; v < variants; v++) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("memories_per_s_median", Stats.round1(median[v]));
      m.put("memories_per_s_overall", Stats.round1(stored[v] / (nanos[v] / 1e9)));
      m.put("stored", stored[v]);
      List<Double> roundRates = new ArrayList<>();
      for (double x : rate[v]) {
        roundRates.add(Stats.round1(x));
      }
      m.put("rounds_per_s", roundRates);
      if (v == 2) {
        m.put("analyze_runs", analyzes);
      }
      j.put(names[v], m);
    }
    j.put("ratio_median", Stats.round3(median[1] / median[0]));
    if (variants == 3) {
      j.put("ratio_median_analyzed", Stats.round3(median[2] / median[0]));
    }
    return j;
  }
}
