package io.mnemo4j.cli;

import io.mnemo4j.embed.onnx.OnnxEmbedder;
import io.mnemo4j.spi.Embedder;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An {@link OnnxEmbedder} loaded on first use, so commands that never embed ({@code tenants},
 * {@code get}, {@code list}, {@code history}, {@code delete}) do not pay for loading the model.
 * Thread-safe.
 */
final class LazyEmbedder implements Embedder {
  private final String name;
  private @Nullable OnnxEmbedder delegate;
  private boolean closed;

  private LazyEmbedder(String name) {
    this.name = name;
  }

  /**
   * An embedder for the model {@code name}, checked against the known names now and loaded on first
   * use.
   */
  static LazyEmbedder named(String name) {
    MnemoCli.checkEmbedderName(name);
    return new LazyEmbedder(name);
  }

  private synchronized OnnxEmbedder delegate() {
    if (closed) {
      throw new IllegalStateException("embedder " + name + " is closed");
    }
    if (delegate == null) {
      delegate = OnnxEmbedder.byName(name);
    }
    return delegate;
  }

  @Override
  public String modelId() {
    return name; // OnnxEmbedder.byName(name).modelId() is the name itself
  }

  @Override
  public int dimension() {
    return delegate().dimension();
  }

  @Override
  public float[] embed(String text, Purpose purpose) {
    return delegate().embed(text, purpose);
  }

  @Override
  public List<float[]> embedAll(List<String> texts, Purpose purpose) {
    return delegate().embedAll(texts, purpose);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (delegate != null) {
      delegate.close();
      delegate = null;
    }
  }
}
