package io.mnemo4j.store.embedded;

import io.mnemo4j.ConversationMessage;
import io.mnemo4j.EntityCount;
import io.mnemo4j.EntityType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Scope;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScopeGuard;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMemory;
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
 * Lucene allows); the engine closes with its last handle. Thread-safe.
 */
final class TenantHandle implements TenantStore {
  private final EmbeddedStore store;
  private final TenantEngine engine;
  private final AtomicBoolean closed = new AtomicBoolean();

  TenantHandle(EmbeddedStore store, TenantEngine engine) {
    this.store = store;
    this.engine = engine;
  }

  TenantEngine engine() {
    return engine;
  }

  private TenantEngine open() {
    if (closed.get()) {
      throw new StoreUnavailableException("tenant store '" + engine.tenant + "' is closed");
    }
    return engine;
  }

  @Override
  public Map<String, Integer> dimensions() {
    return open().dimensions();
  }

  @Override
  public void write(WriteBatch batch) {
    open().write(batch);
  }

  @Override
  public Optional<StoredMemory> get(String id) {
    return open().get(id);
  }

  @Override
  public List<StoredMemory> getAll(Collection<String> ids) {
    return open().getAll(ids);
  }

  @Override
  public Optional<StoredMemory> findByHash(Scope scope, String hash) {
    return open().findByHash(scope, hash);
  }

  @Override
  public Page<StoredMemory> list(ScopeFilter scope, FilterExpr filter, PageRequest page) {
    return open().list(scope, filter, page);
  }

  @Override
  public long count(ScopeFilter scope, FilterExpr filter) {
    return open().count(scope, filter);
  }

  @Override
  public Page<EntityCount> countByEntity(
      EntityType type, ScopeFilter scope, FilterExpr filter, PageRequest page) {
    return open().countByEntity(type, scope, filter, page);
  }

  @Override
  public List<ScoredId> vectorSearch(
      String model, float[] query, ScopeFilter scope, FilterExpr filter, int k) {
    return open().vectorSearch(model, query, scope, filter, k);
  }

  @Override
  public List<ScoredId> textSearch(String query, ScopeFilter scope, FilterExpr filter, int k) {
    return open().textSearch(query, scope, filter, k);
  }

  @Override
  public List<ScoredId> textScores(String query, Collection<String> ids) {
    return open().textScores(query, ids);
  }

  @Override
  public List<HistoryEntry> history(String memoryId) {
    return open().history(memoryId);
  }

  /**
   * Returns {@link ScopeGuard#NONE}: a tenant's directory is open in one process at a time (its
   * {@code tenant.lock} file lock, and Lucene's write lock on the index), so no writer in another
   * process can exist, and the core already serialises this process's writers to a scope.
   */
  @Override
  public ScopeGuard lockScope(Scope scope) {
    open();
    return ScopeGuard.NONE;
  }

  @Override
  public Optional<StoredEvent> event(String id) {
    return open().event(id);
  }

  @Override
  public Optional<StoredEvent> eventByIdempotencyKey(String key) {
    return open().eventByIdempotencyKey(key);
  }

  @Override
  public List<StoredEvent> events(Set<EventStatus> statuses, int limit) {
    return open().events(statuses, limit);
  }

  @Override
  public List<ConversationMessage> conversation(String conversationId) {
    return open().conversation(conversationId);
  }

  @Override
  public void replaceConversation(String conversationId, List<ConversationMessage> messages) {
    open().replaceConversation(conversationId, messages);
  }

  @Override
  public Page<String> conversationIds(PageRequest page) {
    return open().conversationIds(page);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      store.release(engine);
    }
  }
}
