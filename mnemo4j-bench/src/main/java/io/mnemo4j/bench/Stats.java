package io.mnemo4j.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Latency samples in nanoseconds, summarised as percentiles in milliseconds. Not thread-safe. */
final class Stats {
  private long[] nanos = new long[256];
  private int size;

  void add(long sampleNanos) {
    if (size == nanos.length) {
      nanos = Arrays.copyOf(nanos, size * 2);
    }
    nanos[size++] = sampleNanos;
  }

  int count() {
    return size;
  }

  /** The nearest-rank percentile {@code p} (0 to 100), in milliseconds. */
  double percentileMs(double p) {
    if (size == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(nanos, size);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * size);
    return sorted[Math.max(0, Math.min(size - 1, rank - 1))] / 1e6;
  }

  double meanMs() {
    if (size == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (int i = 0; i < size; i++) {
      sum += nanos[i];
    }
    return sum / size / 1e6;
  }

  double maxMs() {
    long max = 0;
    for (int i = 0; i < size; i++) {
      max = Math.max(max, nanos[i]);
    }
    return max / 1e6;
  }

  /** {@code n, p50_ms, p90_ms, p99_ms, mean_ms, max_ms}, rounded to microseconds. */
  Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("n", size);
    m.put("p50_ms", round3(percentileMs(50)));
    m.put("p90_ms", round3(percentileMs(90)));
    m.put("p99_ms", round3(percentileMs(99)));
    m.put("mean_ms", round3(meanMs()));
    m.put("max_ms", round3(maxMs()));
    return m;
  }

  /** One summary line: {@code p50 1.234 ms p99 ...}. */
  String line() {
    return String.format(
        Locale.ROOT,
        "p50 %8.3f ms   p90 %8.3f ms   p99 %8.3f ms   mean %8.3f ms   max %8.3f ms   (n=%d)",
        percentileMs(50),
        percentileMs(90),
        percentileMs(99),
        meanMs(),
        maxMs(),
        size);
  }

  static double round3(double v) {
    return Math.round(v * 1000.0) / 1000.0;
  }

  static double round1(double v) {
    return Math.round(v * 10.0) / 10.0;
  }

  /** The median of {@code values} (mean of the middle two for an even count). */
  static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    int n = s.length;
    if (n == 0) {
      return Double.NaN;
    }
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
}
