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
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The one place a tenant store's arguments are checked, around every store the core opens (after
 * Lucene's asserting codecs): nulls, positive limits, finite query vectors, one dimension per
 * embedding model, and use after close. A store can then trust what it is given; it keeps only the
 * checks that need its own state, such as the dimension of a model that another handle of the same
 * tenant or another process introduced, which this wrapper has not seen (see {@link
 * ModelDimensions}). Thread-safe when the wrapped store is.
 */
public final class CheckedTenantStore implements TenantStore {
  private final TenantStore store;

  /**
   * Dimension of each embedding model in this tenant, seeded from the store and learnt from every
   * write that succeeds through this wrapper.
   */
  private final ModelDimensions dimensions;

  private volatile boolean closed;

  /** The embedder whose vectors writes also keep in the second slot, or null (a re-embedding). */
  private final java.util.function.Supplier<
          io.mnemo4j.spi.@org.jspecify.annotations.Nullable Embedder>
      mirror;

  /** Runs before every write; throws while the tenant is closed to writes (a move). */
  private final Runnable writeGate;

  /** Wraps {@code store}. */
  public CheckedTenantStore(TenantStore store) {
    this(store, () -> null);
  }

  /**
   * Wraps {@code store}; while {@code mirror} supplies an embedder, every memory a write puts with
   * another model also gets that embedder's vector of its text in the second slot ({@link
   * #putVectors}), right after the write.
   */
  public CheckedTenantStore(
      TenantStore store,
      java.util.function.Supplier<io.mnemo4j.spi.@org.jspecify.annotations.Nullable Embedder>
          mirror) {
    this(store, mirror, () -> {});
  }

  /**
   * Wraps {@code store} as {@link #CheckedTenantStore(TenantStore, java.util.function.Supplier)}
   * does; {@code writeGate} runs before every write and throws (a retriable {@link
   * io.mnemo4j.StoreUnavailableException}) while the tenant may not be written, leaving the store
   * untouched.
   */
  public CheckedTenantStore(
      TenantStore store,
      java.util.function.Supplier<io.mnemo4j.spi.@org.jspecify.annotations.Nullable Embedder>
          mirror,
      Runnable writeGate) {
    this.store = Objects.requireNonNull(store, "store");
    this.dimensions = new ModelDimensions(store.dimensions());
    this.mirror = Objects.requireNonNull(mirror, "mirror");
    this.writeGate = Objects.requireNonNull(writeGate, "writeGate");
  }

  /**
   * Refuses a vector of another dimension than its model's before the store sees the batch; the
   * models a batch introduces are learnt only once the store has written it, so a refused or failed
   * write never teaches this wrapper a wrong dimension.
   */
  @Override
  public void write(WriteBatch batch) {
    ensureOpen();
    writeGate.run();
    Map<String, Integer> introduced = dimensions.check(Objects.requireNonNull(batch, "batch"));
    store.write(batch);
    dimensions.record(introduced);
    mirror(batch);
  }

  /**
   * Gives the batch's new or changed memories the re-embedding model's vectors too. After the
   * write, not with it: a crash between the two leaves a memory with its old vector only, which the
   * re-embedding's last pass finds and embeds.
   */
  private void mirror(WriteBatch batch) {
    io.mnemo4j.spi.Embedder next = mirror.get();
    if (next == null) {
      return;
    }
    List<String> ids = new java.util.ArrayList<>();
    List<String> texts = new java.util.ArrayList<>();
    for (io.mnemo4j.spi.Change c : batch.changes()) {
      if (c instanceof io.mnemo4j.spi.Change.Put p
          && !p.memory().memory().embeddingModel().equals(next.modelId())) {
        ids.add(p.memory().id());
        texts.add(p.memory().memory().text());
      }
    }
    if (ids.isEmpty()) {
      return;
    }
    List<float[]> vectors = next.embedAll(texts, io.mnemo4j.spi.Embedder.Purpose.DOCUMENT);
    Map<String, float[]> byId = new java.util.HashMap<>();
    for (int i = 0; i < ids.size(); i++) {
      byId.put(ids.get(i), vectors.get(i));
    }
    store.putVectors(next.modelId(), byId);
  }

