package io.mnemo4j.bench;

import io.mnemo4j.spi.Embedder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An embedder that, while {@link #serveCached(boolean) switched on}, answers query embeddings from
 * vectors computed beforehand, so a search measures the store and fusion without the model.
 * Documents, and queries not computed beforehand, go to the wrapped embedder. Thread-safe.
 */
final class QueryVectorCache implements Embedder {
  private final Embedder delegate;
  private final Map<String, float[]> queries = new ConcurrentHashMap<>();
  private volatile boolean serveCached;

  QueryVectorCache(Embedder delegate) {
    this.delegate = delegate;
  }

  /** Embeds {@code texts} as queries now and keeps the vectors. */
  void precompute(List<String> texts) {
    for (String t : texts) {
      queries.computeIfAbsent(t, q -> delegate.embed(q, Purpose.QUERY));
    }
  }

  /** Whether precomputed query vectors are served (true) or every query is embedded (false). */
  void serveCached(boolean on) {
    this.serveCached = on;
  }

  Embedder delegate() {
    return delegate;
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
    if (serveCached && purpose == Purpose.QUERY) {
      float[] v = queries.get(text);
      if (v != null) {
        return v.clone();
      }
    }
    return delegate.embed(text, purpose);
  }

  @Override
  public List<float[]> embedAll(List<String> texts, Purpose purpose) {
    return delegate.embedAll(texts, purpose);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
