package io.mnemo4j;

import io.mnemo4j.internal.Reembedding;
import io.mnemo4j.internal.Tenants;
import io.mnemo4j.internal.transfer.Moves;
import io.mnemo4j.internal.transfer.Transfers;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.transfer.ExportOptions;
import io.mnemo4j.transfer.ImportOptions;
import io.mnemo4j.transfer.TransferReceipt;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Tenant administration of one {@link Mnemo}: creating, listing and purging tenants, the regions
 * they may live in, and the API keys servers authenticate with. Reached through {@link
 * Mnemo#admin()}. Thread-safe.
 */
public final class Admin {
  private final Tenants tenants;
  private final ApiKeys keys;
  private final Reembedding reembedding;
  private final Runnable ensureOpen;
  private final Transfers transfers;
  private final Moves moves;

  Admin(
      Tenants tenants,
      ApiKeys keys,
      Reembedding reembedding,
      Runnable ensureOpen,
      Transfers transfers,
      Moves moves) {
    this.tenants = tenants;
    this.keys = keys;
    this.reembedding = reembedding;
    this.ensureOpen = ensureOpen;
    this.transfers = transfers;
    this.moves = moves;
  }

  /**
   * Changes the embedding model, online: computes {@code next}'s vectors of every memory of the
   * given tenants from their stored texts (no language model, no re-extraction) into a second slot
   * while searches keep using the old vectors and new writes get both; once no tenant of the data
   * dir is left unprepared, switches every store and this instance's embedder at once (a search
   * sees one model or the other) and records the new model in the catalog. Resumes where an earlier
   * run for the same model stopped; an interrupted switch finishes when the data dir next opens.
   * Blocks until done or prepared; {@code progress} hears after every page. This instance takes
   * ownership of {@code next}. Throws {@link ConflictException} while a change to another model is
   * under way.
   */
  public ReembedStatus reembed(
      List<String> tenantIds, Embedder next, java.util.function.Consumer<ReembedStatus> progress) {
    ensureOpen.run();
    List<TenantInfo> targets = new java.util.ArrayList<>();
    for (String id : tenantIds) {
      targets.add(
          tenants
              .find(TenantId.of(id))
              .orElseThrow(() -> new NotFoundException("tenant " + id + " not found")));
    }
    return reembedding.run(targets, next, progress);
  }

  /** Re-embeds every tenant; see {@link #reembed(List, Embedder, java.util.function.Consumer)}. */
  public ReembedStatus reembedAll(
      Embedder next, java.util.function.Consumer<ReembedStatus> progress) {
    ensureOpen.run();
    return reembedding.run(tenants.list(), next, progress);
  }

  /** The change of embedding model under way, if any. */
  public Optional<ReembedStatus> reembedStatus() {
    ensureOpen.run();
    return reembedding.status();
  }

  /** Creates a tenant in the default region. */
  public TenantInfo createTenant(String tenantId) {
    return createTenant(tenantId, tenants.defaultRegion());
  }

  /** Creates a tenant pinned to {@code region}; its data is written only to that region's store. */
  public TenantInfo createTenant(String tenantId, String region) {
    TenantId id = TenantId.of(tenantId);
    ensureOpen.run();
    return tenants.create(id, region);
  }

  /** The tenant, if it exists. */
  public Optional<TenantInfo> findTenant(String tenantId) {
    TenantId id = TenantId.of(tenantId);
    ensureOpen.run();
    return tenants.find(id);
  }

  /** All tenants, ordered by id. */
  public List<TenantInfo> listTenants() {
    ensureOpen.run();
    return tenants.list();
  }

  /**
   * Offboarding: removes every byte the tenant wrote (memories, history, messages, conversation
   * windows, index files), its API keys and the tenant itself, waiting up to 30 s for running
   * operations of the tenant to finish. Returns the receipt, also kept in the catalog.
   */
  public PurgeReceipt purgeTenant(String tenantId) {
    TenantId id = TenantId.of(tenantId);
    ensureOpen.run();
    return tenants.purge(id);
  }

  /**
   * Writes every record of the tenant (memories open and closed, history, raw messages, operation
   * records, conversation windows, and vectors if asked) to {@code out} in the portable export
   * format (docs/export-format.md), streaming; {@code out} is flushed, not closed.
   */
  public TransferReceipt exportTenant(String tenantId, OutputStream out, ExportOptions options) {
    TenantId id = TenantId.of(tenantId);
    ensureOpen.run();
    return transfers.export(id, out, options);
  }

  /**
   * Imports an export file into a new or empty tenant, ids and times kept. Every line is validated
   * first: a bad one fails with an {@link InvalidRequestException} naming the line and field, and
   * nothing is written. Memories without a vector of this instance's embedding model are embedded
   * again from their text. A tenant that holds data is refused ({@link ConflictException}).
   */
  public TransferReceipt importTenant(String tenantId, Path file, ImportOptions options) {
    TenantId id = TenantId.of(tenantId);
    ensureOpen.run();
    return transfers.importFile(id, file, options);
  }

  /**
   * Moves the tenant to {@code region}: copies it there through the export format, verifies the
   * copy (counts and a checksum per record kind), switches the catalog, purges the old copy.
   * Meanwhile reads are served from the old region and writes fail with the retriable {@link
   * StoreUnavailableException} (HTTP 503). A move an earlier run left unfinished is finished when
   * it had switched, else its copy is dropped and the move starts again. Blocks until done.
   *
   * @throws InvalidRequestException naming {@code region} if it is unknown or already the tenant's
   */
  public MoveReceipt moveTenant(String tenantId, String region) {
    TenantId id = TenantId.of(tenantId);
    ensureOpen.run();
    return moves.move(id, region);
  }

  /**
   * Rolls back a move that was cut short before switching: drops the partial copy, the tenant stays
   * in its region. {@link NotFoundException} when no move is under way, {@link ConflictException}
   * when it already switched (rerun {@link #moveTenant} to finish it).
   */
  public MoveReceipt rollbackMove(String tenantId) {
    TenantId id = TenantId.of(tenantId);
    ensureOpen.run();
    return moves.rollback(id);
  }

  /** The journal row of the tenant's move, if one is under way or was cut short. */
  public Optional<TenantMove> pendingMove(String tenantId) {
    TenantId id = TenantId.of(tenantId);
    ensureOpen.run();
    return moves.pending(id);
  }

  /** Receipts of past purges, oldest first. */
  public List<PurgeReceipt> purgeReceipts() {
    ensureOpen.run();
    return tenants.receipts();
  }

  /** The regions tenants may be created in. */
  public Set<String> regions() {
    return tenants.regions();
  }

  /** The region new tenants go to unless told otherwise. */
  public String defaultRegion() {
    return tenants.defaultRegion();
  }

  /** API keys, kept (hashed) in the catalog; a tenant's keys go when it is purged. */
  public ApiKeys keys() {
    ensureOpen.run();
    return keys;
  }
}
