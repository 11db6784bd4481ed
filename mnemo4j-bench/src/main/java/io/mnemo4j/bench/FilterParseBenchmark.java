package io.mnemo4j.bench;

import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.filter.FilterParser;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Parsing a typical five-clause filter from its JSON text, as every filtered request does. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class FilterParseBenchmark {
  /** A user's work memories of this year, of high priority, not written by the assistant. */
  static final String FILTER =
      """
      {"AND": [
        {"user_id": "alice"},
        {"created_at": {"gte": "2024-01-01", "lt": "2025-01-01T00:00:00Z"}},
        {"categories": {"in": ["work", "travel"]}},
        {"metadata.priority": {"gte": 2}},
        {"NOT": [{"role": "assistant"}]}
      ]}""";

  @Benchmark
  public FilterExpr parseFiveClauses() {
    return FilterParser.parse(FILTER);
  }
}
