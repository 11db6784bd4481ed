package io.mnemo4j.internal.ingest;

import io.mnemo4j.ConversationMessage;
import io.mnemo4j.EventType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryEvent;
import io.mnemo4j.Message;
import io.mnemo4j.Metadata;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Scope;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.internal.Context;
import io.mnemo4j.internal.Reads;
import io.mnemo4j.internal.TenantHandles;
import io.mnemo4j.internal.Visibility;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Changes to one tenant's memory other than {@code add}: update and delete by id under the memory's
 * scope lock, bulk removal (delete-all, the expiry sweep) and conversation windows. Every change
 * keeps a history row. Stateless, thread-safe.
 */
public final class Edits {
  /** Memories removed per batch by a bulk removal. */
  static final int REMOVE_BATCH = 500;

  private final Context context;

  /** Edits through {@code context}'s leases and locks. */
  public Edits(Context context) {
    this.context = context;
  }

  /**
   * Replaces the text (and, if given, the metadata) of a memory inside {@code selection}, keeping
   * the old text as a closed version; unchanged text and metadata give a NONE and write nothing.
   */
  public MemoryEvent update(
      TenantInfo tenant,
      String id,
      String text,
      @Nullable Map<String, ?> metadata,
      Selection selection) {
    Reads.checkId(id);
    if (text == null || text.isBlank()) {
      throw new InvalidRequestException("text", "text must not be empty");
    }
    if (text.length() > Message.MAX_CONTENT_LENGTH) {
      throw new InvalidRequestException(
          "text", "text is longer than " + Message.MAX_CONTENT_LENGTH + " characters");
    }
    Map<String, Object> newMetadata = metadata == null ? null : Metadata.validate(metadata);
    float[] vector = context.embedder().embed(text, Embedder.Purpose.DOCUMENT);
    try (TenantHandles.Lease lease = context.lease(tenant)) {
      TenantStore store = lease.store();
      Memory current =
          Reads.visible(store, id, selection).orElseThrow(() -> Reads.notFound(id)).memory();
      return context
          .locks()
          .locked(
              tenant.id(),
              store,
              current.scope(),
              () -> {
                StoredMemory stored =
                    Reads.visible(store, id, selection).orElseThrow(() -> Reads.notFound(id));
                Memory before = stored.memory();
                Map<String, Object> md = newMetadata == null ? before.metadata() : newMetadata;
                if (before.text().equals(text) && before.metadata().equals(md)) {
                  return (MemoryEvent) new MemoryEvent.Unchanged(id, before.text(), "unchanged");
                }
                Instant now = context.now();
                Versions.Superseded v =
                    Versions.supersede(context, stored, text, vector, md, now, now, "api", null);
                store.write(new WriteBatch(v.changes(), v.history(), List.of()));
                return new MemoryEvent.Updated(id, text, before.text());
              });
    }
  }

  /** Deletes a memory inside {@code selection}; its history is kept and gains a DELETE. */
  public MemoryEvent delete(TenantInfo tenant, String id, Selection selection) {
    Reads.checkId(id);
    try (TenantHandles.Lease lease = context.lease(tenant)) {
      TenantStore store = lease.store();
      Memory current =
          Reads.visible(store, id, selection).orElseThrow(() -> Reads.notFound(id)).memory();
      return context
          .locks()
          .locked(
              tenant.id(),
              store,
              current.scope(),
              () -> {
                Memory m =
                    Reads.visible(store, id, selection)
                        .orElseThrow(() -> Reads.notFound(id))
                        .memory();
                HistoryEntry h =
                    new HistoryEntry(
                        context.newId(),
                        id,
                        EventType.DELETE,
                        m.text(),
                        null,
                        "api",
                        context.now());
                store.write(new WriteBatch(List.of(new Change.Remove(id)), List.of(h), List.of()));
                return new MemoryEvent.Deleted(id, m.text());
              });
    }
  }

  /** Deletes every memory inside {@code selection} (scope and filter); returns how many. */
  public long deleteAll(TenantInfo tenant, Selection selection) {
    return removeAll(tenant, selection.scopeFilter(), selection.filter(), "api", m -> null);
  }

  /**
   * Deletes the memories that expired more than {@code grace} ago, each with a DELETE in its
   * history saying when it expired; returns how many.
   */
  public long sweepExpired(TenantInfo tenant, Duration grace) {
    Instant cutoff = context.now().minus(grace);
    FilterExpr expired =
        new FilterExpr.Compare(
            FilterExpr.Field.of(FilterExpr.Kind.EXPIRES_AT),
            FilterExpr.Op.LT,
            new FilterExpr.Value.Time(cutoff));
    return removeAll(
        tenant,
        new ScopeFilter.Everything(),
        expired,
        "system",
        m -> "expired at " + m.expiresAt());
  }

  /**
   * Removes every memory passing both filters (closed versions included), {@value #REMOVE_BATCH}
   * per batch, each with a DELETE in its history by {@code actor} for {@code reason}; returns how
   * many memories went, not counting the closed versions that updates and contradictions leave
   * behind (they are history, not memories). Bulk removals of a tenant run one at a time, under the
   * lock of the tenant-wide scope, so two of them never both delete (and count, and log) the same
   * memory.
   */
  private long removeAll(
      TenantInfo tenant,
      ScopeFilter scope,
      FilterExpr filter,
      String actor,
      Function<Memory, @Nullable String> reason) {
    try (TenantHandles.Lease lease = context.lease(tenant)) {
      TenantStore store = lease.store();
      return context
          .locks()
          .locked(
              tenant.id(),
              store,
              Scope.tenantWide(),
              () -> {
                long deleted = 0;
                while (true) {
                  // Always read the first page: the previous batch's deletions moved the rest up.
                  Page<StoredMemory> page =
                      store.list(scope, filter, PageRequest.first(REMOVE_BATCH));
                  if (page.items().isEmpty()) {
                    return deleted;
                  }
                  deleted += removeBatch(store, page.items(), actor, reason);
                }
              });
    }
  }

  private long removeBatch(
      TenantStore store,
      List<StoredMemory> batch,
      String actor,
      Function<Memory, @Nullable String> reason) {
    Instant now = context.now();
    long memories = 0;
    List<Change> changes = new ArrayList<>();
    List<HistoryEntry> history = new ArrayList<>();
    for (StoredMemory m : batch) {
      changes.add(new Change.Remove(m.id()));
      history.add(
          new HistoryEntry(
              context.newId(),
              m.id(),
              EventType.DELETE,
              m.memory().text(),
              null,
              actor,
              now,
              reason.apply(m.memory())));
      if (Visibility.isOpen(m.memory(), now)) {
        memories++;
      }
    }
    store.write(new WriteBatch(changes, history, List.of()));
    return memories;
  }

  /** Replaces a conversation window, atomically and durably; an empty list deletes it. */
  public void replaceConversation(
      TenantInfo tenant, String conversationId, List<ConversationMessage> messages) {
    ConversationMessage.requireConversationId(conversationId);
    List<ConversationMessage> copy = List.copyOf(messages);
    if (copy.size() > ConversationMessage.MAX_MESSAGES) {
      throw new InvalidRequestException(
          "messages",
          "a conversation window holds at most " + ConversationMessage.MAX_MESSAGES + " messages");
    }
    try (TenantHandles.Lease lease = context.lease(tenant)) {
      lease.store().replaceConversation(conversationId, copy);
    }
  }
}
