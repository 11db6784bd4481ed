package io.mnemo4j.store.embedded;

import io.mnemo4j.ConversationMessage;
import io.mnemo4j.EntityCount;
import io.mnemo4j.EntityType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Scope;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantId;
import io.mnemo4j.filter.FilterEvaluator;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.internal.store.ModelDimensions;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.WriteBatch;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.BytesRef;
import org.jspecify.annotations.Nullable;

/**
 * One open tenant: its SQLite database (source of truth) and its Lucene index (derived, caught up
 * from the change log). Shared by every {@link TenantHandle} of the tenant in one {@link
 * EmbeddedStore}. Thread-safe.
 *
 * <p>A write commits to SQLite and returns; the index catches up off the write path. The write
 * queues its batch for the index writer, records it in {@link #pending} (the latest memory per id,
 * or a removal, for every change the current searcher may not show) and wakes a background indexer,
 * which applies queued batches, commits the index when due, and refreshes the searcher once pending
 * is large ({@link #REFRESH_PENDING}) or old ({@link #MAX_PENDING_NANOS}). Refreshing flushes a
 * segment (with its own HNSW graph), so it is never done per write. Reads still see every
 * acknowledged write: {@code vectorSearch}, the read near-duplicate detection makes for every
 * message, searches the possibly stale searcher, drops the hits pending overrides and brute-forces
 * the pending memories with the reference filter semantics; every other index read first applies
 * the queue and refreshes when anything is pending. A write that finds more than {@link
 * #MAX_PENDING} changes pending catches up itself, which bounds memory and brute-force time.
 *
 * <p>Locks: {@code lifecycle} is held shared by every call and by the background indexer, and
 * exclusively by close, so resources never close under a running call. {@code snapshot} is held
 * exclusively by a write across its SQLite transaction and its queueing, and shared by {@code list}
 * across its index refresh, query and row loading, so a page never mixes versions. Searches and
 * counts read one Lucene snapshot and need no SQLite rows, so they take neither. {@code indexLock}
 * guards what the index writer holds (applying the queue, committing); it is taken after {@code
 * snapshot}, never before.
 */
final class TenantEngine {
  static final String DATABASE = "memories.db";
  static final String LOCK_FILE = "tenant.lock";

  // Lucene commits are lazy because the change log replays whatever a crash loses; these bound
  // replay work.
  static final int COMMIT_EVERY_CHANGES = 1_000;
  static final long COMMIT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(60);

  /**
   * Most changes kept pending (see the class comment); a write beyond it applies the queue and
   * refreshes.
   */
  static final int MAX_PENDING = 1_000;

  /**
   * Oldest pending change the indexer or a vector search tolerates before refreshing the searcher.
   */
  static final long MAX_PENDING_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Pending changes at which the background indexer refreshes the searcher. */
  static final int REFRESH_PENDING = MAX_PENDING / 2;

  /**
   * Applies committed batches to tenants' index writers off the write path; one thread per core at
   * most, idle threads expire. When it falls behind, writers catch up themselves once {@link
   * #MAX_PENDING} is exceeded.
   */
  private static final ExecutorService INDEXERS = indexers();

  private static final int READ_CONNECTIONS = 4;
  private static final String FIND_BY_HASH =
      "SELECT "
          + Rows.MEMORY_COLUMNS
          + " FROM memories WHERE hash = ? "
          + "AND user_id IS ? AND agent_id IS ? AND run_id IS ? ORDER BY id LIMIT 1";
  private static final Sort BY_ID = new Sort(new SortField(IndexSchema.ID, SortField.Type.STRING));
  private static final Set<String> ID_ONLY = Set.of(IndexSchema.ID);

  final TenantId tenant;
  private final Path dir;
  private final FileChannel lockChannel;
  private final FileLock tenantLock;
  private final Connection writeConnection;
  private final ReadPool reads;
  private final String dbId;
  private final Directory indexDirectory;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final ReentrantReadWriteLock snapshot = new ReentrantReadWriteLock();

  /**
   * Vector dimension per embedding model, checked under the snapshot write lock so that a mismatch
   * is refused before SQLite commits, not after (when the index writer would refuse it, and every
   * later open with it). Every handle's checking wrapper checks too, but knows only the dimensions
   * of its own writes and of the engine when it opened: two handles of one engine can each
   * introduce a model.
   */
  private final ModelDimensions dimensions = new ModelDimensions();

