package io.mnemo4j;

import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The memory of exactly one tenant: the only door into a tenant's namespace. No method takes a
 * second tenant id. Operations by memory id check that the id lives in this tenant and in the given
 * selection, and answer "not found" otherwise. A thin facade over the ingest and search pipelines.
 * Thread-safe.
 */
public final class TenantMemory {
  private final Mnemo mnemo;
  private final TenantInfo tenant;
  private final HybridSearch search;

  TenantMemory(Mnemo mnemo, TenantInfo tenant) {
    this.mnemo = mnemo;
    this.tenant = tenant;
    this.search = new HybridSearch(mnemo);
  }

  /** The tenant this object serves. */
  public TenantInfo info() {
    return tenant;
  }

  /** Stores the messages in {@code scope}; see {@link #add(List, Scope, AddOptions)}. */
  public List<MemoryEvent> add(List<Message> messages, Scope scope) {
    return add(messages, scope, AddOptions.none());
  }

  /** Adds and returns only the events; see {@link #ingest}. */
  public List<MemoryEvent> add(List<Message> messages, Scope scope, AddOptions options) {
    return ingest(messages, scope, options).events();
  }

  /**
   * Remembers a conversation turn in {@code scope}. Without a language model (or with {@code
   * infer=false}) each message becomes a memory verbatim unless an exact or near duplicate exists
   * in that exact scope (event NONE). With a model, facts are extracted and consolidated with what
   * the scope holds (or, for {@code procedural}, one procedure is stored); if the model fails, the
   * messages are stored verbatim and the result says so. Concurrent adds to one scope are
   * serialised; an idempotency key makes a retry return the first result. Acknowledged means
   * durable.
   */
  public AddResult ingest(List<Message> messages, Scope scope, AddOptions options) {
    return mnemo.pipeline().add(tenant, List.copyOf(messages), scope, options, null);
  }

  /**
   * Queues an add and returns at once with its PENDING status; poll {@link #addStatus}. The queue
   * lives in the tenant's store and survives a restart. Throws {@link OverloadedException} when too
   * much is queued.
   */
  public AddStatus addAsync(List<Message> messages, Scope scope, AddOptions options) {
    return mnemo.asyncAdds().submit(tenant, List.copyOf(messages), scope, options);
  }

  /** The status of an add of this tenant (every add has an event id), if it exists. */
  public Optional<AddStatus> addStatus(String eventId) {
    return addStatus(eventId, Selection.everywhere());
  }

  /**
   * The status of an add of this tenant made inside {@code selection}'s scope, if it exists: a
   * caller limited to one user never sees another user's adds, finished or not.
   */
  public Optional<AddStatus> addStatus(String eventId, Selection selection) {
    checkId(eventId);
    return mnemo
        .asyncAdds()
        .status(tenant, eventId)
        .filter(s -> selection.wholeTenant() || selection.scopeFilter().test(s.scope()));
  }

  /**
   * Deletes the memories of this tenant that expired more than {@code grace} ago, each with a
   * DELETE in its history; returns how many.
   */
  public long sweepExpired(java.time.Duration grace) {
    Instant cutoff = mnemo.clock().instant().minus(grace);
    io.mnemo4j.filter.FilterExpr expired =
        new io.mnemo4j.filter.FilterExpr.Compare(
            io.mnemo4j.filter.FilterExpr.Field.of(io.mnemo4j.filter.FilterExpr.Kind.EXPIRES_AT),
            io.mnemo4j.filter.FilterExpr.Op.LT,
            new io.mnemo4j.filter.FilterExpr.Value.Time(cutoff));
    return removeAll(
        new io.mnemo4j.spi.ScopeFilter.Everything(),
        expired,
        "system",
        m -> "expired at " + m.expiresAt());
  }

  /** Ranked memories relevant to {@code query} within the search's selection. */
  public List<Hit> search(String query, Search options) {
    return search.search(tenant, query, options);
  }

  /** The memory with this id anywhere in this tenant, if it exists. */
  public Optional<Memory> get(String id) {
    return get(id, Selection.everywhere());
  }

