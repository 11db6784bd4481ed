package io.mnemo4j.spi;

/** One change to a tenant's memories inside a {@link WriteBatch}. Records are immutable. */
public sealed interface Change {
  /**
   * Inserts the memory, or replaces the one with the same id.
   *
   * @param memory the memory
   */
  record Put(StoredMemory memory) implements Change {}

  /**
   * Removes the memory with this id; a missing id is not an error.
   *
   * @param id the memory id
   */
  record Remove(String id) implements Change {}
}