  /**
   * Changes the current searcher may not show (see the class comment). Immutable values: a write
   * adds its changes under the snapshot write lock after queueing them for the index writer; a
   * refresh applies the queue, refreshes, then removes exactly the entries it read before, which
   * the refreshed searcher therefore includes. A reader reads it before acquiring a searcher: an
   * entry is removed only after a searcher including it became current.
   */
  private final AtomicReference<Pending> pending = new AtomicReference<>(Pending.NONE);

  private volatile @Nullable WholeIndexFilter wholeIndexFilter;

  /**
   * Committed batches not yet applied to the index writer, in commit order. A write appends under
   * the snapshot write lock; {@link #applyQueued} applies them under {@link #indexLock}, on a
   * background thread or inline.
   */
  private final Queue<Indexing> indexQueue = new ConcurrentLinkedQueue<>();

  /**
   * Guards the index writer's content: applying queued batches, committing, and the fields below.
   */
  private final ReentrantLock indexLock = new ReentrantLock();

  private final AtomicBoolean indexingScheduled = new AtomicBoolean();

  // Guarded by indexLock.
  private long appliedSeq;
  private long lastCommitNanos;

  /**
   * Seq of the last index commit (guarded by indexLock for writing); log rows up to it may be
   * pruned.
   */
  private volatile long committedSeq;

  /**
   * Seq up to which the change log was pruned. Guarded by the snapshot write lock, which guards
   * writeConnection.
   */
  private long prunedSeq;

  /** Prepared statements of writeConnection; guarded by the snapshot write lock. */
  private final Map<String, PreparedStatement> writeStatements = new HashMap<>();

  private volatile @Nullable Throwable failure;
  private volatile boolean closed;

  private TenantEngine(
      TenantId tenant,
      Path dir,
      FileChannel lockChannel,
      FileLock tenantLock,
      Connection writeConnection,
      ReadPool reads,
      String dbId,
      TenantIndex.Opened index) {
    this.tenant = tenant;
    this.dir = dir;
    this.lockChannel = lockChannel;
    this.tenantLock = tenantLock;
    this.writeConnection = writeConnection;
    this.reads = reads;
    this.dbId = dbId;
    this.indexDirectory = index.directory();
    this.writer = index.writer();
    this.searchers = index.searchers();
    this.appliedSeq = index.seq();
    this.committedSeq = index.seq();
    this.prunedSeq = index.seq();
    this.lastCommitNanos = System.nanoTime();
  }

  /** Opens the tenant in {@code dir}, creating it, and brings its index up to date with SQLite. */
  static TenantEngine open(TenantId tenant, Path dir) {
    FileChannel channel = null;
    FileLock lock = null;
    Connection connection = null;
    ReadPool pool = null;
    TenantIndex.Opened index = null;
    try {
      Files.createDirectories(dir);
      channel =
          FileChannel.open(
              dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      lock = tryLock(channel, tenant);
      connection = Sqlite.open(dir.resolve(DATABASE), true);
      Rows.createSchema(connection);
      String dbId = Rows.dbId(connection);
      pool = new ReadPool(dir.resolve(DATABASE), READ_CONNECTIONS);
      index = TenantIndex.open(dir, connection, dbId);
      TenantEngine engine =
          new TenantEngine(tenant, dir, channel, lock, connection, pool, dbId, index);
      engine.loadDimensions();
      return engine;
    } catch (IOException | SQLException | RuntimeException e) {
      closeQuietly(index, pool, connection, lock, channel);
      if (e instanceof StoreUnavailableException s) {
        throw s;
      }
      throw new StoreUnavailableException("cannot open tenant '" + tenant + "' in " + dir, e);
    }
  }

  private static FileLock tryLock(FileChannel channel, TenantId tenant) throws IOException {
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      throw new StoreUnavailableException(
          "tenant '" + tenant + "' is already open in this process", e);
    }
    if (lock == null) {
      throw new StoreUnavailableException("tenant '" + tenant + "' is open in another process");
    }
    return lock;
  }

  private void loadDimensions() throws IOException {
    IndexSearcher searcher = searchers.acquire();
    try {
      for (FieldInfo info : FieldInfos.getMergedFieldInfos(searcher.getIndexReader())) {
        if (info.getVectorDimension() > 0 && info.name.startsWith("vec:")) {
          dimensions.record(info.name.substring("vec:".length()), info.getVectorDimension());
        }
      }
    } finally {
      searchers.release(searcher);
    }
  }

  // ---------------------------------------------------------------------------------------------------- writes

  /** The dimension of each embedding model this tenant holds vectors of. */
  Map<String, Integer> dimensions() {
    return dimensions.asMap();
  }

