package io.mnemo4j.internal.transfer;

import io.mnemo4j.ConflictException;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.MoveReceipt;
import io.mnemo4j.NotFoundException;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.TenantMove;
import io.mnemo4j.TenantMove.Phase;
import io.mnemo4j.internal.Context;
import io.mnemo4j.internal.TenantHandles;
import io.mnemo4j.internal.Tenants;
import io.mnemo4j.internal.store.CheckedTenantStore;
import io.mnemo4j.spi.Catalog;
import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.spi.PurgeStats;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.transfer.ExportOptions;
import io.mnemo4j.transfer.ExportRecord.Trailer;
import io.mnemo4j.transfer.TransferProgress;
import io.mnemo4j.transfer.TransferReceipt;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Moves a tenant between regions: journal, close to writes, copy through a temporary export file,
 * verify the copy against the export (counts and checksums per kind), switch the catalog and the
 * journal in one transaction, purge the old copy, end the journal, reopen to writes. The journal
 * row in the catalog is what makes a crash safe: before the switch the catalog names the old
 * region, which still holds the whole tenant, and a rerun or rollback drops the partial copy; after
 * it, the new region holds the whole verified tenant and a rerun only purges the old copy.
 * Thread-safe; one move of a tenant at a time per data dir.
 */
public final class Moves {
  private static final System.Logger LOG = System.getLogger(Moves.class.getName());

  /** Where tests stop a move to kill it; a no-op unless a test installed a hook. */
  private static volatile Consumer<String> pausePoint = point -> {};

  private final Context context;
  private final Transfers transfers;

  /** Moves of the tenants of {@code context}, copying with {@code transfers}. */
  public Moves(Context context, Transfers transfers) {
    this.context = context;
    this.transfers = transfers;
  }

  /**
   * For tests only (the package is not exported): {@code hook} hears each point a move reaches
   * ({@code journaled}, {@code copied}, {@code switched}) and may block there, so a test can kill
   * the process at a chosen phase.
   */
  public static void pauseAtForTests(Consumer<String> hook) {
    pausePoint = Objects.requireNonNull(hook, "hook");
  }

