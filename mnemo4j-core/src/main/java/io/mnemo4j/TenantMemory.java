package io.mnemo4j;

import io.mnemo4j.internal.Engine;
import io.mnemo4j.internal.Reads;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The memory of exactly one tenant: the only door into a tenant's namespace. No method takes a
 * second tenant id. Operations by memory id check that the id lives in this tenant and in the given
 * selection, and answer "not found" otherwise. A thin facade over the ingest, search and read
 * pipelines. Thread-safe.
 */
public final class TenantMemory {
  private final Engine engine;
  private final TenantInfo tenant;

  TenantMemory(Engine engine, TenantInfo tenant) {
    this.engine = engine;
    this.tenant = tenant;
  }

  /** The tenant this object serves. */
  public TenantInfo info() {
    return tenant;
  }

  // ---- adding ----

  /** Stores the messages in {@code scope}; see {@link #add(List, Scope, AddOptions)}. */
  public List<MemoryEvent> add(List<Message> messages, Scope scope) {
    return add(messages, scope, AddOptions.none());
  }

  /** Adds and returns only the events; see {@link #ingest}. */
  public List<MemoryEvent> add(List<Message> messages, Scope scope, AddOptions options) {
    return ingest(messages, scope, options).events();
  }

  /**
   * Remembers a conversation turn in {@code scope}. Without a language model (or with {@code infer}
   * off) each message becomes a memory verbatim unless a memory of that exact scope carries the
   * same information (event NONE). With a model, facts are extracted and consolidated with what the
   * scope holds (or, for {@code procedural}, one procedure is stored); if the model fails or is
   * missing while asked for, what the user said is stored verbatim and the result says so.
   * Concurrent adds to one scope are serialised; an idempotency key makes a retry return the first
   * result. Acknowledged means durable.
   */
  public AddResult ingest(List<Message> messages, Scope scope, AddOptions options) {
    return engine.adds().add(tenant, List.copyOf(messages), scope, options, null);
  }

  /**
   * Queues an add and returns at once with its PENDING status; poll {@link #addStatus}. The queue
   * lives in the tenant's store and survives a restart. Throws {@link OverloadedException} when too
   * much is queued.
   */
  public AddStatus addAsync(List<Message> messages, Scope scope, AddOptions options) {
    return engine.async().submit(tenant, List.copyOf(messages), scope, options);
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
    Reads.checkId(eventId);
    return engine
        .async()
        .status(tenant, eventId)
        .filter(s -> selection.wholeTenant() || selection.scopeFilter().test(s.scope()));
  }

  // ---- searching and reading ----

  /** Ranked memories relevant to {@code query} within the search's selection. */
  public List<Hit> search(String query, Search options) {
    return engine.search().search(tenant, query, options);
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
    return engine.reads().get(tenant, id, selection);
  }

  /**
   * One page of the memories inside {@code selection}, in creation order. Expired and closed
   * memories are left out unless the selection asks for them.
   */
  public Page<Memory> getAll(Selection selection, PageRequest page) {
    return engine.reads().page(tenant, selection, page);
  }

  /**
   * How many memories are inside {@code selection} (closed and expired ones not counted, unless the
   * selection looks at the past or asks for them).
   */
  public long count(Selection selection) {
    return engine.reads().count(tenant, selection);
  }

