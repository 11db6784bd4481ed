package io.mnemo4j.transfer;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What an export or import did. Immutable.
 *
 * @param tenant the tenant
 * @param region its region
 * @param counts records per kind ({@code memory}, {@code history}, {@code message}, {@code event},
 *     {@code conversation})
 * @param checksums the trailer's SHA-256 per kind, over the lines as written or read
 * @param embedded how many memories an import embedded again (the file had no vector of this
 *     instance's model for them); 0 for an export
 * @param took how long it took
 */
public record TransferReceipt(
    String tenant,
    String region,
    Map<String, Long> counts,
    Map<String, String> checksums,
    long embedded,
    Duration took) {
  /** Copies the maps. */
  public TransferReceipt {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(region, "region");
    counts = Map.copyOf(counts);
    checksums = Map.copyOf(checksums);
    Objects.requireNonNull(took, "took");
  }

  /** The number of records of one kind. */
  public long count(String kind) {
    return counts.getOrDefault(kind, 0L);
  }
}
