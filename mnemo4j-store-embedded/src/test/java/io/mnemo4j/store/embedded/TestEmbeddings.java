package io.mnemo4j.store.embedded;

import java.util.Locale;
import java.util.Random;

/** Deterministic stand-in embeddings: words hashed into 64 buckets, L2-normalised. */
final class TestEmbeddings {
  static final int DIM = 64;
  static final String MODEL = "test-hash-64";

  private TestEmbeddings() {}

  static float[] embed(String text) {
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

  static float[] random(Random random) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return normalize(v);
  }

  static float[] normalize(float[] v) {
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

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
