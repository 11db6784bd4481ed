package io.mnemo4j.internal;

import io.mnemo4j.ConversationMessage;
import io.mnemo4j.EntityCount;
import io.mnemo4j.EntityType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.NotFoundException;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Scope;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.filter.FilterEvaluator;
import io.mnemo4j.internal.ingest.Versions;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads of one tenant's memory by id, by page and by count, the history of a memory, and the
 * conversation windows. Every read by id checks that the memory lies inside the caller's selection
 * and answers "not found" otherwise, never "forbidden". Stateless, thread-safe.
 */
public final class Reads {
  private final Context context;

  /** Reads through {@code context}'s leases. */
  public Reads(Context context) {
    this.context = context;
  }

  /** The memory, if it exists in the tenant and inside {@code selection} (filter included). */
  public Optional<Memory> get(TenantInfo tenant, String id, Selection selection) {
    checkId(id);
    try (TenantHandles.Lease lease = context.lease(tenant)) {
      return visible(lease.store(), id, selection).map(StoredMemory::memory);
    }
  }

  /** One page of the memories inside {@code selection}, in creation order. */
  public Page<Memory> page(TenantInfo tenant, Selection selection, PageRequest page) {
    try (TenantHandles.Lease lease = context.lease(tenant)) {
      Page<StoredMemory> p =
          lease
              .store()
              .list(selection.scopeFilter(), selection.effectiveFilter(context.now()), page);
      return new Page<>(p.items().stream().map(StoredMemory::memory).toList(), p.nextCursor());
    }
  }

  /** How many memories are inside {@code selection}. */
  public long count(TenantInfo tenant, Selection selection) {
    try (TenantHandles.Lease lease = context.lease(tenant)) {
      return lease.store().count(selection.scopeFilter(), selection.effectiveFilter(context.now()));
    }
  }

  /** One page of the users, agents or runs memories inside {@code selection} carry, counted. */
  public Page<EntityCount> entities(
      TenantInfo tenant, EntityType type, Selection selection, PageRequest page) {
    Objects.requireNonNull(type, "type");
    if (page.cursor() != null) {
      try {
        Scope.user(page.cursor());
      } catch (InvalidRequestException e) {
        throw new InvalidRequestException("cursor", "cursor is not one this listing handed out");
      }
    }
    try (TenantHandles.Lease lease = context.lease(tenant)) {
      return lease
          .store()
          .countByEntity(
              type, selection.scopeFilter(), selection.effectiveFilter(context.now()), page);
    }
  }

  /**
   * The history of a memory inside {@code selection}, oldest first. A deleted memory's history
   * stays readable to whole-tenant callers only: history rows do not keep its scope.
   */
  public List<HistoryEntry> history(TenantInfo tenant, String id, Selection selection) {
    checkId(id);
    try (TenantHandles.Lease lease = context.lease(tenant)) {
      TenantStore store = lease.store();
      List<HistoryEntry> entries = store.history(id);
      if (entries.isEmpty()) {
        throw notFound(id);
      }
      if (!selection.wholeTenant()) {
        boolean inScope =
            store.get(id).map(m -> selection.scopeFilter().test(m.memory().scope())).orElse(false);
        if (!inScope) {
          throw notFound(id);
        }
      }
      return entries;
    }
  }

  /**
   * The closed copies a memory's text updates kept, oldest first; "not found" exactly when {@link
   * #history} is.
   */
  public List<Memory> versions(TenantInfo tenant, String id, Selection selection) {
    List<String> kept =
        history(tenant, id, selection).stream()
            .map(Versions::keptVersionId)
            .flatMap(Optional::stream)
            .toList();
    if (kept.isEmpty()) {
      return List.of();
    }
    try (TenantHandles.Lease lease = context.lease(tenant)) {
      return lease.store().getAll(kept).stream().map(StoredMemory::memory).toList();
    }
  }

  /** A conversation window's messages, oldest first; empty when there is none. */
  public List<ConversationMessage> conversation(TenantInfo tenant, String conversationId) {
    ConversationMessage.requireConversationId(conversationId);
    try (TenantHandles.Lease lease = context.lease(tenant)) {
      return lease.store().conversation(conversationId);
    }
  }

  /** One page of the tenant's conversation window ids. */
  public Page<String> conversationIds(TenantInfo tenant, PageRequest page) {
    try (TenantHandles.Lease lease = context.lease(tenant)) {
      return lease.store().conversationIds(page);
    }
  }

  /** The memory with this id if it lies inside {@code selection}, filter included. */
  public static Optional<StoredMemory> visible(TenantStore store, String id, Selection selection) {
    return store
        .get(id)
        .filter(
            m ->
                selection.scopeFilter().test(m.memory().scope())
                    && FilterEvaluator.matches(selection.filter(), m.memory()));
  }

  /** Refuses anything but a UUID as a memory or event id, naming {@code id}. */
  public static void checkId(String id) {
    try {
      if (id == null || id.length() != 36) {
        throw new IllegalArgumentException();
      }
      UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("id", "memory id must be a UUID");
    }
  }

  /** "Memory not found", the answer for ids of other tenants and scopes too. */
  public static NotFoundException notFound(String id) {
    return new NotFoundException("memory " + id + " not found");
  }
}
