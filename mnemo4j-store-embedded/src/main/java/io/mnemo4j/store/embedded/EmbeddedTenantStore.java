package io.mnemo4j.store.embedded;

import io.mnemo4j.ConversationMessage;
import io.mnemo4j.EntityCount;
import io.mnemo4j.EntityType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Scope;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.DuplicateCandidates;
import io.mnemo4j.spi.DuplicateProbe;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScopeGuard;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.StoredMessage;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What {@link EmbeddedStore#open} hands out: a closeable view of the tenant's shared {@link
 * TenantEngine}. Two opens of one tenant share the engine (one Lucene writer per directory is all
 * Lucene allows); the engine closes with its last handle. Calls after {@link #close} are refused by
 * the core's checking wrapper, not here: a handle passes every call to the engine, which refuses
 * calls once it is closed itself. Thread-safe.
 */
final class EmbeddedTenantStore implements TenantStore {
  private final EmbeddedStore store;
  private final TenantEngine engine;
  private final AtomicBoolean closed = new AtomicBoolean();

  EmbeddedTenantStore(EmbeddedStore store, TenantEngine engine) {
    this.store = store;
    this.engine = engine;
  }

  /** The engine this handle views (the store's bookkeeping counts handles per engine). */
  TenantEngine engine() {
    return engine;
  }

  @Override
  public Map<String, Integer> dimensions() {
    return engine.dimensions();
  }

  @Override
  public void write(WriteBatch batch) {
    engine.write(batch);
  }

  @Override
  public Optional<StoredMemory> get(String id) {
    return engine.get(id);
  }

  @Override
  public List<StoredMemory> getAll(Collection<String> ids) {
    return engine.getAll(ids);
  }

  @Override
  public Optional<StoredMemory> findByHash(Scope scope, String hash) {
    return engine.findByHash(scope, hash);
  }

  @Override
  public List<DuplicateCandidates> duplicateCandidates(
      Scope scope, String model, List<DuplicateProbe> probes, int k) {
    return engine.duplicateCandidates(scope, model, probes, k);
  }

  @Override
  public Page<StoredMemory> list(ScopeFilter scope, FilterExpr filter, PageRequest page) {
    return engine.list(scope, filter, page);
  }

  @Override
  public long count(ScopeFilter scope, FilterExpr filter) {
    return engine.count(scope, filter);
  }

  @Override
  public Page<EntityCount> countByEntity(
      EntityType type, ScopeFilter scope, FilterExpr filter, PageRequest page) {
    return engine.countByEntity(type, scope, filter, page);
  }

  @Override
  public List<ScoredId> vectorSearch(
      String model, float[] query, ScopeFilter scope, FilterExpr filter, int k) {
    return engine.vectorSearch(model, query, scope, filter, k);
  }

  @Override
  public List<ScoredId> textSearch(String query, ScopeFilter scope, FilterExpr filter, int k) {
    return engine.textSearch(query, scope, filter, k);
  }

  @Override
  public List<ScoredId> textScores(String query, Collection<String> ids) {
    return engine.textScores(query, ids);
  }

  @Override
  public Map<String, List<io.mnemo4j.spi.AddNeighbour>> addNeighbours(
      Collection<String> ids, int span) {
    return engine.addNeighbours(ids, span);
  }

  @Override
  public List<HistoryEntry> history(String memoryId) {
    return engine.history(memoryId);
  }

  /**
   * Returns {@link ScopeGuard#NONE}: a tenant's directory is open in one process at a time (its
   * {@code tenant.lock} file lock, and Lucene's write lock on the index), so no writer in another
   * process can exist, and the core already serialises this process's writers to a scope.
   */
  @Override
  public ScopeGuard lockScope(Scope scope) {
    return ScopeGuard.NONE;
  }

  @Override
  public Optional<StoredEvent> event(String id) {
    return engine.event(id);
  }

  @Override
  public Optional<StoredEvent> eventByIdempotencyKey(String key) {
    return engine.eventByIdempotencyKey(key);
  }

  @Override
  public List<StoredEvent> events(Set<EventStatus> statuses, int limit) {
    return engine.events(statuses, limit);
  }

  @Override
  public List<ConversationMessage> conversation(String conversationId) {
    return engine.conversation(conversationId);
  }

  @Override
  public void replaceConversation(String conversationId, List<ConversationMessage> messages) {
    engine.replaceConversation(conversationId, messages);
  }

  @Override
  public Page<String> conversationIds(PageRequest page) {
    return engine.conversationIds(page);
  }

  @Override
  public Page<HistoryEntry> exportHistory(PageRequest page) {
    return engine.exportHistory(page);
  }

  @Override
  public Page<io.mnemo4j.spi.StoredMessage> exportMessages(PageRequest page) {
    return engine.exportMessages(page);
  }

  @Override
  public Page<StoredEvent> exportEvents(PageRequest page) {
    return engine.exportEvents(page);
  }

  @Override
  public List<StoredMessage> messages(Collection<String> ids) {
    return engine.messages(ids);
  }

  @Override
  public List<StoredMessage> messagesOfRun(String runId) {
    return engine.messagesOfRun(runId);
  }

  @Override
  public List<StoredMemory> derivedFrom(Collection<String> messageIds) {
    return engine.derivedFrom(messageIds);
  }

  @Override
  public long eraseMessages(Collection<String> messageIds, WriteBatch batch) {
    return engine.eraseMessages(List.copyOf(messageIds), batch);
  }

  @Override
  public void putVectors(String model, Map<String, float[]> vectors) {
    engine.putVectors(model, vectors);
  }

  @Override
  public long countVectors(String model) {
    return engine.countVectors(model);
  }

  @Override
  public long switchModel(String model) {
    return engine.switchModel(model);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      store.release(this);
    }
  }
}
