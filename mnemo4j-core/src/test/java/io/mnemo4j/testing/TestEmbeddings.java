package io.mnemo4j.testing;

import java.util.Locale;
import java.util.Random;

/**
 * Deterministic stand-in embeddings for store tests, which write vectors without an embedder: words
 * hashed into 64 buckets, L2-normalised. Texts sharing words are similar. Stateless.
 */
public final class TestEmbeddings {
  /** The vectors' dimension. */
  public static final int DIM = 64;

  /** The model id the vectors are stored under. */
  public static final String MODEL = "test-hash-64";

  private TestEmbeddings() {}

  /** The vector of {@code text}: each word adds to two buckets of its hash. */
  public static float[] embed(String text) {
    float[] v = new float[DIM];
    for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (!word.isEmpty()) {
        int h = word.hashCode();
        v[Math.floorMod(h, DIM)] += 1f;
        v[Math.floorMod(h >>> 7, DIM)] += 0.5f;
      }
    }
    return normalize(v);
  }

  /** A random unit vector drawn from {@code random}. */
  public static float[] random(Random random) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return normalize(v);
  }

  /**
   * Scales {@code v} to unit length in place (a zero vector becomes the first axis); returns it.
   */
  public static float[] normalize(float[] v) {
    double sum = 0;
    for (float f : v) {
      sum += f * f;
    }
    if (sum == 0) {
      v[0] = 1f;
      return v;
    }
    float norm = (float) Math.sqrt(sum);
    for (int i = 0; i < v.length; i++) {
      v[i] /= norm;
    }
    return v;
  }

  /** The dot product, which is the cosine of unit vectors. */
  public static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
