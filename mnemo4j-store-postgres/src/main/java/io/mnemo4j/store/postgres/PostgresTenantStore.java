package io.mnemo4j.store.postgres;

import io.mnemo4j.ConversationMessage;
import io.mnemo4j.EntityCount;
import io.mnemo4j.EntityType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Scope;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.internal.store.ModelDimensions;
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
import io.mnemo4j.store.postgres.SqlFilter.Sql;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One tenant's schema, reached through the store's pool: what {@link PostgresStore#open} hands out.
 * A facade over the schema's writes ({@link TenantWrites}), row reads ({@link TenantReads}), vector
 * search ({@link VectorSearch}) and text search ({@link TextSearch}), which share one {@link
 * TenantContext}; it keeps the scope guards itself. Every transaction first sets {@code
 * mnemo.tenant} and switches to a row-level-security role, so the policies are a second wall behind
 * the schema-qualified names. Thread-safe; holds no connection between calls except while a {@link
 * #lockScope} guard is open.
 */
final class PostgresTenantStore implements TenantStore {
  private final TenantContext tenant;

  /**
   * Vector dimension per model, as the tenant's {@code models} table records it (learnt at open, by
   * this store's writes and by searches of models other processes introduced). The checking wrapper
   * knows less: what it saw through this store.
   */
  private final ModelDimensions dimensions;

  private final TenantWrites writes;
  private final TenantReads reads;
  private final AddNeighbours neighbours;
  private final VectorSearch vectors;
  private final TextSearch text;

  /** The guard this thread holds, whose transaction the thread's next write joins. */
  // Per store on purpose: a thread's guard belongs to this store's scope locks, not to every store.
  @SuppressWarnings("ThreadLocalUsage")
  private final ThreadLocal<Guard> guards = new ThreadLocal<>();

  /**
   * The store of the tenant whose schema {@code sql} describes; {@code dimensions} as its {@code
   * models} table records them, {@code estimatedRows} the planner's estimate of its memories (-1
   * when never analysed).
   */
  PostgresTenantStore(
      PostgresStore store, TenantSql sql, Map<String, Integer> dimensions, long estimatedRows) {
    this.tenant = TenantContext.of(store, sql, this::sendUnsentLock);
    this.dimensions = new ModelDimensions(dimensions);
    TableStatistics statistics = new TableStatistics(tenant, estimatedRows);
    VectorIndexes indexes = new VectorIndexes(tenant);
    this.writes = new TenantWrites(tenant, this.dimensions, statistics, indexes);
    this.reads = new TenantReads(tenant);
    this.neighbours = new AddNeighbours(tenant);
    this.vectors = new VectorSearch(tenant, this.dimensions, indexes);
    this.text = new TextSearch(tenant, statistics);
  }

  @Override
  public Map<String, Integer> dimensions() {
    return dimensions.asMap();
  }

  /**
   * Applies the batch in one transaction: the transaction of this thread's scope guard, if it holds
   * one a write may still join (committing it releases the lock), else one of its own.
   */
  @Override
  public void write(WriteBatch batch) {
    writes.write(batch, joinableGuard());
  }

  @Override
  public Optional<StoredMemory> get(String id) {
    return reads.get(id, this::query);
  }

  @Override
  public List<StoredMemory> getAll(Collection<String> ids) {
    if (joinableGuard() != null) {
      // An add's read of its candidates, under its lock: no neighbour lookup follows.
      return reads.getAll(ids, this::query, null);
    }
    Set<String> alone = new HashSet<>();
    List<StoredMemory> found = reads.getAll(ids, this::query, alone);
    neighbours.rememberAlone(alone);
    return found;
  }

  @Override
  public Optional<StoredMemory> findByHash(Scope scope, String hash) {
    return reads.findByHash(scope, hash, this::query);
  }

  /** This thread's scope guard, when it holds one a write may still join; else null. */
  private @Nullable Guard joinableGuard() {
    Guard guard = guards.get();
    return guard != null && guard.joinable() ? guard : null;
  }

  /**
   * Runs one read statement in the transaction of this thread's scope guard when it holds one a
   * write may still join (an add's reads under its lock: no second connection, transaction or
   * commit, and two round trips fewer each), else in one round trip of its own ({@link
   * TenantContext#readOnce}).
   */
  private <T extends @Nullable Object> T query(
      String what, String query, Statements.Binder bind, Statements.Reader<T> read) {
    Guard guard = joinableGuard();
    if (guard == null) {
      return tenant.readOnce(what, query, 1, false, bind, read);
    }
    return guard.readAhead(
        what,
        (c, lock) -> {
          try (PreparedStatement ps =
              c.prepareStatement(lock == null ? query : lock.sql() + ";\n" + query)) {
            bind.bind(ps, lock == null ? 1 : lock.bind(ps, 1));
            ps.execute();
            if (lock != null) {
              lock.readFrom(ps);
            }
            try (java.sql.ResultSet rs = ps.getResultSet()) {
              return read.read(rs);
            }
          }
        });
  }

  @Override
  public Page<StoredMemory> list(ScopeFilter scope, FilterExpr filter, PageRequest page) {
    return reads.list(scope, filter, page);
  }

  @Override
  public long count(ScopeFilter scope, FilterExpr filter) {
    return reads.count(scope, filter);
  }

  @Override
  public Page<EntityCount> countByEntity(
      EntityType type, ScopeFilter scope, FilterExpr filter, PageRequest page) {
    return reads.countByEntity(type, scope, filter, page);
  }

  /**
   * One read transaction for the whole add: one statement for the hashes and, in a scope small
   * enough to search exactly (the common case of a growing conversation), one for every vector,
   * both sent in one round trip. When this thread holds the scope's guard (an add under its lock),
   * the reads run in the guard's transaction, which already entered the tenant: no second
   * connection, transaction or commit.
   */
  @Override
  public List<DuplicateCandidates> duplicateCandidates(
      Scope scope, String model, List<DuplicateProbe> probes, int k) {
    return duplicateCandidates(scope, model, probes, k, Double.NEGATIVE_INFINITY);
  }

  /**
   * {@link #duplicateCandidates(Scope, String, List, int)} with the floor applied where the
   * candidates are ranked, in a scope searched exactly: only rows near enough to some probe are
   * kept and sorted (see {@link VectorSearch#searchEach}).
   */
  @Override
  public List<DuplicateCandidates> duplicateCandidates(
      Scope scope, String model, List<DuplicateProbe> probes, int k, double minScore) {
    if (probes.isEmpty()) {
      tenant.ensureOpen();
      return List.of();
    }
    ScopeFilter exact = new ScopeFilter.Exact(scope);
    Sql where = tenant.filters().compile(exact, new FilterExpr.All());
    List<String> hashes = probes.stream().map(DuplicateProbe::hash).toList();
    List<float[]> queries = probes.stream().map(DuplicateProbe::vector).toList();
    Guard.AheadWork<List<DuplicateCandidates>> work =
        (c, lock) -> {
          // The hash lookup travels with the first vector statement, behind the scope lock if that
          // is not sent yet: one round trip for all.
          Map<String, StoredMemory> byHash = new HashMap<>();
          Ahead ahead = Ahead.both(lock, reads.byHashes(c, scope, hashes, byHash));
          List<List<ScoredId>> nearest =
              vectors.searchEach(c, model, queries, exact, where, k, minScore, ahead);
          List<DuplicateCandidates> out = new ArrayList<>(probes.size());
          for (int i = 0; i < probes.size(); i++) {
            // The statement's floor is a shade looser than the score's (float rounding): the
            // score decides.
            out.add(
                new DuplicateCandidates(
                        Optional.ofNullable(byHash.get(hashes.get(i))), nearest.get(i))
                    .scoringAtLeast(minScore));
          }
          return out;
        };
    Guard guard = joinableGuard();
    return guard != null
        ? guard.readAhead("duplicateCandidates", work)
        : tenant.read("duplicateCandidates", c -> work.run(c, null));
  }

  /** See {@link VectorSearch}. */
  @Override
  public List<ScoredId> vectorSearch(
      String model, float[] query, ScopeFilter scope, FilterExpr filter, int k) {
    return vectors.search(model, query, scope, filter, k);
  }

  /** See {@link TextSearch}. */
  @Override
  public List<ScoredId> textSearch(String query, ScopeFilter scope, FilterExpr filter, int k) {
    return text.search(query, scope, filter, k);
  }

  @Override
  public List<ScoredId> textScores(String query, Collection<String> ids) {
    return text.scores(query, ids);
  }

  @Override
  public Map<String, List<io.mnemo4j.spi.AddNeighbour>> addNeighbours(
      Collection<String> ids, int span) {
    return neighbours.of(ids, span);
  }

  @Override
  public List<HistoryEntry> history(String memoryId) {
    return reads.history(memoryId);
  }

  @Override
  public Optional<StoredEvent> event(String id) {
    return reads.event(id);
  }

  @Override
  public Optional<StoredEvent> eventByIdempotencyKey(String key) {
    return reads.eventByIdempotencyKey(key);
  }

  @Override
  public List<StoredEvent> events(Set<EventStatus> statuses, int limit) {
    return reads.events(statuses, limit);
  }

  @Override
  public List<ConversationMessage> conversation(String conversationId) {
    return reads.conversation(conversationId);
  }

  @Override
  public void replaceConversation(String conversationId, List<ConversationMessage> messages) {
    writes.replaceConversation(conversationId, messages);
  }

  @Override
  public List<StoredMessage> messages(Collection<String> ids) {
    return reads.messages(ids);
  }

  @Override
  public List<StoredMessage> messagesOfRun(String runId) {
    return reads.messagesOfRun(runId);
  }

  @Override
  public List<StoredMemory> derivedFrom(Collection<String> messageIds) {
    return reads.derivedFrom(messageIds);
  }

  /** In one transaction, chosen as {@link #write} chooses it. */
  @Override
  public long eraseMessages(Collection<String> messageIds, WriteBatch batch) {
    return writes.eraseMessages(List.copyOf(messageIds), batch, joinableGuard());
  }

  @Override
  public void putVectors(String model, Map<String, float[]> vectors) {
    writes.putVectors(model, vectors);
  }

  @Override
  public long countVectors(String model) {
    return reads.countVectors(model);
  }

  @Override
  public long switchModel(String model) {
    return writes.switchModel(model);
  }

  @Override
  public Page<String> conversationIds(PageRequest page) {
    return reads.conversationIds(page);
  }

  @Override
  public Page<HistoryEntry> exportHistory(PageRequest page) {
    return reads.exportHistory(page);
  }

  @Override
  public Page<io.mnemo4j.spi.StoredMessage> exportMessages(PageRequest page) {
    return reads.exportMessages(page);
  }

  @Override
  public Page<StoredEvent> exportEvents(PageRequest page) {
    return reads.exportEvents(page);
  }

  /**
   * Takes a pooled connection, begins a transaction and takes a transaction-level advisory lock
   * keyed by tenant and exact scope, which every process sharing the database honours. This
   * thread's next {@link #write} runs in that transaction and commits it, which releases the lock
   * exactly when the write becomes visible; closing the guard ends the transaction if no write did.
   * A thread already holding a guard takes the new lock in the same transaction.
   */
  @Override
  public ScopeGuard lockScope(Scope scope) {
    tenant.ensureOpen();
    long key =
        Names.lockKey(
            "scope",
            tenant.store().options().schemaPrefix(),
            tenant.tenantId(),
            scope.userId(),
            scope.agentId(),
            scope.runId());
    Guard held = joinableGuard();
    if (held != null) {
      held.lockToo(key);
      return () -> {}; // released with the outer guard's transaction
    }
    Guard guard = tenant.store().openGuard(this, key);
    guards.set(guard);
    return guard;
  }

  /**
   * Sends the scope lock this thread's guard has not sent yet, alone: before a statement of the
   * thread on a connection other than the guard's (see {@link TenantContext#lockFirst}).
   */
  private void sendUnsentLock() {
    Guard guard = joinableGuard();
    if (guard != null) {
      guard.sendLock();
    }
  }

  /** Forgets this thread's guard once it committed or closed. */
  void forget(Guard guard) {
    if (guards.get() == guard) {
      guards.remove();
    }
  }

  /**
   * Nothing to release: the pool belongs to the {@link PostgresStore}, and calls after close are
   * refused by the core's checking wrapper. Idempotent.
   */
  @Override
  public void close() {}

  /** The tenant's id, for messages. */
  String tenant() {
    return tenant.tenantId();
  }
}