  /**
   * Moves the tenant to {@code to}, first finishing (switched) or dropping (copying) a move an
   * earlier run left in the journal. Blocks until done; writes to the tenant fail with the
   * retriable {@link StoreUnavailableException} meanwhile, reads go on.
   */
  public MoveReceipt move(TenantId id, String to) {
    long start = System.nanoTime();
    Tenants tenants = context.tenants();
    tenants.requireKnownRegion(to);
    Catalog catalog = tenants.catalog();
    tenants.require(id);
    Optional<TenantMove> pending = catalog.move(id);
    if (pending.isPresent()) {
      TenantMove earlier = pending.get();
      if (earlier.phase() == Phase.SWITCHED) {
        MoveReceipt finished = finishSwitched(earlier, start);
        if (earlier.to().equals(to)) {
          return finished;
        }
      } else {
        LOG.log(
            System.Logger.Level.INFO,
            "dropping the unfinished copy of tenant {0} in region {1} before moving it again",
            id,
            earlier.to());
        dropCopy(earlier);
      }
    }
    TenantInfo info = tenants.require(id);
    if (info.region().equals(to)) {
      throw new InvalidRequestException(
          "region", "tenant " + id + " is already in region " + to + "; nothing to move");
    }
    TenantMove move =
        new TenantMove(
            id,
            info.region(),
            info.shard(),
            to,
            tenants.shardFor(to),
            Phase.COPYING,
            context.now());
    catalog.recordMove(move);
    pausePoint.accept("journaled");
    try {
      tenants.closeToWrites(id, to);
    } catch (RuntimeException e) {
      catalog.endMove(id);
      throw e;
    }
    try {
      MoveReceipt.Side[] sides = copyAndVerify(move);
      tenants.whileClosed(
          id,
          () -> {
            catalog.switchRegion(move);
            return Boolean.TRUE;
          });
      LOG.log(
          System.Logger.Level.INFO,
          "tenant {0} switched from region {1} to {2}",
          id,
          move.from(),
          move.to());
      pausePoint.accept("switched");
      long purged = purgeOld(move);
      return receipt(move, sides[0], sides[1], purged, "moved", start);
    } catch (RuntimeException e) {
      try {
        if (catalog.move(id).map(j -> j.phase() == Phase.COPYING).orElse(false)) {
          dropCopy(move);
        }
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    } finally {
      tenants.reopenToWrites(id);
    }
  }

  /**
   * Rolls back a move that has not switched: drops the copy and ends the journal; the tenant stays
   * where it was. A switched move cannot be rolled back (the new region holds the verified tenant):
   * a {@link ConflictException} says to rerun it.
   */
  public MoveReceipt rollback(TenantId id) {
    long start = System.nanoTime();
    Tenants tenants = context.tenants();
    tenants.require(id);
    TenantMove move =
        tenants
            .catalog()
            .move(id)
            .orElseThrow(() -> new NotFoundException("no move of tenant " + id + " is under way"));
    if (move.phase() == Phase.SWITCHED) {
      throw new ConflictException(
          "region",
          "the move of tenant "
              + id
              + " to region "
              + move.to()
              + " has switched already; rerun it to finish");
    }
    dropCopy(move);
    MoveReceipt.Side here = side(move.from(), move.fromShard(), summarize(id));
    return new MoveReceipt(
        id.value(),
        here,
        new MoveReceipt.Side(move.to(), move.toShard(), Map.of(), Map.of()),
        0,
        "rolled_back",
        Duration.ofNanos(System.nanoTime() - start));
  }

  /** The journal row of the tenant's move, if one is under way (or was cut short). */
  public Optional<TenantMove> pending(TenantId id) {
    return context.tenants().catalog().move(id);
  }

  /** Copies the tenant into the target region through a temporary export, then checks the copy. */
  private MoveReceipt.Side[] copyAndVerify(TenantMove move) {
    TenantId id = move.tenant();
    Path file;
    try {
      file = Files.createTempFile("mnemo4j-move-", ".jsonl");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the temporary file of a move", e);
    }
    try {
      TransferReceipt exported;
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
        exported = transfers.export(id, out, new ExportOptions(true, TransferProgress.NONE));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the temporary file of a move", e);
      }
      MemoryStore target = context.tenants().regionStore(move.to(), move.toShard());
      target.purge(id); // a copy an earlier, killed run left behind
      Trailer copied;
      try (TenantStore store = new CheckedTenantStore(target.open(id))) {
        transfers.copyInto(store, file, TransferProgress.NONE);
        pausePoint.accept("copied");
        copied = transfers.summarize(store, id, move.to());
      }
      if (!copied.counts().equals(exported.counts())
          || !copied.checksums().equals(exported.checksums())) {
        throw new StoreUnavailableException(
            "the copy of tenant "
                + id
                + " in region "
                + move.to()
                + " does not match the original (counts "
                + copied.counts()
                + " against "
                + exported.counts()
                + "); the move was rolled back");
      }
      return new MoveReceipt.Side[] {
        new MoveReceipt.Side(
            move.from(), move.fromShard(), exported.counts(), exported.checksums()),
        side(move.to(), move.toShard(), copied)
      };
    } finally {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        LOG.log(System.Logger.Level.WARNING, "cannot delete the temporary file {0}", file);
      }
    }
  }

  /** Finishes a move a crash left switched: purges the old copy and ends the journal. */
  private MoveReceipt finishSwitched(TenantMove move, long start) {
    LOG.log(
        System.Logger.Level.INFO,
        "finishing the switched move of tenant {0} to region {1}",
        move.tenant(),
        move.to());
    Trailer now = summarize(move.tenant());
    long purged = purgeOld(move);
    // The old side was verified equal to the new one before the switch.
    return receipt(
        move,
        side(move.from(), move.fromShard(), now),
        side(move.to(), move.toShard(), now),
        purged,
        "moved",
        start);
  }

  private long purgeOld(TenantMove move) {
    PurgeStats stats =
        context.tenants().regionStore(move.from(), move.fromShard()).purge(move.tenant());
    context.tenants().catalog().endMove(move.tenant());
    LOG.log(
        System.Logger.Level.INFO,
        "tenant {0} moved to region {1}; old copy purged ({2} files)",
        move.tenant(),
        move.to(),
        stats.files());
    return stats.bytes();
  }

  /** Drops the target's copy and ends the journal: the tenant is as before the move. */
  private void dropCopy(TenantMove move) {
    context.tenants().regionStore(move.to(), move.toShard()).purge(move.tenant());
    context.tenants().catalog().endMove(move.tenant());
  }

  private Trailer summarize(TenantId id) {
    TenantInfo info = context.tenants().require(id);
    try (TenantHandles.Lease lease = context.lease(info)) {
      return transfers.summarize(lease.store(), id, info.region());
    }
  }

  private static MoveReceipt.Side side(String region, String shard, Trailer t) {
    return new MoveReceipt.Side(region, shard, t.counts(), t.checksums());
  }

  private static MoveReceipt receipt(
      TenantMove move,
      MoveReceipt.Side from,
      MoveReceipt.Side to,
      long purged,
      String outcome,
      long start) {
    return new MoveReceipt(
        move.tenant().value(),
        from,
        to,
        purged,
        outcome,
        Duration.ofNanos(System.nanoTime() - start));
  }
}