  void write(WriteBatch batch) {
    run(
        "write",
        () -> {
          if (batch.isEmpty()) {
            return null;
          }
          // Build documents first: everything Lucene could refuse is refused before SQLite commits.
          List<Term> terms = new ArrayList<>();
          List<@Nullable Document> docs = new ArrayList<>();
          for (Change change : batch.changes()) {
            switch (change) {
              case Change.Put put -> {
                terms.add(new Term(IndexSchema.ID, put.memory().id()));
                docs.add(IndexSchema.document(put.memory()));
              }
              case Change.Remove remove -> {
                terms.add(new Term(IndexSchema.ID, remove.id()));
                docs.add(null);
              }
            }
          }
          snapshot.writeLock().lock();
          try {
            Map<String, Integer> introduced = dimensions.check(batch);
            long seq = Rows.write(writeConnection, writeStatements, batch);
            // Acknowledged from here on. An index failure must not fail the call: the batch is
            // durable and replays
            // from the change log when the tenant is opened again.
            dimensions.record(introduced);
            if (!terms.isEmpty()) {
              // Queued before it is published as pending: whoever applies the queue after reading
              // pending applies it.
              indexQueue.add(new Indexing(seq, terms, docs));
              long now = System.nanoTime();
              Pending next = pending.updateAndGet(current -> current.with(batch, now));
              if (next.changes().size() > MAX_PENDING) {
                // The indexer is behind: catch up here, so that pending (memory, brute-force time)
                // stays bounded.
                try {
                  indexLock.lock();
                  try {
                    applyQueued();
                    maybeCommit();
                    // Holding the write lock, nothing else reaches the writer: the searcher shows
                    // every change.
                    searchers.maybeRefreshBlocking();
                    pending.set(Pending.NONE);
                  } finally {
                    indexLock.unlock();
                  }
                } catch (IOException | RuntimeException e) {
                  recordFailure(e);
                }
              }
            }
            long prunable = committedSeq;
            if (prunable > prunedSeq) {
              TenantIndex.pruneChanges(writeConnection, prunable);
              prunedSeq = prunable;
            }
          } finally {
            snapshot.writeLock().unlock();
          }
          scheduleIndexing();
          return null;
        });
  }

  /**
   * A committed batch for the index writer: ids to delete or replace (null document) and the last
   * change seq.
   */
  private record Indexing(long seq, List<Term> terms, List<@Nullable Document> docs) {}

  /** Applies every queued batch to the index writer, in order. Caller holds indexLock. */
  private void applyQueued() throws IOException {
    Indexing batch;
    while ((batch = indexQueue.peek()) != null) {
      for (int i = 0; i < batch.terms().size(); i++) {
        Document doc = batch.docs().get(i);
        if (doc == null) {
          writer.deleteDocuments(batch.terms().get(i));
        } else {
          writer.updateDocument(batch.terms().get(i), doc);
        }
      }
      indexQueue
          .poll(); // only now: a thread taking indexLock next finds every polled batch applied
      appliedSeq = Math.max(appliedSeq, batch.seq());
    }
  }

  /**
   * Commits the index when enough changes or time accumulated. Caller holds indexLock. Returns
   * whether it did.
   */
  private boolean maybeCommit() throws IOException {
    if (appliedSeq - committedSeq >= COMMIT_EVERY_CHANGES
        || (appliedSeq > committedSeq
            && System.nanoTime() - lastCommitNanos >= COMMIT_EVERY_NANOS)) {
      commitIndex();
      return true;
    }
    return false;
  }

  /**
   * Commits the index with the seq it covers. Caller holds indexLock. The next write prunes the
   * change log up to it (pruning needs the write connection, which only writes use).
   */
  private void commitIndex() throws IOException {
    TenantIndex.commit(writer, dbId, appliedSeq);
    committedSeq = appliedSeq;
    lastCommitNanos = System.nanoTime();
  }

  private void scheduleIndexing() {
    if (!indexQueue.isEmpty() && indexingScheduled.compareAndSet(false, true)) {
      INDEXERS.execute(this::indexInBackground);
    }
  }

  /**
   * Applies queued batches to the index writer off the write path, commits when due, and refreshes
   * the searcher once pending holds {@link #REFRESH_PENDING} changes or is older than {@link
   * #MAX_PENDING_NANOS}, or after a commit (which has flushed every change, so refreshing then is
   * cheap). A failure closes the engine, as any index failure.
   */
  private void indexInBackground() {
    indexingScheduled.set(false); // writes from now on schedule another run
    Lock lock = lifecycle.readLock();
    if (!lock.tryLock()) {
      return; // closing: close applies the queue itself
    }
    try {
      if (closed || failure != null) {
        return;
      }
      indexLock.lock();
      try {
        Pending seen = pending.get();
        applyQueued();
        boolean committed = maybeCommit();
        if (committed
            || seen.changes().size() >= REFRESH_PENDING
            || seen.olderThan(MAX_PENDING_NANOS, System.nanoTime())) {
          searchers.maybeRefreshBlocking();
          pending.updateAndGet(current -> current.without(seen));
        }
      } finally {
        indexLock.unlock();
      }
    } catch (IOException | RuntimeException e) {
      recordFailure(e);
    } finally {
      lock.unlock();
    }
    if (failure != null && !closed) {
      close();
    }
  }

