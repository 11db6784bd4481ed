package io.mnemo4j.testing;

import io.mnemo4j.spi.Embedder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A deterministic bag-of-words embedder for tests: each lower-cased word is hashed into one of
 * {@code dimension} buckets with a sign, and the vector is L2-normalised. Texts sharing words are
 * similar; no model file, no randomness, so contract tests are exact on every backend. Thread-safe.
 */
public final class HashingEmbedder implements Embedder {
  private final int dimension;
  private final String modelId;
  private volatile boolean closed;

  /** A 256-dimensional embedder. */
  public HashingEmbedder() {
    this(256, "test-hashing-256");
  }

  /** An embedder of the given dimension and model id. */
  public HashingEmbedder(int dimension, String modelId) {
    this.dimension = dimension;
    this.modelId = modelId;
  }

  @Override
  public String modelId() {
    return modelId;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public float[] embed(String text, Purpose purpose) {
    if (closed) {
      throw new IllegalStateException("embedder closed");
    }
    float[] v = new float[dimension];
    for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (word.isEmpty()) {
        continue;
      }
      int h = word.hashCode() * 0x9E3779B1;
      v[Math.floorMod(h, dimension)] += (h >>> 31) == 0 ? 1f : -1f;
    }
    double norm = 0;
    for (float f : v) {
      norm += f * f;
    }
    if (norm == 0) {
      v[0] = 1f; // a text with no words still needs a valid unit vector
      return v;
    }
    float inv = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < v.length; i++) {
      v[i] *= inv;
    }
    return v;
  }

  @Override
  public List<float[]> embedAll(List<String> texts, Purpose purpose) {
    List<float[]> out = new ArrayList<>(texts.size());
    for (String t : texts) {
      out.add(embed(t, purpose));
    }
    return out;
  }

  @Override
  public void close() {
    closed = true;
  }
}