  /**
   * One page of the users, agents or runs that memories inside {@code selection} carry, each with
   * how many of those memories carry it, in ascending id order (Unicode code points). Memories
   * without an id of that kind are not counted. {@code page.cursor()} is the last id of the
   * previous page. Reads counts from the store's index: it never loads the memories.
   */
  public Page<EntityCount> entities(EntityType type, Selection selection, PageRequest page) {
    return engine.reads().entities(tenant, type, selection, page);
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
   * stays readable to whole-tenant callers.
   */
  public List<HistoryEntry> history(String id, Selection selection) {
    return engine.reads().history(tenant, id, selection);
  }

  /**
   * The earlier versions of a memory inside {@code selection}: the closed copies its text updates
   * kept (each ends, {@code valid_to}, where the next text began), oldest first. Empty when its
   * text never changed; "not found" exactly when {@link #history(String, Selection)} is.
   */
  public List<Memory> versions(String id, Selection selection) {
    return engine.reads().versions(tenant, id, selection);
  }

  // ---- changing and deleting ----

  /**
   * Replaces a memory's text (re-embedding it); see {@link #update(String, String, Map,
   * Selection)}.
   */
  public MemoryEvent update(String id, String text) {
    return update(id, text, null, Selection.everywhere());
  }

  /**
   * Replaces the text (and, if given, the metadata) of a memory inside {@code selection}; appends
   * an UPDATE to its history and keeps the old text as a closed version. Unchanged text and
   * metadata give a NONE event and write nothing.
   */
  public MemoryEvent update(
      String id, String text, @Nullable Map<String, ?> metadata, Selection selection) {
    return engine.edits().update(tenant, id, text, metadata, selection);
  }

  /** Deletes a memory anywhere in this tenant. */
  public MemoryEvent delete(String id) {
    return delete(id, Selection.everywhere());
  }

  /** Deletes a memory inside {@code selection}; its history is kept and gains a DELETE entry. */
  public MemoryEvent delete(String id, Selection selection) {
    return engine.edits().delete(tenant, id, selection);
  }

  /**
   * Deletes every memory inside {@code scope} (all of a user, agent or run, including its narrower
   * scopes), with the closed versions they left. A tenant-wide scope is refused: deleting
   * everything needs {@link #deleteAll(Wildcard)}. Returns how many memories were deleted (closed
   * versions not counted).
   */
  public long deleteAll(Scope scope) {
    if (scope.isTenantWide()) {
      throw new InvalidRequestException(
          "scope",
          "delete-all needs a user_id, agent_id or run_id; "
              + "to delete every memory of the tenant pass the explicit wildcard '*'");
    }
    return engine.edits().deleteAll(tenant, Selection.in(scope));
  }

  /**
   * Deletes every memory of this tenant, asked for with the explicit wildcard. Returns how many
   * were deleted.
   */
  public long deleteAll(Wildcard all) {
    return engine.edits().deleteAll(tenant, Selection.everywhere());
  }

  /**
   * Deletes the memories of this tenant that expired more than {@code grace} ago, each with a
   * DELETE in its history; returns how many.
   */
  public long sweepExpired(Duration grace) {
    return engine.edits().sweepExpired(tenant, grace);
  }

  // ---- erasing a conversation: raw messages and what came only from them

  /** Erases a raw message anywhere in this tenant; see {@link #eraseMessage(String, Selection)}. */
  public ErasureReceipt eraseMessage(String messageId) {
    return eraseMessage(messageId, Selection.everywhere());
  }

  /**
   * Deletes the raw message with this id (a {@link Memory.Provenance#messageIds() provenance} id)
   * if it lies inside {@code selection}'s scope, and every memory that came only from it (others
   * that also came from it keep their text, and their provenance drops the id). Nothing is
   * re-derived. Each deleted memory gets a DELETE history row giving the reason, and its earlier
   * history rows lose their text. Answers "not found" for a message of another scope or tenant.
   */
  public ErasureReceipt eraseMessage(String messageId, Selection selection) {
    return engine.erasure().eraseMessage(tenant, messageId, selection);
  }

  /**
   * Erases a run's raw messages anywhere in this tenant; see {@link #eraseRun(String, Selection)}.
   */
  public ErasureReceipt eraseRun(String runId) {
    return eraseRun(runId, Selection.everywhere());
  }

  /**
   * Erases every raw message added with {@code runId} inside {@code selection}'s scope, as {@link
   * #eraseMessage(String, Selection)} erases one: one conversation gone, with what came only from
   * it. A run with no messages there erases nothing.
   */
  public ErasureReceipt eraseRun(String runId, Selection selection) {
    return engine.erasure().eraseRun(tenant, runId, selection);
  }

  // ---- conversation windows: short-term chat history, kept verbatim beside the memories ----

  /**
   * The messages of a conversation window of this tenant, oldest first; empty when there is none.
   * Windows are keyed by conversation id only (no scope): a framework's chat memory id.
   */
  public List<ConversationMessage> conversation(String conversationId) {
    return engine.reads().conversation(tenant, conversationId);
  }

  /**
   * Replaces a conversation window with {@code messages}, atomically and durably (an empty list
   * deletes it). The window is not searched and never becomes memories by itself; {@link #add} does
   * that. It lives in the tenant's store, goes with the tenant's purge, and is reachable only
   * through this tenant.
   */
  public void replaceConversation(String conversationId, List<ConversationMessage> messages) {
    engine.edits().replaceConversation(tenant, conversationId, messages);
  }

  /** Deletes a conversation window; nothing happens when there is none. */
  public void deleteConversation(String conversationId) {
    replaceConversation(conversationId, List.of());
  }

  /** One page of the ids of this tenant's conversation windows, in a stable order. */
  public Page<String> conversationIds(PageRequest page) {
    return engine.reads().conversationIds(tenant, page);
  }

  /** The explicit wildcard that {@link #deleteAll(Wildcard)} requires. */
  public enum Wildcard {
    /** Every memory of the tenant. */
    ALL
  }
}