  /**
   * The memory with this id, if it exists in this tenant and inside {@code selection} (filter
   * included).
   */
  public Optional<Memory> get(String id, Selection selection) {
    checkId(id);
    try (TenantHandles.Lease lease = mnemo.lease(tenant)) {
      return visible(lease.store(), id, selection).map(StoredMemory::memory);
    }
  }

  /**
   * One page of the memories inside {@code selection}, in creation order. Expired memories are left
   * out.
   */
  public Page<Memory> getAll(Selection selection, PageRequest page) {
    try (TenantHandles.Lease lease = mnemo.lease(tenant)) {
      Page<StoredMemory> p =
          lease
              .store()
              .list(
                  selection.scopeFilter(),
                  selection.effectiveFilter(mnemo.clock().instant()),
                  page);
      return new Page<>(p.items().stream().map(StoredMemory::memory).toList(), p.nextCursor());
    }
  }

  /**
   * How many memories are inside {@code selection} (closed and expired ones not counted, unless the
   * selection looks at the past or asks for expired ones).
   */
  public long count(Selection selection) {
    try (TenantHandles.Lease lease = mnemo.lease(tenant)) {
      return lease
          .store()
          .count(selection.scopeFilter(), selection.effectiveFilter(mnemo.clock().instant()));
    }
  }

  /**
   * One page of the users, agents or runs that memories inside {@code selection} carry, each with
   * how many of those memories carry it, in ascending id order (Unicode code points). Memories
   * without an id of that kind are not counted. {@code page.cursor()} is the last id of the
   * previous page. Reads counts from the store's index: it never loads the memories.
   */
  public Page<EntityCount> entities(EntityType type, Selection selection, PageRequest page) {
    java.util.Objects.requireNonNull(type, "type");
    if (page.cursor() != null) {
      try {
        Scope.user(page.cursor());
      } catch (InvalidRequestException e) {
        throw new InvalidRequestException("cursor", "cursor is not one this listing handed out");
      }
    }
    try (TenantHandles.Lease lease = mnemo.lease(tenant)) {
      return lease
          .store()
          .countByEntity(
              type,
              selection.scopeFilter(),
              selection.effectiveFilter(mnemo.clock().instant()),
              page);
    }
  }

  /**
   * Replaces a memory's text (re-embedding it); see {@link #update(String, String, Map,
   * Selection)}.
   */
  public MemoryEvent update(String id, String text) {
    return update(id, text, null, Selection.everywhere());
  }

  /**
   * Replaces the text (and, if given, the metadata) of a memory inside {@code selection}; appends
   * an UPDATE to its history. Unchanged text and metadata give a NONE event and write nothing.
   */
  public MemoryEvent update(
      String id,
      String text,
      @org.jspecify.annotations.Nullable Map<String, ?> metadata,
      Selection selection) {
    checkId(id);
    if (text == null || text.isBlank()) {
      throw new InvalidRequestException("text", "text must not be empty");
    }
    if (text.length() > Message.MAX_CONTENT_LENGTH) {
      throw new InvalidRequestException(
          "text", "text is longer than " + Message.MAX_CONTENT_LENGTH + " characters");
    }
    Map<String, Object> newMetadata = metadata == null ? null : Metadata.validate(metadata);
    Embedder embedder = mnemo.embedder();
    float[] vector = embedder.embed(text, Embedder.Purpose.DOCUMENT);
    try (TenantHandles.Lease lease = mnemo.lease(tenant)) {
      TenantStore store = lease.store();
      Memory current = visible(store, id, selection).orElseThrow(() -> notFound(id)).memory();
      return mnemo
          .scopeLocks()
          .locked(
              tenant.id(),
              store,
              current.scope(),
              () -> {
                StoredMemory stored = visible(store, id, selection).orElseThrow(() -> notFound(id));
                Memory before = stored.memory();
                Map<String, Object> md = newMetadata == null ? before.metadata() : newMetadata;
                if (before.text().equals(text) && before.metadata().equals(md)) {
                  return (MemoryEvent) new MemoryEvent.Unchanged(id, before.text(), "unchanged");
                }
                Instant now = mnemo.clock().instant();
                Versions.Superseded v =
                    Versions.supersede(mnemo, stored, text, vector, md, now, now, "api", null);
                store.write(new WriteBatch(v.changes(), v.history(), List.of()));
                return new MemoryEvent.Updated(id, text, before.text());
              });
    }
  }

