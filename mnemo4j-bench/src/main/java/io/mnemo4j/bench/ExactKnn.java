package io.mnemo4j.bench;

import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.lucene.util.VectorUtil;

/**
 * Brute-force nearest neighbours by cosine, the ground truth of recall: every vector is compared
 * with the query. Vectors are unit length, so the dot product is the cosine. Thread-safe
 * (stateless).
 */
final class ExactKnn {
  private ExactKnn() {}

  private record Scored(int index, float score) {}

  /** The ids of the {@code k} vectors most similar to {@code query} (fewer if there are fewer). */
  static Set<String> topK(String[] ids, float[][] vectors, float[] query, int k) {
    // A min-heap of the best k so far; ties broken by index, so the result is deterministic.
    PriorityQueue<Scored> best =
        new PriorityQueue<>(
            k + 1,
            (a, b) ->
                a.score() != b.score()
                    ? Float.compare(a.score(), b.score())
                    : Integer.compare(b.index(), a.index()));
    for (int i = 0; i < vectors.length; i++) {
      float score = VectorUtil.dotProduct(query, vectors[i]);
      if (best.size() < k) {
        best.add(new Scored(i, score));
      } else if (score > best.peek().score()) {
        best.poll();
        best.add(new Scored(i, score));
      }
    }
    Set<String> out = new HashSet<>();
    for (Scored s : best) {
      out.add(ids[s.index()]);
    }
    return out;
  }
}
