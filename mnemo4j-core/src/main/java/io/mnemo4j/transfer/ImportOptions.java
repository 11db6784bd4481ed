package io.mnemo4j.transfer;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How to import a file into a tenant.
 *
 * @param region where to create the tenant when it does not exist, or null for the default region
 *     (an existing tenant stays in its region)
 * @param progress told of progress
 */
public record ImportOptions(@Nullable String region, TransferProgress progress) {
  /** Checks nulls. */
  public ImportOptions {
    Objects.requireNonNull(progress, "progress");
  }

  /** Into the default region, no progress reports. */
  public static ImportOptions defaults() {
    return new ImportOptions(null, TransferProgress.NONE);
  }

  /** The region asked for, if any. */
  public Optional<String> regionIfSet() {
    return Optional.ofNullable(region);
  }
}