  /** Deletes a memory anywhere in this tenant. */
  public MemoryEvent delete(String id) {
    return delete(id, Selection.everywhere());
  }

  /** Deletes a memory inside {@code selection}; its history is kept and gains a DELETE entry. */
  public MemoryEvent delete(String id, Selection selection) {
    checkId(id);
    try (TenantHandles.Lease lease = mnemo.lease(tenant)) {
      TenantStore store = lease.store();
      Memory current = visible(store, id, selection).orElseThrow(() -> notFound(id)).memory();
      return mnemo
          .scopeLocks()
          .locked(
              tenant.id(),
              store,
              current.scope(),
              () -> {
                Memory m = visible(store, id, selection).orElseThrow(() -> notFound(id)).memory();
                Instant now = mnemo.clock().instant();
                HistoryEntry h =
                    new HistoryEntry(
                        mnemo.newId(), id, EventType.DELETE, m.text(), null, "api", now);
                store.write(new WriteBatch(List.of(new Change.Remove(id)), List.of(h), List.of()));
                return new MemoryEvent.Deleted(id, m.text());
              });
    }
  }

  /**
   * Deletes every memory inside {@code scope} (all of a user, agent or run, including its narrower
   * scopes). A tenant-wide scope is refused: deleting everything needs {@link
   * #deleteAll(Wildcard)}. Returns how many were deleted.
   */
  public long deleteAll(Scope scope) {
    if (scope.isTenantWide()) {
      throw new InvalidRequestException(
          "scope",
          "delete-all needs a user_id, agent_id or run_id; "
              + "to delete every memory of the tenant pass the explicit wildcard '*'");
    }
    return deleteSelected(Selection.in(scope));
  }

  /**
   * Deletes every memory of this tenant, asked for with the explicit wildcard. Returns how many
   * were deleted.
   */
  public long deleteAll(Wildcard all) {
    return deleteSelected(Selection.everywhere());
  }

  private long deleteSelected(Selection selection) {
    return removeAll(selection.scopeFilter(), selection.filter(), "api", m -> null);
  }

  /**
   * Removes every memory passing both filters (closed versions included), 500 per batch, each with
   * a DELETE in its history by {@code actor} for {@code reason}; returns how many memories went,
   * not counting the closed versions that updates and contradictions leave behind (they are
   * history, not memories). Bulk removals of a tenant run one at a time, under the lock of the
   * tenant-wide scope, so two of them never both delete (and count, and log) the same memory.
   */
  private long removeAll(
      io.mnemo4j.spi.ScopeFilter scope,
      io.mnemo4j.filter.FilterExpr filter,
      String actor,
      java.util.function.Function<Memory, String> reason) {
    try (TenantHandles.Lease lease = mnemo.lease(tenant)) {
      TenantStore store = lease.store();
      return mnemo
          .scopeLocks()
          .locked(
              tenant.id(),
              store,
              Scope.tenantWide(),
              () -> {
                long deleted = 0;
                while (true) {
                  // Always read the first page: the previous batch's deletions moved the rest up.
                  Page<StoredMemory> page = store.list(scope, filter, PageRequest.first(500));
                  if (page.items().isEmpty()) {
                    return deleted;
                  }
                  Instant now = mnemo.clock().instant();
                  List<Change> changes = new ArrayList<>();
                  List<HistoryEntry> history = new ArrayList<>();
                  for (StoredMemory m : page.items()) {
                    changes.add(new Change.Remove(m.id()));
                    history.add(
                        new HistoryEntry(
                            mnemo.newId(),
                            m.id(),
                            EventType.DELETE,
                            m.memory().text(),
                            null,
                            actor,
                            now,
                            reason.apply(m.memory())));
                    if (Visibility.isOpen(m.memory(), now)) {
                      deleted++;
                    }
                  }
                  store.write(new WriteBatch(changes, history, List.of()));
                }
              });
    }
  }

  /**
   * The history of a memory in this tenant, oldest first; answers "not found" if the id never lived
   * here.
   */
  public List<HistoryEntry> history(String id) {
    return history(id, Selection.everywhere());
  }

