package io.mnemo4j.spi;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A memory stored by the same add as another, with only what hybrid search needs to score it (its
 * vector and actor; its text score comes from {@link TenantStore#textScores}): loading whole rows
 * for every neighbour of every lifted memory cost as much as the search itself. The vector is not
 * copied: callers must not mutate it.
 *
 * @param id the neighbour's id
 * @param actor who said it ({@link io.mnemo4j.Memory#actor}), if known
 * @param embeddingModel the model of {@code embedding}
 * @param embedding its stored embedding
 */
public record AddNeighbour(
    String id, @Nullable String actor, String embeddingModel, float[] embedding) {
  /** Checks nulls. */
  public AddNeighbour {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(embeddingModel, "embeddingModel");
    Objects.requireNonNull(embedding, "embedding");
  }

  /** The neighbour as a search scores it, from a whole stored memory. */
  public static AddNeighbour of(StoredMemory m) {
    return new AddNeighbour(m.id(), m.memory().actor(), m.memory().embeddingModel(), m.embedding());
  }
}
