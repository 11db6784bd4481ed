package io.mnemo4j.bench;

import io.mnemo4j.spi.Embedder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An embedder that, while {@link #serveCached(boolean) switched on}, answers query embeddings from
 * vectors computed beforehand, so a search measures the store and fusion without the model.
 * Documents, and queries not computed beforehand, go to the wrapped embedder — unless {@link
 * #memoDocuments(boolean) document memoisation} is on: then each document text is embedded once and
 * served from memory afterwards, so a repeated {@code add} of the same messages measures the
 * pipeline and the store, not the model. Thread-safe.
 */
final class QueryVectorCache implements Embedder {
  private final Embedder delegate;
  private final Map<String, float[]> queries = new ConcurrentHashMap<>();
  private final Map<String, float[]> documents = new ConcurrentHashMap<>();
  private final AtomicLong documentMisses = new AtomicLong();
  private volatile boolean serveCached;
  private volatile boolean memoDocuments;

  QueryVectorCache(Embedder delegate) {
    this.delegate = delegate;
  }

  /** Embeds {@code texts} as queries now and keeps the vectors. */
  void precompute(List<String> texts) {
    for (String t : texts) {
      queries.computeIfAbsent(t, q -> delegate.embed(q, Purpose.QUERY));
    }
  }

  /** The precomputed query vector of {@code text} (a copy); fails if it was not precomputed. */
  float[] queryVector(String text) {
    float[] v = queries.get(text);
    if (v == null) {
      throw new IllegalStateException("query vector not precomputed");
    }
    return v.clone();
  }

  /** Whether precomputed query vectors are served (true) or every query is embedded (false). */
  void serveCached(boolean on) {
    this.serveCached = on;
  }

  /** Whether document embeddings are memoised by text (false by default). */
  void memoDocuments(boolean on) {
    this.memoDocuments = on;
  }

  /** Document texts the wrapped embedder had to embed while memoisation was on. */
  long documentMisses() {
    return documentMisses.get();
  }

  Embedder delegate() {
    return delegate;
  }

  /**
   * A view of this embedder whose {@code close} does nothing: for the several {@code Mnemo}
   * instances of one run, each of which closes its embedder.
   */
  Embedder shared() {
    QueryVectorCache self = this;
    return new Embedder() {
      @Override
      public String modelId() {
        return self.modelId();
      }

      @Override
      public int dimension() {
        return self.dimension();
      }

      @Override
      public float[] embed(String text, Purpose purpose) {
        return self.embed(text, purpose);
      }

      @Override
      public List<float[]> embedAll(List<String> texts, Purpose purpose) {
        return self.embedAll(texts, purpose);
      }

      @Override
      public void close() {}
    };
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
    if (memoDocuments && purpose == Purpose.DOCUMENT) {
      return embedAll(List.of(text), purpose).get(0);
    }
    return delegate.embed(text, purpose);
  }

  @Override
  public List<float[]> embedAll(List<String> texts, Purpose purpose) {
    if (!memoDocuments || purpose != Purpose.DOCUMENT) {
      return delegate.embedAll(texts, purpose);
    }
    List<String> missing = new ArrayList<>();
    for (String t : texts) {
      if (!documents.containsKey(t) && !missing.contains(t)) {
        missing.add(t);
      }
    }
    if (!missing.isEmpty()) {
      List<float[]> vectors = delegate.embedAll(missing, purpose);
      for (int i = 0; i < missing.size(); i++) {
        documents.put(missing.get(i), vectors.get(i));
      }
      documentMisses.addAndGet(missing.size());
    }
    List<float[]> out = new ArrayList<>(texts.size());
    for (String t : texts) {
      out.add(documents.get(t).clone());
    }
    return out;
  }

  @Override
  public void close() {
    delegate.close();
  }
}
