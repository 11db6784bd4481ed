package io.mnemo4j;

import java.util.Objects;

/**
 * How many memories of a selection one user, agent or run holds. Immutable.
 *
 * @param type user, agent or run
 * @param id the user, agent or run id
 * @param memories how many memories of the selection carry that id (at least 1)
 */
public record EntityCount(EntityType type, String id, long memories) {
  /** Checks nulls and the count. */
  public EntityCount {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(id, "id");
    if (memories < 1) {
      throw new IllegalArgumentException("an entity holds at least one memory, got " + memories);
    }
  }
}
