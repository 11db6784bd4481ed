package io.mnemo4j.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the store answers for one {@link DuplicateProbe}: exactly what {@link
 * TenantStore#findByHash} and {@link TenantStore#vectorSearch} would answer for it.
 *
 * @param sameHash the memory {@code findByHash} finds for the probe's hash, if any
 * @param nearest the nearest memories {@code vectorSearch} finds for the probe's vector, best first
 */
public record DuplicateCandidates(Optional<StoredMemory> sameHash, List<ScoredId> nearest) {
  /** Checks nulls and copies the list. */
  public DuplicateCandidates {
    Objects.requireNonNull(sameHash, "sameHash");
    nearest = List.copyOf(nearest);
  }

  /** These candidates with only the nearest memories scoring at least {@code minScore}. */
  public DuplicateCandidates scoringAtLeast(double minScore) {
    return new DuplicateCandidates(
        sameHash, nearest.stream().filter(n -> n.score() >= minScore).toList());
  }
}
