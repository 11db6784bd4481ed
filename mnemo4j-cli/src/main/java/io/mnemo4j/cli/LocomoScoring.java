package io.mnemo4j.cli;

import io.mnemo4j.Hit;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.cli.LocomoEval.Conversation;
import io.mnemo4j.cli.LocomoEval.Ingested;
import io.mnemo4j.cli.LocomoEval.Listener;
import io.mnemo4j.cli.LocomoEval.Options;
import io.mnemo4j.cli.LocomoEval.Question;
import io.mnemo4j.cli.LocomoEval.Report;
import io.mnemo4j.cli.LocomoEval.Stats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The search half of {@link LocomoEval}: every question searched in its conversation's scope, and
 * recall@k and hit@k of its evidence turns. Stateless and thread-safe.
 */
final class LocomoScoring {
  private LocomoScoring() {}

  /**
   * One question's recall@k and hit@k, one entry per k.
   *
   * @param recall share of the evidence turns found in the top k
   * @param hit 1 when any evidence turn is in the top k, else 0
   */
  record Scores(double[] recall, double[] hit) {}

  /**
   * Searches every question of an ingested set in its conversation's scope and scores the results.
   */
  static Report evaluate(
      Mnemo mnemo,
      List<Conversation> conversations,
      Ingested ingested,
      Options options,
      Listener listener) {
    List<Integer> ks = options.ks();
    int maxK = ks.get(ks.size() - 1);
    Stats overall = new Stats(ks);
    Map<Integer, Stats> byCategory = new TreeMap<>();
    int questions = conversations.stream().mapToInt(c -> c.questions().size()).sum();
    List<Double> latencies = new ArrayList<>();
    listener.searchStarted(questions);
    for (Conversation c : conversations) {
      TenantMemory memory = mnemo.tenant(LocomoIngest.tenantOf(ingested.tenantOf(), c));
      Search search = Search.in(Scope.user(c.sampleId())).limit(maxK).mode(options.mode());
      for (Question q : c.questions()) {
        Stats cat = byCategory.computeIfAbsent(q.category(), k -> new Stats(ks));
        boolean scored = LocomoEval.SCORED_CATEGORIES.contains(q.category());
        if (q.evidence().isEmpty() || q.question().isBlank()) {
          cat.skip();
          if (scored) {
            overall.skip();
          }
          listener.searched();
          continue;
        }
        long s0 = System.nanoTime();
        List<Hit> hits = memory.search(q.question(), search);
        latencies.add((System.nanoTime() - s0) / 1e6);
        Scores scores = score(q.evidence(), hits, ingested.turnsOfMemory(), ks);
        cat.add(scores.recall(), scores.hit());
        if (scored) {
          overall.add(scores.recall(), scores.hit());
        }
        listener.searched();
      }
    }
    listener.searchDone();
    return new Report(
        options.mode(),
        mnemo.operations().embedder().modelId(),
        ks,
        conversations.size(),
        ingested.turns(),
        ingested.turnsOfMemory().size(),
        overall,
        Collections.unmodifiableMap(byCategory),
        ingested.seconds(),
        median(latencies));
  }

  static Scores score(
      List<String> evidence,
      List<Hit> hits,
      Map<String, Set<String>> turnsOfMemory,
      List<Integer> ks) {
    double[] recall = new double[ks.size()];
    double[] hit = new double[ks.size()];
    Set<String> found = new HashSet<>();
    int ki = 0;
    for (int rank = 1; rank <= ks.get(ks.size() - 1); rank++) {
      if (rank <= hits.size()) {
        for (String dia : turnsOfMemory.getOrDefault(hits.get(rank - 1).memory().id(), Set.of())) {
          if (evidence.contains(dia)) {
            found.add(dia);
          }
        }
      }
      while (ki < ks.size() && ks.get(ki) == rank) {
        recall[ki] = (double) found.size() / evidence.size();
        hit[ki] = found.isEmpty() ? 0 : 1;
        ki++;
      }
    }
    return new Scores(recall, hit);
  }

  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return 0;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  static double round(double x) {
    return Math.round(x * 10_000) / 10_000.0;
  }
}
