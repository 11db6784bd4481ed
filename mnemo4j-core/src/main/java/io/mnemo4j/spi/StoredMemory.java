package io.mnemo4j.spi;

import io.mnemo4j.Memory;
import java.util.Objects;

/**
 * A memory with what a store keeps beside it for search. The vector is not copied (it can be
 * large): callers must not mutate it after handing it over.
 *
 * @param memory the memory
 * @param embedding its embedding by {@code memory.embeddingModel()}
 * @param context the conversation text that preceded the memory when it was added (empty when
 *     none): stores index it for full-text search with a lower weight than the memory's own text,
 *     never return it as the memory
 */
public record StoredMemory(Memory memory, float[] embedding, String context) {
  /** Checks nulls. */
  public StoredMemory {
    Objects.requireNonNull(memory, "memory");
    Objects.requireNonNull(embedding, "embedding");
    Objects.requireNonNull(context, "context");
  }

  /** A memory with no conversation context. */
  public StoredMemory(Memory memory, float[] embedding) {
    this(memory, embedding, "");
  }

  /** Shorthand for {@code memory().id()}. */
  public String id() {
    return memory.id();
  }
}