  // ----------------------------------------------------------------------------------------------------- reads

  Optional<StoredMemory> get(String id) {
    return run("get", () -> withReader(c -> Rows.select(c, id)));
  }

  List<StoredMemory> getAll(Collection<String> ids) {
    List<String> wanted = List.copyOf(ids);
    return run("getAll", () -> withReader(c -> Rows.selectAll(c, wanted)));
  }

  Optional<StoredMemory> findByHash(Scope scope, String hash) {
    return run(
        "findByHash",
        () ->
            withReader(
                c -> {
                  // Asked for every message an add ingests: the statement is prepared once per
                  // connection.
                  PreparedStatement ps = reads.prepared(c, FIND_BY_HASH);
                  ps.setString(1, hash);
                  ps.setString(2, scope.userId());
                  ps.setString(3, scope.agentId());
                  ps.setString(4, scope.runId());
                  try (ResultSet rs = ps.executeQuery()) {
                    return rs.next()
                        ? Optional.of(Rows.memory(rs))
                        : Optional.<StoredMemory>empty();
                  }
                }));
  }

  // ---------------------------------------------------------------------------------------------------- conversations

  List<ConversationMessage> conversation(String conversationId) {
    return run("conversation", () -> withReader(c -> Rows.conversation(c, conversationId)));
  }

  /** Replaces a window on the write connection; SQLite only, the index never sees windows. */
  void replaceConversation(String conversationId, List<ConversationMessage> messages) {
    run(
        "replaceConversation",
        () -> {
          snapshot.writeLock().lock();
          try {
            Rows.replaceConversation(writeConnection, writeStatements, conversationId, messages);
          } finally {
            snapshot.writeLock().unlock();
          }
          return null;
        });
  }

  Page<String> conversationIds(PageRequest page) {
    return run(
        "conversationIds",
        () -> withReader(c -> Rows.conversationIds(c, page.cursor(), page.size())));
  }

  List<HistoryEntry> history(String memoryId) {
    return run(
        "history",
        () ->
            withReader(
                c -> {
                  List<HistoryEntry> out = new ArrayList<>();
                  try (PreparedStatement ps =
                      c.prepareStatement(
                          "SELECT "
                              + Rows.HISTORY_COLUMNS
                              + " FROM history WHERE memory_id = ? ORDER BY pos")) {
                    ps.setString(1, memoryId);
                    try (ResultSet rs = ps.executeQuery()) {
                      while (rs.next()) {
                        out.add(Rows.history(rs));
                      }
                    }
                  }
                  return out;
                }));
  }

  Optional<StoredEvent> event(String id) {
    return run("event", () -> withReader(c -> oneEvent(c, "id", id)));
  }

  Optional<StoredEvent> eventByIdempotencyKey(String key) {
    return run("eventByIdempotencyKey", () -> withReader(c -> oneEvent(c, "idempotency_key", key)));
  }

