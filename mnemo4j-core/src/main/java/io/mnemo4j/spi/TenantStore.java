package io.mnemo4j.spi;

import io.mnemo4j.ConversationMessage;
import io.mnemo4j.EntityCount;
import io.mnemo4j.EntityType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Scope;
import io.mnemo4j.filter.FilterExpr;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One tenant's namespace in a store. It can reach nothing outside that namespace: no method takes a
 * tenant id. Implementations must be thread-safe; callers serialise writes to one scope themselves
 * (the core does), but reads and writes may arrive from many threads at once.
 *
 * <p>A store that hits an unrecoverable I/O error closes itself; every later call then throws
 * {@link io.mnemo4j.StoreUnavailableException} carrying the original cause.
 *
 * <p>The core calls a store only through a checking wrapper: arguments are non-null, limits
 * positive, query vectors finite, and nothing arrives after {@link #close}; a store need not check
 * these again. The wrapper also keeps every vector of a model at one dimension, but only as far as
 * it knows: the dimensions {@link #dimensions} reported when the store was opened and those written
 * through it. A tenant that another open store of the same namespace or another process may write
 * meanwhile must keep that rule itself, atomically with its writes.
 */
public interface TenantStore extends AutoCloseable {
  /**
   * The dimension of each embedding model this tenant holds vectors of, as the store recorded it
   * (the core checks vectors against it before a write or a search reaches the store).
   */
  java.util.Map<String, Integer> dimensions();

  /** Applies the batch atomically and durably (see {@link WriteBatch}). */
  void write(WriteBatch batch);

  /** The memory with this id, if it exists in this tenant. */
  Optional<StoredMemory> get(String id);

  /**
   * The memories with these ids that exist, in the order of {@code ids}; missing ids are skipped.
   */
  List<StoredMemory> getAll(Collection<String> ids);

  /**
   * A memory whose scope equals {@code scope} exactly and whose text hash is {@code hash}, if any.
   */
  Optional<StoredMemory> findByHash(Scope scope, String hash);

  /**
   * The candidates of one add's duplicate checks, one per probe and aligned with {@code probes}:
   * for each, what {@link #findByHash}{@code (scope, hash)} answers and what {@link
   * #vectorSearch}{@code (model, vector, new ScopeFilter.Exact(scope), new FilterExpr.All(), k)}
   * answers, as one read of the tenant would see them. The default asks those two methods in turn;
   * a store that pays per round trip answers every probe of the add at once.
   */
  default List<DuplicateCandidates> duplicateCandidates(
      Scope scope, String model, List<DuplicateProbe> probes, int k) {
    ScopeFilter exact = new ScopeFilter.Exact(scope);
    List<DuplicateCandidates> out = new java.util.ArrayList<>(probes.size());
    for (DuplicateProbe p : probes) {
      out.add(
          new DuplicateCandidates(
              findByHash(scope, p.hash()),
              vectorSearch(model, p.vector(), exact, new FilterExpr.All(), k)));
    }
    return out;
  }

  /**
   * {@link #duplicateCandidates(Scope, String, List, int)} keeping, of each probe's nearest
   * memories, only those scoring at least {@code minScore}: an add asks only for the candidates its
   * near-duplicate threshold can nominate, so a store may skip ranking the rest (most rows, in a
   * growing conversation). The default filters the full answer.
   */
  default List<DuplicateCandidates> duplicateCandidates(
      Scope scope, String model, List<DuplicateProbe> probes, int k, double minScore) {
    return duplicateCandidates(scope, model, probes, k).stream()
        .map(c -> c.scoringAtLeast(minScore))
        .toList();
  }

  /**
   * Memories passing both filters in ascending id order (UUIDv7 ids make that creation order),
   * starting after the request's cursor, which is the last id of the previous page.
   */
  Page<StoredMemory> list(ScopeFilter scope, FilterExpr filter, PageRequest page);

  /** How many memories pass both filters. */
  long count(ScopeFilter scope, FilterExpr filter);

  /**
   * How many memories passing both filters carry each distinct id of one kind ({@code user_id},
   * {@code agent_id} or {@code run_id}), one page in ascending order of the ids' Unicode code
   * points (UTF-8 byte order), starting after the request's cursor, which is the last id of the
   * previous page. Memories without an id of that kind are not counted, and ids no passing memory
   * carries are left out (every count is at least 1).
   */
  Page<EntityCount> countByEntity(
      EntityType type, ScopeFilter scope, FilterExpr filter, PageRequest page);

  /**
   * The {@code k} nearest memories by cosine similarity among those embedded by {@code model} that
   * pass both filters (pre-filtered: the filters restrict the candidates, they do not prune a fixed
   * top-k afterwards). Best first.
   */
  List<ScoredId> vectorSearch(
      String model, float[] query, ScopeFilter scope, FilterExpr filter, int k);

  /**
   * The {@code k} best memories by full-text relevance that pass both filters, best first (ties by
   * id). Only memories that match at least one query term are returned.
   *
   * <p>The contract of a text score, which hybrid search relies on to make a hit's score mean
   * relevance: it is in [0, 1] and depends only on the query, the memory and this tenant's own
   * collection (term statistics such as document frequencies over all of the tenant's memories),
   * never on {@code scope}, {@code filter}, {@code k} or which other memories match. The same
   * memory gets the same score for the same query in every call, also from {@link #textScores}; 1
   * means the memory holds every query term the collection knows, 0 that it holds none.
   */
  List<ScoredId> textSearch(String query, ScopeFilter scope, FilterExpr filter, int k);

  /**
   * The text scores of those of {@code ids} that exist in this tenant and match at least one query
   * term, on the scale of {@link #textSearch} (identical scores for the same memory and query), in
   * no particular order. Hybrid search asks for the memories that the dense ranker found but the
   * text ranker left out, so that every hit's score is exact. Scope and filters do not apply: the
   * caller has already selected these ids.
   */
  List<ScoredId> textScores(String query, Collection<String> ids);

  /**
   * The memories written by the same add as each of {@code ids}: those with its scope and its
   * creation time, up to {@code span} before and {@code span} after it in id order (the order of
   * the add's messages), whatever their visibility, each with its vector and actor. Hybrid search
   * lifts a memory by the relevance of its neighbours in the conversation, so this depends only on
   * the collection; it asks once per window of candidates, so a store should answer in one
   * statement. An id that does not exist here maps to nothing; one without neighbours maps to an
   * empty list.
   */
  java.util.Map<String, List<AddNeighbour>> addNeighbours(Collection<String> ids, int span);

  /**
   * The history of a memory, oldest first; empty if it never existed here. History outlives
   * deletion.
   */
  List<HistoryEntry> history(String memoryId);

  /**
   * Locks one exact scope of this tenant against writers in other processes sharing the store,
   * until the guard is closed or a {@link #write} made by the same thread while holding it commits
   * (the lock may be tied to that write's transaction, so it is released exactly when the write
   * becomes visible). In-process writers are serialised by the core before this is called. Stores
   * only one process can open return {@link ScopeGuard#NONE}. A store may take the lock with the
   * thread's first statement under the guard rather than at once (sparing a round trip), as long as
   * it holds it before anything the thread reads or writes under the guard.
   */
  ScopeGuard lockScope(Scope scope);

  /** The operation record with this id, if any. */
  Optional<StoredEvent> event(String id);

  /** The operation record holding this idempotency key, if any. */
  Optional<StoredEvent> eventByIdempotencyKey(String key);

  /**
   * Operation records in any of these statuses, oldest first (by creation time, then id), at most
   * {@code limit}: what a restart resumes.
   */
  List<StoredEvent> events(Set<EventStatus> statuses, int limit);

  /**
   * The messages of one conversation window of this tenant, in the order they were given; empty
   * when the tenant has no window of that id.
   */
  List<ConversationMessage> conversation(String conversationId);

  /**
   * Replaces a conversation window with {@code messages}, atomically and durably; an empty list
   * deletes the window. Replacing one window never touches another, nor any memory.
   */
  void replaceConversation(String conversationId, List<ConversationMessage> messages);

  /**
   * The ids of this tenant's conversation windows in a stable ascending order the store chooses,
   * starting after the request's cursor, which is the last id of the previous page.
   */
  Page<String> conversationIds(PageRequest page);

  /**
   * One page of every history row of this tenant in append order (the order {@link #history} gives
   * per memory), starting after the request's cursor, an opaque text this store handed out as the
   * previous page's next cursor. For export: a tenant's history in bounded memory.
   */
  Page<HistoryEntry> exportHistory(PageRequest page);

  /**
   * One page of this tenant's raw messages in ascending id order, starting after the request's
   * cursor, which is the last id of the previous page. For export.
   */
  Page<StoredMessage> exportMessages(PageRequest page);

  /**
   * One page of this tenant's operation records in ascending id order, whatever their status,
   * starting after the request's cursor, which is the last id of the previous page. For export.
   */
  Page<StoredEvent> exportEvents(PageRequest page);

  // ---- raw messages, for provenance and erasure

  /** The raw messages with these ids that exist in this tenant, in ascending id order. */
  List<StoredMessage> messages(Collection<String> ids);

  /**
   * The raw messages added with this run id (in any user or agent scope), in ascending id order.
   */
  List<StoredMessage> messagesOfRun(String runId);

  /**
   * The memories, closed versions included, whose provenance names at least one of these message
   * ids, in ascending id order.
   */
  List<StoredMemory> derivedFrom(Collection<String> messageIds);

  /**
   * Applies {@code batch} and deletes the raw messages with these ids, atomically and durably as
   * {@link #write} does; returns how many messages it deleted (ids that do not exist are skipped).
   */
  long eraseMessages(Collection<String> messageIds, WriteBatch batch);

  // ---- changing the embedding model: a second vector slot, switched atomically

  /**
   * Keeps vectors of another embedding model beside the memories' own, in a second slot that no
   * search reads, by memory id; a vector of that model already kept for a memory is replaced, and
   * ids of memories that do not exist are skipped. Durable when it returns.
   */
  void putVectors(String model, java.util.Map<String, float[]> vectors);

  /** How many memories have a vector of {@code model} in the second slot. */
  long countVectors(String model);

  /**
   * In one atomic step, makes every second-slot vector of {@code model} its memory's own embedding
   * (its {@code embeddingModel} becomes {@code model}; nothing else of the memory changes) and
   * empties the second slot of every model; searches see either none or all of the switch. Memories
   * without a vector of {@code model} keep theirs. Returns how many memories switched.
   */
  long switchModel(String model);

  /** Closes files or connections. Idempotent. */
  @Override
  void close();
}
