package io.mnemo4j.spi;

/** Small vector arithmetic on normalised embeddings. Stateless, thread-safe. */
public final class Vectors {
  private Vectors() {}

  /** Dot product; equals cosine similarity for L2-normalised vectors. */
  public static double dot(float[] a, float[] b) {
    if (a.length != b.length) {
      return -1; // vectors of another model are never duplicates of this one's
    }
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }
}
