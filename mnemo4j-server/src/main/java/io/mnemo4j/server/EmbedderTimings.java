package io.mnemo4j.server;

import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.TimedEmbedder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Process-wide embedder timings, fed by {@link MnemoServer#timedEmbedder} and exposed by every
 * server's metrics. The embedder sits inside {@link io.mnemo4j.Mnemo}, built before the server, so
 * the server cannot time it otherwise. Thread-safe.
 */
final class EmbedderTimings {
  static final EmbedderTimings INSTANCE = new EmbedderTimings();

  private final LongAdder calls = new LongAdder();
  private final LongAdder nanos = new LongAdder();
  private final LongAdder texts = new LongAdder();

  private EmbedderTimings() {}

  long count() {
    return calls.sum();
  }

  double totalNanos() {
    return nanos.sum();
  }

  double texts() {
    return texts.sum();
  }

  void record(long elapsedNanos, int textCount) {
    calls.increment();
    nanos.add(elapsedNanos);
    texts.add(textCount);
  }

  /** An embedder that records the latency of every call of {@code delegate} here. */
  static Embedder timed(Embedder delegate) {
    return new TimedEmbedder(delegate, (purpose, texts, nanos) -> INSTANCE.record(nanos, texts));
  }
}
