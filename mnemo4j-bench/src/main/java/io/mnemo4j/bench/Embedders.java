package io.mnemo4j.bench;

import io.mnemo4j.embed.onnx.OnnxEmbedder;
import io.mnemo4j.spi.Embedder;

/** Opens an embedder by the name {@code --embedder} takes: an ONNX model name, or {@code hash}. */
final class Embedders {
  /** The default: the project's default model. */
  static final String DEFAULT = "bge-small-en-v1.5-q";

  /** The deterministic feature-hashing embedder (no model): measures store and fusion only. */
  static final String HASH = "hash";

  private Embedders() {}

  static Embedder open(String name) {
    if (name.equals(HASH)) {
      return new io.mnemo4j.testing.HashingEmbedder(384, "hash-384");
    }
    return OnnxEmbedder.byName(name);
  }
}