  @Override
  public Map<String, Integer> dimensions() {
    ensureOpen();
    return dimensions.asMap();
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
  public List<DuplicateCandidates> duplicateCandidates(
      Scope scope, String model, List<DuplicateProbe> probes, int k) {
    checkProbes(scope, model, probes, k);
    return store.duplicateCandidates(scope, model, List.copyOf(probes), k);
  }

  @Override
  public List<DuplicateCandidates> duplicateCandidates(
      Scope scope, String model, List<DuplicateProbe> probes, int k, double minScore) {
    checkProbes(scope, model, probes, k);
    if (Double.isNaN(minScore)) {
      throw new InvalidRequestException("minScore", "minScore is not a number");
    }
    return store.duplicateCandidates(scope, model, List.copyOf(probes), k, minScore);
  }

  private void checkProbes(Scope scope, String model, List<DuplicateProbe> probes, int k) {
    ensureOpen();
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(model, "model");
    requirePositive(k);
    OptionalInt dimension = dimensions.of(model);
    for (DuplicateProbe p : probes) {
      for (float f : p.vector()) {
        if (!Float.isFinite(f)) {
          throw new InvalidRequestException("query", "query vector is not finite");
        }
      }
      if (dimension.isPresent()) {
        ModelDimensions.checkQuery(model, dimension.getAsInt(), p.vector());
      }
    }
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
    OptionalInt dimension = dimensions.of(model);
    if (dimension.isPresent()) {
      ModelDimensions.checkQuery(model, dimension.getAsInt(), query);
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
  public java.util.Map<String, List<io.mnemo4j.spi.AddNeighbour>> addNeighbours(
      Collection<String> ids, int span) {
    ensureOpen();
    if (span < 0) {
      throw new IllegalArgumentException("span must not be negative: " + span);
    }
    return store.addNeighbours(List.copyOf(ids), span);
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
    writeGate.run();
    store.replaceConversation(
        ConversationMessage.requireConversationId(conversationId), List.copyOf(messages));
  }

  @Override
  public Page<String> conversationIds(PageRequest page) {
    ensureOpen();
    return store.conversationIds(Objects.requireNonNull(page, "page"));
  }

  @Override
  public Page<HistoryEntry> exportHistory(PageRequest page) {
    ensureOpen();
    return store.exportHistory(Objects.requireNonNull(page, "page"));
  }

  @Override
  public Page<io.mnemo4j.spi.StoredMessage> exportMessages(PageRequest page) {
    ensureOpen();
    return store.exportMessages(Objects.requireNonNull(page, "page"));
  }

  @Override
  public Page<StoredEvent> exportEvents(PageRequest page) {
    ensureOpen();
    return store.exportEvents(Objects.requireNonNull(page, "page"));
  }

  @Override
  public List<StoredMessage> messages(Collection<String> ids) {
    ensureOpen();
    return store.messages(List.copyOf(ids));
  }

  @Override
  public List<StoredMessage> messagesOfRun(String runId) {
    ensureOpen();
    return store.messagesOfRun(Objects.requireNonNull(runId, "runId"));
  }

  @Override
  public List<StoredMemory> derivedFrom(Collection<String> messageIds) {
    ensureOpen();
    return store.derivedFrom(List.copyOf(messageIds));
  }

  /** Checks the batch's vectors as {@link #write} does. */
  @Override
  public long eraseMessages(Collection<String> messageIds, WriteBatch batch) {
    ensureOpen();
    writeGate.run();
    Map<String, Integer> introduced = dimensions.check(Objects.requireNonNull(batch, "batch"));
    long erased = store.eraseMessages(List.copyOf(messageIds), batch);
    dimensions.record(introduced);
    return erased;
  }

  /** Checks that every vector of the model has the model's one dimension, and finite values. */
  @Override
  public void putVectors(String model, Map<String, float[]> vectors) {
    ensureOpen();
    writeGate.run();
    Objects.requireNonNull(model, "model");
    Map<String, float[]> copy = Map.copyOf(vectors);
    OptionalInt known = dimensions.of(model);
    int dimension = -1;
    for (float[] v : copy.values()) {
      int expected = known.isPresent() ? known.getAsInt() : dimension;
      if (v.length == 0 || (expected > 0 && v.length != expected)) {
        throw new InvalidRequestException(
            "vectors", "vectors of model " + model + " must all have one non-zero dimension");
      }
      dimension = v.length;
    }
    store.putVectors(model, copy);
  }

  @Override
  public long countVectors(String model) {
    ensureOpen();
    return store.countVectors(Objects.requireNonNull(model, "model"));
  }

  /** Learns the model's dimension from the store afterwards: the switch introduced it. */
  @Override
  public long switchModel(String model) {
    ensureOpen();
    writeGate.run();
    long switched = store.switchModel(Objects.requireNonNull(model, "model"));
    Integer dimension = store.dimensions().get(model);
    if (dimension != null) {
      dimensions.record(Map.of(model, dimension));
    }
    return switched;
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
