package io.mnemo4j;

import java.time.Instant;
import java.util.Objects;

/**
 * The journal row of a tenant moving between regions, kept in the catalog until the move ends: what
 * a rerun or a rollback after a crash reads to finish or undo it. Immutable.
 *
 * @param tenant the tenant
 * @param from the region (and shard) the tenant's data was in when the move began
 * @param fromShard the shard of {@code from}
 * @param to the region the move copies it to
 * @param toShard the shard of {@code to} the copy is placed on
 * @param phase how far the move got
 * @param startedAt when the move began
 */
public record TenantMove(
    TenantId tenant,
    String from,
    String fromShard,
    String to,
    String toShard,
    Phase phase,
    Instant startedAt) {
  /** How far a move got; what survives a crash. */
  public enum Phase {
    /**
     * The copy is being made and verified; the catalog still names the old region, which holds the
     * whole tenant. A crash here is undone by dropping the copy.
     */
    COPYING,
    /**
     * The catalog names the new region, which holds the whole, verified tenant; the old copy is
     * left to purge.
     */
    SWITCHED
  }

  /** Checks nulls and names. */
  public TenantMove {
    Objects.requireNonNull(tenant, "tenant");
    TenantId.requireRegion(from);
    Objects.requireNonNull(fromShard, "fromShard");
    TenantId.requireRegion(to);
    Objects.requireNonNull(toShard, "toShard");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(startedAt, "startedAt");
  }

  /** The same move in another phase. */
  public TenantMove in(Phase next) {
    return new TenantMove(tenant, from, fromShard, to, toShard, next, startedAt);
  }

  /** The catalog setting the journal row of {@code tenant} is kept under. */
  public static String settingName(TenantId tenant) {
    return "move." + tenant.value();
  }

  /** The row as one setting value (region and shard names hold no {@code |}). */
  public String encode() {
    return String.join("|", "v1", from, fromShard, to, toShard, phase.name(), startedAt.toString());
  }

  /** Reads a row {@link #encode} wrote. */
  public static TenantMove decode(TenantId tenant, String value) {
    String[] p = value.split("\\|", -1);
    if (p.length != 7 || !p[0].equals("v1")) {
      throw new IllegalStateException("unreadable move journal of tenant " + tenant);
    }
    return new TenantMove(tenant, p[1], p[2], p[3], p[4], Phase.valueOf(p[5]), Instant.parse(p[6]));
  }
}
