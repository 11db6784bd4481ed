package io.mnemo4j.bench;

import io.mnemo4j.internal.util.TextHash;
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

/**
 * The duplicate-detection hash of a 200-character message (NFKC, lower case, whitespace, SHA-256),
 * once per add.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class TextHashBenchmark {
  static final String TEXT =
      "Melanie: Yesterday I finally took the kids to the  pottery workshop downtown; "
          + "they made little clay bowls and a lopsided vase. Next month we want to try the painting class, maybe on a Sunday morning..";

  @Benchmark
  public String hash200Chars() {
    return TextHash.of(TEXT);
  }
}
