package io.mnemo4j.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The two backends of {@code stores} side by side: index {@link #EMBEDDED} and {@link #POSTGRES} of
 * every per-backend array, paired measurements, and the human table that prints them. Not
 * thread-safe.
 */
final class SideBySide {
  static final int EMBEDDED = 0;
  static final int POSTGRES = 1;
  static final String[] SIDES = {"embedded", "postgres"};

  private SideBySide() {}

  /** Latency samples, result counts and recall of one measured operation on both backends. */
  static final class Pair {
    final Stats[] stats = {new Stats(), new Stats()};
    private final double[] recallSum = new double[2];
    private final int[] recallCount = new int[2];
    private final long[] hits = new long[2];

    void add(int side, long nanos, int hitCount) {
      stats[side].add(nanos);
      hits[side] += hitCount;
    }

    void recall(int side, double r) {
      recallSum[side] += r;
      recallCount[side]++;
    }

    double recall(int side) {
      return recallCount[side] == 0 ? Double.NaN : recallSum[side] / recallCount[side];
    }

    int count() {
      return stats[EMBEDDED].count();
    }

    /** Percentile {@code p} of postgres over that of embedded. */
    double ratio(double p) {
      return stats[POSTGRES].percentileMs(p) / stats[EMBEDDED].percentileMs(p);
    }

    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      for (int s = 0; s < 2; s++) {
        Map<String, Object> j = stats[s].toJson();
        j.put("mean_hits", Stats.round1((double) hits[s] / Math.max(1, stats[s].count())));
        if (recallCount[s] > 0) {
          j.put("recall_at_k", Stats.round3(recall(s)));
        }
        m.put(SIDES[s], j);
      }
      m.put("ratio_p50", Stats.round3(ratio(50)));
      m.put("ratio_p99", Stats.round3(ratio(99)));
      return m;
    }
  }

  /** A block of the human report: label, embedded, postgres, ratio postgres/embedded. */
  static final class Table {
    private final String title;
    private final List<String[]> rows = new ArrayList<>();

    Table(String title) {
      this.title = title;
    }

    /** A row of preformatted values; a NaN ratio prints nothing. */
    void row(String label, String embedded, String postgres, double ratio) {
      rows.add(
          new String[] {
            label,
            embedded,
            postgres,
            Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, "%.2f", ratio)
          });
    }

    /** p50 / p99 of both, and their ratios. */
    void latency(String label, Pair p) {
      rows.add(
          new String[] {
            label + " p50 / p99 ms",
            ms(p.stats[EMBEDDED]),
            ms(p.stats[POSTGRES]),
            String.format(Locale.ROOT, "%.2f / %.2f", p.ratio(50), p.ratio(99))
          });
    }

    /** Mean recall of both. */
    void recall(String label, Pair p) {
      row(
          label,
          String.format(Locale.ROOT, "%.3f", p.recall(EMBEDDED)),
          String.format(Locale.ROOT, "%.3f", p.recall(POSTGRES)),
          Double.NaN);
    }

    private static String ms(Stats s) {
      return String.format(Locale.ROOT, "%.2f / %.2f", s.percentileMs(50), s.percentileMs(99));
    }

    void print(Report report) {
      report.line("  %s", title);
      report.line("    %-60s %-18s %-18s %s", "", "embedded", "postgres", "pg/emb");
      for (String[] r : rows) {
        report.line("    %-60s %-18s %-18s %s", r[0], r[1], r[2], r[3]);
      }
    }
  }
}
