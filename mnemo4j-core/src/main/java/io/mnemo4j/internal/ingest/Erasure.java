package io.mnemo4j.internal.ingest;

import io.mnemo4j.ErasureReceipt;
import io.mnemo4j.EventType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.NotFoundException;
import io.mnemo4j.Scope;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.internal.Context;
import io.mnemo4j.internal.TenantHandles;
import io.mnemo4j.internal.Visibility;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.StoredMessage;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Erasing a conversation: deletes raw messages and the memories that came only from them, in one
 * write per scope under that scope's lock. Nothing is re-derived: a memory that also came from
 * messages that remain stays as it is, its provenance cut to those. Each deleted memory gains a
 * DELETE history row saying why, and its earlier history rows lose their text, so the erased words
 * stay nowhere but in the operation's own counts. Stateless, thread-safe.
 */
public final class Erasure {
  /** The reason on the history row of a memory deleted because its messages were erased. */
  public static final String REASON = "erased: every message it came from was deleted";

  /** The actor of those rows. */
  static final String ACTOR = "api";

  private final Context context;

  /** Erases through {@code context}'s leases and locks. */
  public Erasure(Context context) {
    this.context = context;
  }

  /**
   * Deletes one raw message inside {@code selection} and the memories that came only from it; "not
   * found" when the tenant has no such message there.
   */
  public ErasureReceipt eraseMessage(TenantInfo tenant, String messageId, Selection selection) {
    checkMessageId(messageId);
    try (TenantHandles.Lease lease = context.lease(tenant)) {
      TenantStore store = lease.store();
      List<StoredMessage> found =
          store.messages(List.of(messageId)).stream()
              .filter(m -> selection.scopeFilter().test(m.scope()))
              .toList();
      if (found.isEmpty()) {
        throw new NotFoundException("message " + messageId + " not found");
      }
      return erase(tenant, store, found);
    }
  }

  /**
   * Deletes every raw message of one run inside {@code selection} and the memories that came only
   * from them; a run with no messages there erases nothing.
   */
  public ErasureReceipt eraseRun(TenantInfo tenant, String runId, Selection selection) {
    Scope.run(runId); // validates the id as every scope id is
    try (TenantHandles.Lease lease = context.lease(tenant)) {
      TenantStore store = lease.store();
      List<StoredMessage> found =
          store.messagesOfRun(runId).stream()
              .filter(m -> selection.scopeFilter().test(m.scope()))
              .toList();
      return erase(tenant, store, found);
    }
  }

  /** Erases the messages scope by scope: an add to one scope never waits for another's. */
  private ErasureReceipt erase(TenantInfo tenant, TenantStore store, List<StoredMessage> messages) {
    Map<Scope, List<String>> byScope = new LinkedHashMap<>();
    for (StoredMessage m : messages) {
      byScope.computeIfAbsent(m.scope(), s -> new ArrayList<>()).add(m.id());
    }
    ErasureReceipt total = ErasureReceipt.NONE;
    for (Map.Entry<Scope, List<String>> e : byScope.entrySet()) {
      List<String> ids = e.getValue();
      total =
          total.plus(
              context
                  .locks()
                  .locked(tenant.id(), store, e.getKey(), () -> eraseLocked(store, ids)));
    }
    return total;
  }

  /** Under the scope's lock: what those messages alone gave goes, in one write with them. */
  private ErasureReceipt eraseLocked(TenantStore store, List<String> messageIds) {
    Set<String> erased = new HashSet<>(messageIds);
    Instant now = context.now();
    List<Change> changes = new ArrayList<>();
    List<HistoryEntry> history = new ArrayList<>();
    long memories = 0;
    long kept = 0;
    for (StoredMemory stored : store.derivedFrom(messageIds)) {
      Memory m = stored.memory();
      List<String> remaining =
          m.provenance().messageIds().stream().filter(id -> !erased.contains(id)).toList();
      if (!remaining.isEmpty()) {
        Memory cut = m.withProvenance(new Memory.Provenance(m.provenance().source(), remaining));
        changes.add(new Change.Put(new StoredMemory(cut, stored.embedding(), stored.context())));
        kept++;
        continue;
      }
      changes.add(new Change.Remove(m.id()));
      // Rewritten by id: the rows stay (when, who, what kind of change) without the erased words.
      for (HistoryEntry h : store.history(m.id())) {
        history.add(
            new HistoryEntry(
                h.id(),
                h.memoryId(),
                h.event(),
                h.oldText() == null ? null : "",
                h.newText() == null ? null : "",
                h.actor(),
                h.at(),
                h.reason()));
      }
      history.add(
          new HistoryEntry(
              context.newId(), m.id(), EventType.DELETE, null, null, ACTOR, now, REASON));
      if (Visibility.isOpen(m, now)) {
        memories++;
      }
    }
    long deleted = store.eraseMessages(messageIds, new WriteBatch(changes, history, List.of()));
    return new ErasureReceipt(deleted, memories, kept);
  }

  /** Refuses anything but a UUID as a message id. */
  static void checkMessageId(String id) {
    try {
      if (id == null || id.length() != 36) {
        throw new IllegalArgumentException();
      }
      UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("message_id", "message id must be a UUID");
    }
  }
}