  /**
   * The history of a memory inside {@code selection}, oldest first. A deleted memory's history
   * stays readable; its scope is then checked against the scope it had.
   */
  public List<HistoryEntry> history(String id, Selection selection) {
    checkId(id);
    try (TenantHandles.Lease lease = mnemo.lease(tenant)) {
      TenantStore store = lease.store();
      List<HistoryEntry> entries = store.history(id);
      if (entries.isEmpty()) {
        throw notFound(id);
      }
      if (!selection.wholeTenant()) {
        Optional<StoredMemory> live = store.get(id);
        boolean inScope =
            live.isPresent() ? selection.scopeFilter().test(live.get().memory().scope()) : false;
        if (!inScope) {
          // A deleted memory's scope is not kept in history rows; only whole-tenant callers may
          // read it.
          throw notFound(id);
        }
      }
      return entries;
    }
  }

  // ---- conversation windows: short-term chat history, kept verbatim beside the memories ----

  /**
   * The messages of a conversation window of this tenant, oldest first; empty when there is none.
   * Windows are keyed by conversation id only (no scope): a framework's chat memory id.
   */
  public List<ConversationMessage> conversation(String conversationId) {
    ConversationMessage.requireConversationId(conversationId);
    try (TenantHandles.Lease lease = mnemo.lease(tenant)) {
      return lease.store().conversation(conversationId);
    }
  }

  /**
   * Replaces a conversation window with {@code messages}, atomically and durably (an empty list
   * deletes it). The window is not searched and never becomes memories by itself; {@link #add} does
   * that. It lives in the tenant's store, goes with the tenant's purge, and is reachable only
   * through this tenant.
   */
  public void replaceConversation(String conversationId, List<ConversationMessage> messages) {
    ConversationMessage.requireConversationId(conversationId);
    List<ConversationMessage> copy = List.copyOf(messages);
    if (copy.size() > ConversationMessage.MAX_MESSAGES) {
      throw new InvalidRequestException(
          "messages",
          "a conversation window holds at most " + ConversationMessage.MAX_MESSAGES + " messages");
    }
    try (TenantHandles.Lease lease = mnemo.lease(tenant)) {
      lease.store().replaceConversation(conversationId, copy);
    }
  }

  /** Deletes a conversation window; nothing happens when there is none. */
  public void deleteConversation(String conversationId) {
    replaceConversation(conversationId, List.of());
  }

  /** One page of the ids of this tenant's conversation windows, in a stable order. */
  public Page<String> conversationIds(PageRequest page) {
    try (TenantHandles.Lease lease = mnemo.lease(tenant)) {
      return lease.store().conversationIds(page);
    }
  }

  /**
   * The earlier versions of a memory inside {@code selection}: the closed copies its text updates
   * kept (each ends, {@code valid_to}, where the next text began), oldest first. Empty when its
   * text never changed; "not found" exactly when {@link #history(String, Selection)} is.
   */
  public List<Memory> versions(String id, Selection selection) {
    List<String> kept =
        history(id, selection).stream()
            .map(Versions::keptVersionId)
            .flatMap(Optional::stream)
            .toList();
    if (kept.isEmpty()) {
      return List.of();
    }
    try (TenantHandles.Lease lease = mnemo.lease(tenant)) {
      return lease.store().getAll(kept).stream().map(StoredMemory::memory).toList();
    }
  }

  private static Optional<StoredMemory> visible(TenantStore store, String id, Selection selection) {
    return store
        .get(id)
        .filter(
            m ->
                selection.scopeFilter().test(m.memory().scope())
                    && io.mnemo4j.filter.FilterEvaluator.matches(selection.filter(), m.memory()));
  }

  private static void checkId(String id) {
    try {
      if (id == null || id.length() != 36) {
        throw new IllegalArgumentException();
      }
      UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("id", "memory id must be a UUID");
    }
  }

  private static NotFoundException notFound(String id) {
    return new NotFoundException("memory " + id + " not found");
  }

  /** The explicit wildcard that {@link #deleteAll(Wildcard)} requires. */
  public enum Wildcard {
    /** Every memory of the tenant. */
    ALL
  }
}
