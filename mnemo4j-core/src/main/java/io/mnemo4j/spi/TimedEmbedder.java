package io.mnemo4j.spi;

import java.util.List;
import java.util.Objects;

/**
 * An embedder that tells a listener how long every call of its delegate took: how the server's
 * metrics, the Spring meters and the benchmarks time the model without each wrapping it again.
 * Thread-safe if the delegate and the listener are.
 *
 * @param delegate the embedder timed
 * @param listener hears about every call, after it returns or throws
 */
public record TimedEmbedder(Embedder delegate, Listener listener) implements Embedder {

  /** Hears how long each embedding call took. */
  @FunctionalInterface
  public interface Listener {
    /** One call embedded {@code texts} texts for {@code purpose} in {@code nanos} nanoseconds. */
    void took(Purpose purpose, int texts, long nanos);
  }

  /** Checks both parts. */
  public TimedEmbedder {
    Objects.requireNonNull(delegate, "delegate");
    Objects.requireNonNull(listener, "listener");
  }

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
      listener.took(purpose, 1, System.nanoTime() - start);
    }
  }

  @Override
  public List<float[]> embedAll(List<String> texts, Purpose purpose) {
    long start = System.nanoTime();
    try {
      return delegate.embedAll(texts, purpose);
    } finally {
      listener.took(purpose, texts.size(), System.nanoTime() - start);
    }
  }

  @Override
  public void close() {
    delegate.close();
  }
}