  private static Optional<StoredEvent> oneEvent(Connection c, String column, String value)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT " + Rows.EVENT_COLUMNS + " FROM events WHERE " + column + " = ?")) {
      ps.setString(1, value);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(Rows.event(rs)) : Optional.empty();
      }
    }
  }

  List<StoredEvent> events(Set<EventStatus> statuses, int limit) {
    List<EventStatus> wanted = List.copyOf(statuses);
    if (wanted.isEmpty()) {
      return List.of();
    }
    String marks = String.join(", ", Collections.nCopies(wanted.size(), "?"));
    return run(
        "events",
        () ->
            withReader(
                c -> {
                  List<StoredEvent> out = new ArrayList<>();
                  try (PreparedStatement ps =
                      c.prepareStatement(
                          "SELECT "
                              + Rows.EVENT_COLUMNS
                              + " FROM events WHERE status IN ("
                              + marks
                              + ") ORDER BY created_key, id LIMIT ?")) {
                    for (int i = 0; i < wanted.size(); i++) {
                      ps.setString(i + 1, wanted.get(i).name());
                    }
                    ps.setInt(wanted.size() + 1, limit);
                    try (ResultSet rs = ps.executeQuery()) {
                      while (rs.next()) {
                        out.add(Rows.event(rs));
                      }
                    }
                  }
                  return out;
                }));
  }

  Page<StoredMemory> list(ScopeFilter scope, FilterExpr filter, PageRequest page) {
    String cursor = page.cursor();
    if (cursor != null && !IndexSchema.ID_PATTERN.matcher(cursor).matches()) {
      throw new InvalidRequestException("cursor", "cursor is not one this store handed out");
    }
    Query query = FilterCompiler.compile(scope, filter);
    if (cursor != null) {
      query =
          FilterCompiler.and(
              List.of(
                  query,
                  TermRangeQuery.newStringRange(IndexSchema.ID, cursor, null, false, false)));
    }
    Query q = query;
    return run(
        "list",
        () -> {
          snapshot.readLock().lock();
          try {
            refresh();
            List<String> ids = new ArrayList<>();
            IndexSearcher searcher = searchers.acquire();
            try {
              for (ScoreDoc hit : searcher.search(q, page.size() + 1, BY_ID).scoreDocs) {
                ids.add(((BytesRef) ((FieldDoc) hit).fields[0]).utf8ToString());
              }
            } finally {
              searchers.release(searcher);
            }
            boolean more = ids.size() > page.size();
            List<String> pageIds = more ? ids.subList(0, page.size()) : ids;
            List<StoredMemory> items = withReader(c -> Rows.selectAll(c, pageIds));
            return new Page<>(items, more ? pageIds.getLast() : null);
          } finally {
            snapshot.readLock().unlock();
          }
        });
  }

  long count(ScopeFilter scope, FilterExpr filter) {
    Query q = FilterCompiler.compile(scope, filter);
    return run(
        "count",
        () -> {
          refresh();
          IndexSearcher searcher = searchers.acquire();
          try {
            return (long) searcher.count(q);
          } finally {
            searchers.release(searcher);
          }
        });
  }

  Page<EntityCount> countByEntity(
      EntityType type, ScopeFilter scope, FilterExpr filter, PageRequest page) {
    Query q = FilterCompiler.compile(scope, filter);
    return run(
        "countByEntity",
        () -> {
          refresh();
          IndexSearcher searcher = searchers.acquire();
          try {
            return EntityCounts.page(searcher, q, type, page.cursor(), page.size());
          } finally {
            searchers.release(searcher);
          }
        });
  }

  List<ScoredId> vectorSearch(
      String model, float[] query, ScopeFilter scope, FilterExpr filter, int k) {
    Query f = FilterCompiler.compile(scope, filter);
    return run(
        "vectorSearch",
        () -> {
          OptionalInt dimension = dimensions.of(model);
          if (dimension.isEmpty() || f instanceof MatchNoDocsQuery) {
            return List.of();
          }
          ModelDimensions.checkQuery(model, dimension.getAsInt(), query);
          // Pending is read before the searcher is acquired: whatever has left pending since is in
          // the searcher.
          Pending seen = pending.get();
          if (seen.olderThan(MAX_PENDING_NANOS, System.nanoTime())) {
            refresh();
            seen = pending.get();
          }
          Map<String, PendingChange> changes = seen.changes();
          TopK best = new TopK(k);
          IndexSearcher searcher = searchers.acquire();
          try {
            int maxDoc = searcher.getIndexReader().maxDoc();
            Query knnFilter =
                FilterCompiler.matchesAll(f) || matchesEveryDoc(searcher, f) ? null : f;
            String field = IndexSchema.vectorField(model);
            int n = Math.min(k, maxDoc);
            while (n > 0) {
              // Lucene scores DOT_PRODUCT as (1 + dot) / 2; vectors are unit length, so dot is the
              // cosine.
              TopDocs top = searcher.search(new KnnFloatVectorQuery(field, query, n, knnFilter), n);
              best.clear();
              for (ScoreDoc hit : top.scoreDocs) {
                String id = id(searcher, hit.doc);
                if (!changes.containsKey(id)) { // pending holds its current version, or its removal
                  best.offer(id, 2.0 * hit.score - 1.0);
                }
              }
              // Dropped stale hits may have pushed live ones out of the top n: ask once more, for
              // all it could take.
              int wider = Math.min(maxDoc, k + changes.size());
              if (best.size() >= k || top.scoreDocs.length < n || wider <= n) {
                break;
              }
              n = wider;
            }
          } finally {
            searchers.release(searcher);
          }
          for (StoredMemory m : seen.live()) {
            if (m.embedding().length == query.length
                && model.equals(m.memory().embeddingModel())
                && scope.test(m.memory().scope())
                && FilterEvaluator.matches(filter, m.memory())) {
              best.offer(
                  m.id(),
                  2.0 * VectorSimilarityFunction.DOT_PRODUCT.compare(query, m.embedding()) - 1.0);
            }
          }
          return best.bestFirst();
        });
  }

  /** The id of a document, from doc values: cheaper than decompressing a block of stored fields. */
  private static String id(IndexSearcher searcher, int doc) throws IOException {
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
    SortedDocValues ids = DocValues.getSorted(leaf.reader(), IndexSchema.ID);
    if (!ids.advanceExact(doc - leaf.docBase)) {
      throw new CorruptIndexException("document without id", leaf.reader().toString());
    }
    return ids.lookupOrd(ids.ordValue()).utf8ToString();
  }

  /** The k best scored ids offered, kept in a min-heap. */
  private static final class TopK {
    private static final Comparator<ScoredId> WORST_FIRST =
        Comparator.comparingDouble(ScoredId::score);
    private final int k;
    private final PriorityQueue<ScoredId> heap;

    TopK(int k) {
      this.k = k;
      this.heap = new PriorityQueue<>(Math.min(k, 1024) + 1, WORST_FIRST);
    }

    void offer(String id, double score) {
      if (heap.size() < k) {
        heap.add(new ScoredId(id, score));
      } else if (score > heap.peek().score()) {
        heap.poll();
        heap.add(new ScoredId(id, score));
      }
    }

    int size() {
      return heap.size();
    }

    void clear() {
      heap.clear();
    }

    List<ScoredId> bestFirst() {
      ScoredId[] out = new ScoredId[heap.size()];
      for (int i = out.length - 1; i >= 0; i--) {
        out[i] = heap.poll();
      }
      return List.of(out);
    }
  }

  List<ScoredId> textSearch(String query, ScopeFilter scope, FilterExpr filter, int k) {
    List<String> terms = IndexSchema.queryTerms(query);
    Query f = FilterCompiler.compile(scope, filter);
    return run(
        "textSearch",
        () -> {
          if (terms.isEmpty() || f instanceof MatchNoDocsQuery) {
            return List.of();
          }
          BooleanQuery.Builder q =
              new BooleanQuery.Builder().add(IndexSchema.textQuery(terms), Occur.MUST);
          if (!FilterCompiler.matchesAll(f)) {
            q.add(f, Occur.FILTER);
          }
          refresh();
          IndexSearcher searcher = searchers.acquire();
          try {
            int n = Math.min(k, searcher.getIndexReader().maxDoc());
            TextScores scores = new TextScores(searcher, terms);
            if (n == 0 || !scores.anyTermKnown()) {
              return List.of();
            }
            // Lucene ranks with the same BM25; the scores are recomputed so that they are
            // bit-identical to textScores' for the same memory.
            List<String> ids = new ArrayList<>(n);
            for (ScoredId hit : scored(searcher, searcher.search(q.build(), n), s -> s)) {
              ids.add(hit.id());
            }
            return byScore(scores.ofIds(ids));
          } finally {
            searchers.release(searcher);
          }
        });
  }

  List<ScoredId> textScores(String query, Collection<String> ids) {
    List<String> terms = IndexSchema.queryTerms(query);
    List<String> wanted = new ArrayList<>();
    for (String id : ids) {
      if (IndexSchema.ID_PATTERN.matcher(id).matches()) {
        wanted.add(id);
      }
    }
    return run(
        "textScores",
        () -> {
          if (terms.isEmpty() || wanted.isEmpty()) {
            return List.of();
          }
          refresh();
          IndexSearcher searcher = searchers.acquire();
          try {
            return new TextScores(searcher, terms).ofIds(wanted);
          } finally {
            searchers.release(searcher);
          }
        });
  }

  /** Best first, ties by id (Lucene breaks them by document number, which merges change). */
  private static List<ScoredId> byScore(List<ScoredId> hits) {
    List<ScoredId> out = new ArrayList<>(hits);
    out.sort(Comparator.comparingDouble(ScoredId::score).reversed().thenComparing(ScoredId::id));
    return out;
  }

  /**
   * Whether {@code filter} is known to match every live document of the searcher, so that a vector
   * search can skip it: Lucene would otherwise evaluate it into a bit set on every search, which
   * costs more than the search itself when a tenant holds a single scope. Uses the counts Lucene
   * knows without iterating (segments with deletions are never known). The answer for the last
   * searcher and filter is remembered: near-duplicate detection asks it once per message with the
   * same scope.
   */
  private boolean matchesEveryDoc(IndexSearcher searcher, Query filter) throws IOException {
    IndexReader reader = searcher.getIndexReader();
    WholeIndexFilter last = wholeIndexFilter;
    if (last != null && last.reader() == reader && last.filter().equals(filter)) {
      return last.matches();
    }
    Weight weight =
        searcher.createWeight(searcher.rewrite(filter), ScoreMode.COMPLETE_NO_SCORES, 1f);
    boolean matches = true;
    for (LeafReaderContext leaf : reader.leaves()) {
      if (weight.count(leaf) != leaf.reader().numDocs()) {
        matches = false;
        break;
      }
    }
    wholeIndexFilter = new WholeIndexFilter(reader, filter, matches);
    return matches;
  }

  private record WholeIndexFilter(IndexReader reader, Query filter, boolean matches) {}

  /**
   * Makes the searcher show every change pending when called: applies the queue, refreshes, then
   * forgets exactly the pending entries read before (a concurrent write may have added newer ones).
   * See {@link #pending}.
   */
  private void refresh() throws IOException {
    Pending seen = pending.get();
    if (seen.changes().isEmpty()) {
      return;
    }
    indexLock.lock();
    try {
      applyQueued(); // every change in seen was queued before it was published
    } finally {
      indexLock.unlock();
    }
    searchers.maybeRefreshBlocking();
    pending.updateAndGet(current -> current.without(seen));
  }

  /** Package-private for tests: how many changes are pending. */
  int pendingForTest() {
    return pending.get().changes().size();
  }

  /**
   * A change pending in the index writer: the memory's new version, or null for a removal. Equal
   * only to itself.
   */
  private record PendingChange(@Nullable StoredMemory memory) {
    @Override
    public boolean equals(Object o) {
      return this == o;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(this);
    }
  }

  /**
   * An immutable set of pending changes by memory id, the memories they put (for brute-force
   * search), and when the oldest of them was made.
   */
  private record Pending(
      Map<String, PendingChange> changes, List<StoredMemory> live, long sinceNanos) {
    static final Pending NONE = new Pending(Map.of(), List.of(), 0);

    static Pending of(Map<String, PendingChange> changes, long sinceNanos) {
      if (changes.isEmpty()) {
        return NONE;
      }
      List<StoredMemory> live = new ArrayList<>(changes.size());
      for (PendingChange change : changes.values()) {
        if (change.memory() != null) {
          live.add(change.memory());
        }
      }
      return new Pending(Collections.unmodifiableMap(changes), live, sinceNanos);
    }

    Pending with(WriteBatch batch, long now) {
      Map<String, PendingChange> next = new HashMap<>(changes);
      for (Change change : batch.changes()) {
        switch (change) {
          case Change.Put put -> next.put(put.memory().id(), new PendingChange(put.memory()));
          case Change.Remove remove -> next.put(remove.id(), new PendingChange(null));
        }
      }
      return of(next, changes.isEmpty() ? now : sinceNanos);
    }

    /**
     * These changes minus those in {@code seen} (by identity, so a newer change of the same id
     * stays).
     */
    Pending without(Pending seen) {
      if (this == seen || changes.isEmpty()) {
        return NONE;
      }
      Map<String, PendingChange> next = new HashMap<>(changes);
      seen.changes.forEach((id, change) -> next.remove(id, change));
      // Keeping the older start only makes the next age-triggered refresh come early.
      return of(next, sinceNanos);
    }

    boolean olderThan(long nanos, long now) {
      return !changes.isEmpty() && now - sinceNanos >= nanos;
    }
  }

  private static ExecutorService indexers() {
    int threads = Runtime.getRuntime().availableProcessors();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            Thread.ofPlatform().name("mnemo4j-indexer-", 0).daemon(true).factory());
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  private static List<ScoredId> scored(IndexSearcher searcher, TopDocs docs, ScoreMap map)
      throws IOException {
    StoredFields fields = searcher.storedFields();
    List<ScoredId> out = new ArrayList<>(docs.scoreDocs.length);
    for (ScoreDoc hit : docs.scoreDocs) {
      out.add(
          new ScoredId(
              fields.document(hit.doc, ID_ONLY).get(IndexSchema.ID), map.apply(hit.score)));
    }
    return out;
  }

  @FunctionalInterface
  private interface ScoreMap {
    double apply(float score);
  }

  // -------------------------------------------------------------------------------------------
  // stats, lifecycle

  /** Whether new handles may share this engine. */
  boolean usable() {
    return !closed && failure == null;
  }

  /** Closes the engine: commits the index unless it failed. Idempotent; waits for running calls. */
  void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      // Close errors are swallowed: SQLite holds every acknowledged write, and the index catches up
      // on open.
      if (failure == null) {
        try {
          snapshot.writeLock().lock();
          indexLock.lock();
          try {
            applyQueued();
            if (writer.hasUncommittedChanges() || appliedSeq > committedSeq) {
              commitIndex();
            }
            TenantIndex.pruneChanges(writeConnection, committedSeq);
          } finally {
            indexLock.unlock();
            snapshot.writeLock().unlock();
          }
        } catch (IOException | RuntimeException e) {
          // See above.
        }
      }
      closeQuietly(searchers);
      TenantIndex.rollbackQuietly(writer);
      closeQuietly(indexDirectory, reads, writeConnection, tenantLock, lockChannel);
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /**
   * Package-private crash simulation for tests: drops uncommitted index changes, as a killed
   * process would.
   */
  void crashForTest() {
    lifecycle.writeLock().lock();
    try {
      closed = true;
      closeQuietly(searchers);
      TenantIndex.rollbackQuietly(writer);
      closeQuietly(indexDirectory, reads, writeConnection, tenantLock, lockChannel);
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /**
   * Package-private fault injection for tests: behaves as if {@code cause} were an unrecoverable
   * I/O error.
   */
  void failForTest(Throwable cause) {
    recordFailure(cause);
    close();
  }

  @FunctionalInterface
  private interface Body<T> {
    T run() throws IOException, SQLException;
  }

  @FunctionalInterface
  private interface SqlBody<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T withReader(SqlBody<T> body) throws SQLException {
    Connection c = reads.borrow();
    boolean healthy = false;
    try {
      T result = body.run(c);
      healthy = true;
      return result;
    } finally {
      reads.release(c, healthy);
    }
  }

  /**
   * Runs a call under the shared lifecycle lock, translating failures; a fatal one closes the
   * engine.
   */
  private <T> T run(String what, Body<T> body) {
    Lock lock = lifecycle.readLock();
    lock.lock();
    try {
      ensureOpen();
      return body.run();
    } catch (SQLException e) {
      if (Sqlite.isBusy(e)) {
        throw Sqlite.busy(what + " in tenant '" + tenant + "'", e);
      }
      throw fail(what, e);
    } catch (IOException e) {
      throw fail(what, e);
    } catch (IndexSearcher.TooManyClauses e) {
      throw new InvalidRequestException(
          "filter",
          "filter is too large for the embedded store (more than "
              + IndexSearcher.getMaxClauseCount()
              + " clauses)");
    } catch (AlreadyClosedException e) {
      // Lucene closes its writer itself on a tragic error; anything else closed under us means we
      // are closing.
      Throwable tragic = writer.getTragicException();
      if (tragic != null) {
        throw fail(what, tragic);
      }
      ensureOpen();
      throw fail(what, e);
    } finally {
      lock.unlock();
      if (failure != null && !closed) {
        close();
      }
    }
  }

  private void ensureOpen() {
    Throwable cause = failure;
    if (cause != null) {
      throw new StoreUnavailableException(
          "tenant store '" + tenant + "' closed itself after an unrecoverable error", cause);
    }
    if (closed) {
      throw new StoreUnavailableException("tenant store '" + tenant + "' is closed");
    }
  }

  private StoreUnavailableException fail(String what, Throwable cause) {
    recordFailure(cause);
    return new StoreUnavailableException(
        what + " failed in tenant '" + tenant + "'; the tenant store closed itself", cause);
  }

  private void recordFailure(Throwable cause) {
    synchronized (this) {
      if (failure == null) {
        failure = cause;
      }
    }
    if (isCorruption(cause)) {
      try {
        Files.createFile(dir.resolve(TenantIndex.REBUILD_MARKER));
      } catch (IOException ignored) {
        // Already marked, or the disk is gone; either way the next open finds out.
      }
    }
  }

  private static boolean isCorruption(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof CorruptIndexException
          || c instanceof IndexFormatTooOldException
          || c instanceof IndexFormatTooNewException) {
        return true;
      }
    }
    return false;
  }

  private static void closeQuietly(@Nullable Object... resources) {
    for (Object r : resources) {
      try {
        switch (r) {
          case null -> {}
          case TenantIndex.Opened index -> {
            closeQuietly(index.searchers());
            TenantIndex.rollbackQuietly(index.writer());
            closeQuietly(index.directory());
          }
          case AutoCloseable closeable -> closeable.close();
          default -> throw new IllegalArgumentException("not closeable: " + r.getClass());
        }
      } catch (IllegalArgumentException e) {
        throw e;
      } catch (Exception ignored) {
        // Closing after a failure or at close: the first error is the one worth reporting.
      }
    }
  }
}
