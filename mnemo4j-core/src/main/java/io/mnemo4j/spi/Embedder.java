package io.mnemo4j.spi;

import java.util.List;

/**
 * Turns text into a vector. Implementations return L2-normalised vectors of {@link #dimension()}
 * floats, so cosine similarity is a dot product. Implementations must be thread-safe.
 */
public interface Embedder extends AutoCloseable {
  /**
   * Stable id of the model, stored beside every vector (for example {@code bge-small-en-v1.5-q}).
   */
  String modelId();

  /** Length of every vector this embedder returns. */
  int dimension();

  /** Embeds one text for the given purpose (some models prefix queries with an instruction). */
  float[] embed(String text, Purpose purpose);

  /** Embeds several texts for the same purpose, in order. */
  List<float[]> embedAll(List<String> texts, Purpose purpose);

  /** Releases native resources; further calls fail. */
  @Override
  void close();

  /** What a text is embedded for. */
  enum Purpose {
    /** Text to store and be found. */
    DOCUMENT,
    /** A search query. */
    QUERY
  }
}
