package io.mnemo4j.internal.store;

import io.mnemo4j.ConversationMessage;
import io.mnemo4j.EntityCount;
import io.mnemo4j.EntityType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Scope;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.Change;
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
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place a tenant store's arguments are checked, around every store the core opens (after
 * Lucene's asserting codecs): nulls, positive limits, finite query vectors, one dimension per
 * embedding model, and use after close. A store can then trust what it is given; it keeps only the
 * checks that need its own state across processes. Thread-safe when the wrapped store is.
 */
public final class CheckedTenantStore implements TenantStore {
  private final TenantStore store;

  /**
   * Dimension of each embedding model in this tenant, seeded from the store and claimed atomically
   * by the first write of a new model, so two writers in this process cannot disagree.
   */
  private final Map<String, Integer> dimensions;

  private volatile boolean closed;

  /** Wraps {@code store}. */
  public CheckedTenantStore(TenantStore store) {
    this.store = Objects.requireNonNull(store, "store");
    this.dimensions = new ConcurrentHashMap<>(store.dimensions());
  }

  @Override
  public void write(WriteBatch batch) {
    ensureOpen();
    Objects.requireNonNull(batch, "batch");
    for (Change change : batch.changes()) {
      if (change instanceof Change.Put put && put.memory().embedding().length > 0) {
        checkDimension(put.memory());
      }
    }
    store.write(batch);
  }

  private void checkDimension(StoredMemory m) {
    String model = m.memory().embeddingModel();
    int length = m.embedding().length;
    Integer known = dimensions.putIfAbsent(model, length);
    if (known != null && known != length) {
      throw new InvalidRequestException(
          "embedding",
          "embedding model '"
              + model
              + "' has "
              + known
              + " dimensions in this tenant; memory "
              + m.id()
              + " has "
              + length);
    }
  }

  @Override
  public Map<String, Integer> dimensions() {
    ensureOpen();
    return Map.copyOf(dimensions);
  }

  @Override
  public Optional<StoredMemory> get(String id) {
    ensureOpen();
    return store.get(Objects.requireNonNull(id, "id"));
  }

  @Override
  public List<StoredMemory> getAll(Collection<String> ids) {
    ensureOpen();
    return store.getAll(List.copyOf(ids));
  }

  @Override
  public Optional<StoredMemory> findByHash(Scope scope, String hash) {
    ensureOpen();
    return store.findByHash(
        Objects.requireNonNull(scope, "scope"), Objects.requireNonNull(hash, "hash"));
  }

  @Override
  public Page<StoredMemory> list(ScopeFilter scope, FilterExpr filter, PageRequest page) {
    ensureOpen();
    return store.list(
        Objects.requireNonNull(scope, "scope"),
        Objects.requireNonNull(filter, "filter"),
        Objects.requireNonNull(page, "page"));
  }

  @Override
  public long count(ScopeFilter scope, FilterExpr filter) {
    ensureOpen();
    return store.count(
        Objects.requireNonNull(scope, "scope"), Objects.requireNonNull(filter, "filter"));
  }

  @Override
  public Page<EntityCount> countByEntity(
      EntityType type, ScopeFilter scope, FilterExpr filter, PageRequest page) {
    ensureOpen();
    return store.countByEntity(
        Objects.requireNonNull(type, "type"),
        Objects.requireNonNull(scope, "scope"),
        Objects.requireNonNull(filter, "filter"),
        Objects.requireNonNull(page, "page"));
  }

  @Override
  public List<ScoredId> vectorSearch(
      String model, float[] query, ScopeFilter scope, FilterExpr filter, int k) {
    ensureOpen();
    Objects.requireNonNull(model, "model");
    requirePositive(k);
    for (float f : query) {
      if (!Float.isFinite(f)) {
        throw new InvalidRequestException("query", "query vector is not finite");
      }
    }
    Integer dimension = dimensions.get(model);
    if (dimension != null && dimension != query.length) {
      throw new InvalidRequestException(
          "query",
          "query vector has "
              + query.length
              + " dimensions; model '"
              + model
              + "' has "
              + dimension
              + " in this tenant");
    }
    return store.vectorSearch(
        model,
        query,
        Objects.requireNonNull(scope, "scope"),
        Objects.requireNonNull(filter, "filter"),
        k);
  }

  @Override
  public List<ScoredId> textSearch(String query, ScopeFilter scope, FilterExpr filter, int k) {
    ensureOpen();
    requirePositive(k);
    return store.textSearch(
        Objects.requireNonNull(query, "query"),
        Objects.requireNonNull(scope, "scope"),
        Objects.requireNonNull(filter, "filter"),
        k);
  }

  @Override
  public List<ScoredId> textScores(String query, Collection<String> ids) {
    ensureOpen();
    return store.textScores(Objects.requireNonNull(query, "query"), List.copyOf(ids));
  }

  @Override
  public List<HistoryEntry> history(String memoryId) {
    ensureOpen();
    return store.history(Objects.requireNonNull(memoryId, "memoryId"));
  }

  @Override
  public ScopeGuard lockScope(Scope scope) {
    ensureOpen();
    return store.lockScope(Objects.requireNonNull(scope, "scope"));
  }

  @Override
  public Optional<StoredEvent> event(String id) {
    ensureOpen();
    return store.event(Objects.requireNonNull(id, "id"));
  }

  @Override
  public Optional<StoredEvent> eventByIdempotencyKey(String key) {
    ensureOpen();
    return store.eventByIdempotencyKey(Objects.requireNonNull(key, "key"));
  }

  @Override
  public List<StoredEvent> events(Set<EventStatus> statuses, int limit) {
    ensureOpen();
    if (limit < 1) {
      throw new InvalidRequestException("limit", "limit must be at least 1, got " + limit);
    }
    return store.events(Set.copyOf(statuses), limit);
  }

  @Override
  public List<ConversationMessage> conversation(String conversationId) {
    ensureOpen();
    return store.conversation(ConversationMessage.requireConversationId(conversationId));
  }

  @Override
  public void replaceConversation(String conversationId, List<ConversationMessage> messages) {
    ensureOpen();
    store.replaceConversation(
        ConversationMessage.requireConversationId(conversationId), List.copyOf(messages));
  }

  @Override
  public Page<String> conversationIds(PageRequest page) {
    ensureOpen();
    return store.conversationIds(Objects.requireNonNull(page, "page"));
  }

  @Override
  public void close() {
    closed = true;
    store.close();
  }

  private void ensureOpen() {
    if (closed) {
      throw new StoreUnavailableException("this tenant store is closed");
    }
  }

  private static void requirePositive(int k) {
    if (k < 1) {
      throw new InvalidRequestException("k", "k must be at least 1, got " + k);
    }
  }
}
