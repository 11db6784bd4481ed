package io.mnemo4j.server;

import io.mnemo4j.spi.Embedder;
import java.util.List;
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

  /**
   * An embedder that records the latency of every call of {@code delegate}. Thread-safe if the
   * delegate is.
   */
  record Timed(Embedder delegate) implements Embedder {
    @Override
    public String modelId() {
      return delegate.modelId();
    }

    @Override
    public int dimension() {
      return delegate.dimension();
    }

    @Override
    public float[] embed(String text, Purpose purpose) {
      long start = System.nanoTime();
      try {
        return delegate.embed(text, purpose);
      } finally {
        INSTANCE.record(System.nanoTime() - start, 1);
      }
    }

    @Override
    public List<float[]> embedAll(List<String> all, Purpose purpose) {
      long start = System.nanoTime();
      try {
        return delegate.embedAll(all, purpose);
      } finally {
        INSTANCE.record(System.nanoTime() - start, all.size());
      }
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
