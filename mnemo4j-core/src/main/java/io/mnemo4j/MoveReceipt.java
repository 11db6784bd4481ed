package io.mnemo4j;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What moving a tenant between regions did, both sides: the old copy as exported before the switch
 * and the new one as verified after the copy. Immutable.
 *
 * @param tenant the tenant
 * @param from the side the tenant left
 * @param to the side it now lives on
 * @param bytesPurged bytes of the old copy purged after the switch
 * @param outcome {@code moved}, or {@code rolled_back} when a rollback dropped an unfinished copy
 * @param took how long this run took (a rerun counts its own time only)
 */
public record MoveReceipt(
    String tenant, Side from, Side to, long bytesPurged, String outcome, Duration took) {
  /**
   * One region's copy of the tenant.
   *
   * @param region the region
   * @param shard its shard
   * @param counts records per kind, as the export format counts them
   * @param checksums SHA-256 per kind, as the export format computes them
   */
  public record Side(
      String region, String shard, Map<String, Long> counts, Map<String, String> checksums) {
    /** Copies the maps. */
    public Side {
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(shard, "shard");
      counts = Map.copyOf(counts);
      checksums = Map.copyOf(checksums);
    }

    /** The number of records of one kind. */
    public long count(String kind) {
      return counts.getOrDefault(kind, 0L);
    }
  }

  /** Checks nulls. */
  public MoveReceipt {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(took, "took");
  }
}
