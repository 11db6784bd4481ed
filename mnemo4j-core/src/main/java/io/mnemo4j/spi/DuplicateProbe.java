package io.mnemo4j.spi;

import java.util.Objects;

/**
 * One new text of an add, as its duplicate check asks the store about it (see {@link
 * TenantStore#duplicateCandidates}).
 *
 * @param hash the text's normalised hash, as {@link TenantStore#findByHash} takes it
 * @param vector the text's embedding, as {@link TenantStore#vectorSearch} takes it
 */
public record DuplicateProbe(String hash, float[] vector) {
  /** Checks nulls. */
  public DuplicateProbe {
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(vector, "vector");
  }
}
