package io.mnemo4j.spi;

import io.mnemo4j.Memory;
import java.util.Objects;

/**
 * A memory with its embedding, as a store persists it. The vector is not copied (it can be large): callers must not
 * mutate it after handing it over.
 *
 * @param memory the memory
 * @param embedding its embedding by {@code memory.embeddingModel()}
 */
public record StoredMemory(Memory memory, float[] embedding) {
  /** Checks nulls. */
  public StoredMemory {
    Objects.requireNonNull(memory, "memory");
    Objects.requireNonNull(embedding, "embedding");
  }

  /** Shorthand for {@code memory().id()}. */
  public String id() {
    return memory.id();
  }
}
