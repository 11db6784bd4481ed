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
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.internal.store.JdbcRows;
import io.mnemo4j.internal.store.ModelDimensions;
import io.mnemo4j.spi.DuplicateCandidates;
import io.mnemo4j.spi.DuplicateProbe;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.StoredMessage;
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
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.store.AlreadyClosedException;
import org.jspecify.annotations.Nullable;

/**
 * One open tenant: its SQLite database (source of truth) and its Lucene index (derived, caught up
 * from the change log), with its lifecycle and write path. Shared by every {@link
 * EmbeddedTenantStore} of the tenant in one {@link EmbeddedStore}. Thread-safe.
 *
 * <p>A write commits to SQLite and returns; the index catches up off the write path ({@link
 * IndexCatchUp}). The write queues its batch for the index writer, records it in the {@link
 * PendingOverlay} (the latest memory per id, or a removal, for every change the current searcher
 * may not show) and wakes a background indexer. Refreshing the searcher flushes a segment (with its
 * own HNSW graph), so it is never done per write. Reads still see every acknowledged write ({@link
 * IndexReads}): vector search overlays the pending changes, and text search a few of them; every
 * other index read refreshes first when anything is pending. Row reads go to SQLite through a small
 * pool of read connections.
 *
 * <p>Locks: {@code lifecycle} is held shared by every call and by the background indexer, and
 * exclusively by close, so resources never close under a running call. {@code snapshot} is held
 * exclusively by a write across its SQLite transaction and its queueing, and shared by {@code list}
 * across its index refresh, query and row loading, so a page never mixes versions. Searches and
 * counts read one Lucene snapshot and need no SQLite rows, so they take neither. The index lock of
 * {@link IndexCatchUp} is taken after {@code snapshot}, never before.
 *
 * <p>An unrecoverable error (I/O, a corrupt index, a tragic index writer failure) closes the engine
 * without committing the index; every later call fails with the original cause, and a corrupt index
 * is marked to be rebuilt from SQLite on the next open.
 *
 * <p>Why this class is past ~700 lines: every path that writes SQLite and queues the index (group
 * commit, erasure, the model switch) takes the locks above in the same order, and keeping them in
 * one file keeps that order readable in one place; the rows, the group commit, the second vector
 * slot, index catch-up and index reads live in their own classes.
 */
final class TenantEngine {
  static final String DATABASE = "memories.db";
  static final String LOCK_FILE = "tenant.lock";

  private static final int READ_CONNECTIONS = 4;

  static {
    TestSecrets.setTenantAccess(new Secrets());
  }

  /** What an open tenant holds on disk: its lock, its database connections and its index. */
  private record Resources(
      Path dir,
      FileChannel lockChannel,
      FileLock tenantLock,
      Connection writeConnection,
      ReadPool reads,
      String dbId,
      TenantIndex.Opened index) {}

  final TenantId tenant;
  private final Resources resources;
  private final ReadPool reads;
  private final Connection writeConnection;
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

  private final PendingOverlay overlay = new PendingOverlay();

  /** Writes waiting for their group commit, and how many commits there were. */
  private final GroupCommit groupCommit = new GroupCommit();

  private final IndexCatchUp catchUp;
  private final IndexReads indexReads;

  /**
   * Seq up to which the change log was pruned. Guarded by the snapshot write lock, which guards
   * writeConnection.
   */
  private long prunedSeq;

  /** Prepared statements of writeConnection; guarded by the snapshot write lock. */
  private final Map<String, PreparedStatement> writeStatements = new HashMap<>();

  /**
   * Whether two memories of this tenant may share a creation time, that is whether some add stored
   * several (see {@link #addNeighbours}); kept in the database ({@link Rows#sharedCreationTimes}),
   * set before a write that could make it so commits, never cleared. Hybrid search asks for the
   * neighbours of about 20 memories per search; a tenant whose memories were all stored alone (a
   * chat app adding one message per call) answers without the neighbour statement.
   */
  private final java.util.concurrent.atomic.AtomicBoolean sharedTimes =
      new java.util.concurrent.atomic.AtomicBoolean(true);

  private volatile @Nullable Throwable failure;
  private volatile boolean closed;

  private TenantEngine(TenantId tenant, Resources resources) {
    this.tenant = tenant;
    this.resources = resources;
    this.reads = resources.reads();
    this.writeConnection = resources.writeConnection();
    this.catchUp =
        new IndexCatchUp(resources.index(), resources.dbId(), overlay, new CatchUpOwner());
    this.indexReads = new IndexReads(resources.index().searchers(), catchUp, overlay);
    this.prunedSeq = resources.index().seq();
  }

  /**
   * Opens the tenant in {@code dir}, creating it, and brings its index up to date with SQLite; its
   * commits are as durable as {@code durability} says.
   */
  static TenantEngine open(TenantId tenant, Path dir, Durability durability) {
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
      connection = Sqlite.open(dir.resolve(DATABASE), true, durability);
      Rows.createSchema(connection);
      String dbId = Rows.dbId(connection);
      pool = new ReadPool(dir.resolve(DATABASE), READ_CONNECTIONS);
      index = TenantIndex.open(dir, connection, dbId);
      TenantEngine engine =
          new TenantEngine(
              tenant, new Resources(dir, channel, lock, connection, pool, dbId, index));
      engine.loadDimensions(index.searchers());
      engine.sharedTimes.set(Rows.sharedCreationTimes(connection));
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

  private void loadDimensions(TenantSearchers searchers) throws IOException {
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

  /**
   * Commits the batch to SQLite and queues it for the index. Everything Lucene could refuse (its
   * documents, a vector of another dimension) is refused before SQLite commits; once it has, the
   * write is acknowledged, and an index failure only closes the engine: the batch replays from the
   * change log when the tenant is opened again.
   *
   * <p>Group commit: a write queues its batch, then takes the snapshot write lock; whoever holds it
   * commits every batch queued by then in one transaction (one fsync), each batch still
   * all-or-nothing. Writes that arrive while a commit runs therefore share the next one instead of
   * queueing one fsync each. A write returns only once the commit holding its batch is durable.
   */
  void write(WriteBatch batch) {
    run(
        "write",
        () -> {
          if (batch.isEmpty()) {
            return null;
          }
          GroupCommit.Queued mine = groupCommit.enqueue(batch);
          snapshot.writeLock().lock();
          try {
            // else an earlier lock holder committed it
            if (!mine.done()
                && groupCommit.commitQueued(
                    writeConnection, writeStatements, dimensions, catchUp, sharedTimes)) {
              pruneChangeLog();
            }
          } finally {
            snapshot.writeLock().unlock();
          }
          catchUp.schedule();
          mine.result();
          return null;
        });
  }

  /**
   * Commits the batch and deletes the raw messages with these ids in one SQLite transaction, then
   * queues the batch for the index as {@link #write} does; returns how many messages went.
   */
  long eraseMessages(List<String> messageIds, WriteBatch batch) {
    return run(
        "eraseMessages",
        () -> {
          IndexCatchUp.Documents documents = IndexCatchUp.Documents.of(batch);
          Rows.Written written;
          snapshot.writeLock().lock();
          try {
            Map<String, Integer> introduced = dimensions.check(batch);
            written = Rows.write(writeConnection, writeStatements, batch, messageIds, sharedTimes);
            dimensions.record(introduced);
            catchUp.enqueue(written.seq(), documents, batch);
            pruneChangeLog();
          } finally {
            snapshot.writeLock().unlock();
          }
          catchUp.schedule();
          return written.messagesDeleted();
        });
  }

  void putVectors(String model, Map<String, float[]> vectors) {
    run(
        "putVectors",
        () -> {
          snapshot.writeLock().lock();
          try {
            VectorSlotRows.putVectors(writeConnection, model, vectors);
          } finally {
            snapshot.writeLock().unlock();
          }
          return null;
        });
  }

  long countVectors(String model) {
    return run("countVectors", () -> withReader(c -> VectorSlotRows.countVectors(c, model)));
  }

  /**
   * Commits the switch in one SQLite transaction, then queues every switched memory for the index
   * while still holding the snapshot write lock: a search sees the index plus the pending overlay,
   * so it meets either no switched memory or all of them.
   */
  long switchModel(String model) {
    return run(
        "switchModel",
        () -> {
          long switched = 0;
          snapshot.writeLock().lock();
          try {
            Map<String, Integer> introduced = new java.util.HashMap<>();
            List<VectorSlotRows.Switched> batches =
                VectorSlotRows.switchModel(
                    writeConnection,
                    writeStatements,
                    model,
                    b -> introduced.putAll(dimensions.check(b)));
            dimensions.record(introduced);
            for (VectorSlotRows.Switched b : batches) {
              catchUp.enqueue(b.seq(), IndexCatchUp.Documents.of(b.batch()), b.batch());
              switched += b.batch().changes().size();
            }
            pruneChangeLog();
          } finally {
            snapshot.writeLock().unlock();
          }
          catchUp.schedule();
          return switched;
        });
  }

  List<StoredMessage> messages(Collection<String> ids) {
    List<String> wanted = List.copyOf(ids);
    return run("messages", () -> withReader(c -> Rows.MESSAGES.byIds(c, "messages", wanted)));
  }

  List<StoredMessage> messagesOfRun(String runId) {
    return run("messagesOfRun", () -> withReader(c -> Rows.MESSAGES.byRun(c, "messages", runId)));
  }

  List<StoredMemory> derivedFrom(Collection<String> messageIds) {
    List<String> wanted = List.copyOf(messageIds);
    return run("derivedFrom", () -> withReader(c -> Rows.derivedFrom(c, wanted)));
  }

  /**
   * Drops the change log rows the last index commit covers. Caller holds the snapshot write lock.
   */
  private void pruneChangeLog() {
    long prunable = catchUp.committedSeq();
    if (prunable > prunedSeq) {
      TenantIndex.pruneChanges(writeConnection, prunable);
      prunedSeq = prunable;
    }
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

  // ------------------------------------------------------------------------------------------------ row reads

  Optional<StoredMemory> get(String id) {
    return run("get", () -> withReader(c -> Rows.select(c, id)));
  }

  java.util.Map<String, List<io.mnemo4j.spi.AddNeighbour>> addNeighbours(
      Collection<String> ids, int span) {
    List<String> wanted = List.copyOf(ids);
    return run(
        "addNeighbours",
        () ->
            withReader(
                c ->
                    sharedTimes.get()
                        ? Rows.addNeighbours(reads, c, wanted, span)
                        : Rows.noNeighbours(reads, c, wanted)));
  }

  List<StoredMemory> getAll(Collection<String> ids) {
    List<String> wanted = List.copyOf(ids);
    return run("getAll", () -> withReader(c -> Rows.selectAll(reads, c, wanted)));
  }

  Optional<StoredMemory> findByHash(Scope scope, String hash) {
    return run("findByHash", () -> withReader(c -> Rows.findByHash(reads, c, scope, hash)));
  }

  List<ConversationMessage> conversation(String conversationId) {
    return run(
        "conversation", () -> withReader(c -> JdbcRows.window(c, "conversations", conversationId)));
  }

  Page<String> conversationIds(PageRequest page) {
    return run(
        "conversationIds",
        () -> withReader(c -> JdbcRows.windowIds(c, "conversations", page.cursor(), page.size())));
  }

  private static final io.mnemo4j.internal.store.ExportRows EXPORT =
      new io.mnemo4j.internal.store.ExportRows(Sqlite.TIMES);

  Page<HistoryEntry> exportHistory(PageRequest page) {
    return run("exportHistory", () -> withReader(c -> EXPORT.history(c, "history", page)));
  }

  Page<io.mnemo4j.spi.StoredMessage> exportMessages(PageRequest page) {
    return run("exportMessages", () -> withReader(c -> EXPORT.messages(c, "messages", page)));
  }

  Page<StoredEvent> exportEvents(PageRequest page) {
    return run("exportEvents", () -> withReader(c -> EXPORT.events(c, "events", page)));
  }

  List<HistoryEntry> history(String memoryId) {
    return run("history", () -> withReader(c -> Rows.SHARED.history(c, "history", memoryId)));
  }

  Optional<StoredEvent> event(String id) {
    return run("event", () -> withReader(c -> Rows.SHARED.event(c, "events", "id", id)));
  }

  Optional<StoredEvent> eventByIdempotencyKey(String key) {
    return run(
        "eventByIdempotencyKey",
        () -> withReader(c -> Rows.SHARED.event(c, "events", "idempotency_key", key)));
  }

  List<StoredEvent> events(Set<EventStatus> statuses, int limit) {
    List<EventStatus> wanted = List.copyOf(statuses);
    if (wanted.isEmpty()) {
      return List.of();
    }
    return run("events", () -> withReader(c -> Rows.events(c, wanted, limit)));
  }

  // ----------------------------------------------------------------------------------------------
  // index reads

  /**
   * One page in id order: ids from the index, rows from SQLite, under the snapshot read lock so
   * that no write commits between the two.
   */
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
            IndexReads.IdPage ids = indexReads.ids(q, page.size());
            List<StoredMemory> items = withReader(c -> Rows.selectAll(reads, c, ids.ids()));
            return new Page<>(items, ids.more() ? ids.ids().getLast() : null);
          } finally {
            snapshot.readLock().unlock();
          }
        });
  }

  long count(ScopeFilter scope, FilterExpr filter) {
    Query q = FilterCompiler.compile(scope, filter);
    return run("count", () -> indexReads.count(q));
  }

  Page<EntityCount> countByEntity(
      EntityType type, ScopeFilter scope, FilterExpr filter, PageRequest page) {
    Query q = FilterCompiler.compile(scope, filter);
    return run("countByEntity", () -> indexReads.countByEntity(q, type, page));
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
          return indexReads
              .vectorSearch(new IndexReads.VectorQuery(model, List.of(query), scope, filter, f, k))
              .get(0);
        });
  }

  /**
   * Every probe's exact-hash match and nearest memories in {@code scope}, as {@link #findByHash}
   * and {@link #vectorSearch} answer them: one searcher, one filter and one pass over the scope's
   * vectors (when it is small) for all of an add's messages, and one reader connection for the
   * hashes.
   */
  List<DuplicateCandidates> duplicateCandidates(
      Scope scope, String model, List<DuplicateProbe> probes, int k) {
    ScopeFilter exact = new ScopeFilter.Exact(scope);
    FilterExpr all = new FilterExpr.All();
    Query f = FilterCompiler.compile(exact, all);
    return run(
        "duplicateCandidates",
        () -> {
          List<Optional<StoredMemory>> sameHash =
              withReader(
                  c -> {
                    List<Optional<StoredMemory>> found = new ArrayList<>(probes.size());
                    for (DuplicateProbe p : probes) {
                      found.add(Rows.findByHash(reads, c, scope, p.hash()));
                    }
                    return found;
                  });
          OptionalInt dimension = dimensions.of(model);
          List<List<ScoredId>> nearest;
          if (dimension.isEmpty() || f instanceof MatchNoDocsQuery || probes.isEmpty()) {
            nearest = java.util.Collections.nCopies(probes.size(), List.of());
          } else {
            List<float[]> vectors = new ArrayList<>(probes.size());
            for (DuplicateProbe p : probes) {
              ModelDimensions.checkQuery(model, dimension.getAsInt(), p.vector());
              vectors.add(p.vector());
            }
            nearest =
                indexReads.vectorSearch(
                    new IndexReads.VectorQuery(model, vectors, exact, all, f, k));
          }
          List<DuplicateCandidates> out = new ArrayList<>(probes.size());
          for (int i = 0; i < probes.size(); i++) {
            out.add(new DuplicateCandidates(sameHash.get(i), nearest.get(i)));
          }
          return out;
        });
  }

  List<ScoredId> textSearch(String query, ScopeFilter scope, FilterExpr filter, int k) {
    List<String> terms = IndexSchema.queryTerms(query);
    Query f = FilterCompiler.compile(scope, filter);
    return run("textSearch", () -> indexReads.textSearch(terms, scope, filter, f, k));
  }

  List<ScoredId> textScores(String query, Collection<String> ids) {
    List<String> terms = IndexSchema.queryTerms(query);
    return run("textScores", () -> indexReads.textScores(terms, ids));
  }

  // -------------------------------------------------------------------------------------------------- lifecycle

  /** Whether new handles may share this engine. */
  boolean usable() {
    return !closed && failure == null;
  }

  /**
   * Closes the engine: commits the index unless it failed. Idempotent; waits for running calls.
   * Close errors are swallowed: SQLite holds every acknowledged write, and the index catches up on
   * open.
   */
  void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (failure == null) {
        try {
          snapshot.writeLock().lock();
          try {
            catchUp.commitAll();
            TenantIndex.pruneChanges(writeConnection, catchUp.committedSeq());
          } finally {
            snapshot.writeLock().unlock();
          }
        } catch (IOException | RuntimeException e) {
          // See above.
        }
      }
      closeQuietly(
          resources.index(),
          resources.reads(),
          resources.writeConnection(),
          resources.tenantLock(),
          resources.lockChannel());
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /** Closes the engine if an unrecoverable failure was recorded and it is still open. */
  private void closeIfFailed() {
    if (failure != null && !closed) {
      close();
    }
  }

  @FunctionalInterface
  private interface Body<T extends @Nullable Object> {
    T run() throws IOException, SQLException;
  }

  @FunctionalInterface
  private interface SqlBody<T extends @Nullable Object> {
    T run(Connection c) throws SQLException;
  }

  private <T extends @Nullable Object> T withReader(SqlBody<T> body) throws SQLException {
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
  private <T extends @Nullable Object> T run(String what, Body<T> body) {
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
      Throwable tragic = catchUp.tragedy();
      if (tragic != null) {
        throw fail(what, tragic);
      }
      ensureOpen();
      throw fail(what, e);
    } finally {
      lock.unlock();
      closeIfFailed();
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
        Files.createFile(resources.dir().resolve(TenantIndex.REBUILD_MARKER));
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
          case TenantIndex.Opened index -> index.closeQuietly();
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

  /** What the background indexer may do to this engine. */
  private final class CatchUpOwner implements IndexCatchUp.Owner {
    @Override
    public Lock lifecycle() {
      return lifecycle.readLock();
    }

    @Override
    public boolean stopped() {
      return closed || failure != null;
    }

    @Override
    public void recordFailure(Throwable cause) {
      TenantEngine.this.recordFailure(cause);
    }

    @Override
    public void closeIfFailed() {
      TenantEngine.this.closeIfFailed();
    }
  }

  /**
   * The test-only hooks of {@link TestSecrets}, which need the engine's private state: no method of
   * the engine exists for tests alone.
   */
  private static final class Secrets implements TestSecrets.TenantAccess {
    @Override
    public int pendingChanges(EmbeddedTenantStore store) {
      return store.engine().overlay.size();
    }

    @Override
    public AutoCloseable holdCommits(EmbeddedTenantStore store) {
      TenantEngine engine = store.engine();
      engine.snapshot.writeLock().lock();
      return () -> engine.snapshot.writeLock().unlock();
    }

    @Override
    public boolean holdsIndexWriter(EmbeddedTenantStore store) {
      return store.engine().resources.index().writerIfOpen() != null;
    }

    @Override
    public int queuedWrites(EmbeddedTenantStore store) {
      return store.engine().groupCommit.queued();
    }

    @Override
    public long groupCommits(EmbeddedTenantStore store) {
      TenantEngine engine = store.engine();
      engine.snapshot.writeLock().lock();
      try {
        return engine.groupCommit.commits();
      } finally {
        engine.snapshot.writeLock().unlock();
      }
    }

    @Override
    public int writerPragma(EmbeddedTenantStore store, String pragma) {
      if (!pragma.matches("[a-z_]+")) {
        throw new IllegalArgumentException("not a pragma name: " + pragma);
      }
      TenantEngine engine = store.engine();
      engine.snapshot.writeLock().lock();
      try (java.sql.Statement st = engine.resources.writeConnection().createStatement();
          java.sql.ResultSet rs = st.executeQuery("PRAGMA " + pragma)) {
        rs.next();
        return rs.getInt(1);
      } catch (SQLException e) {
        throw new IllegalStateException("cannot read PRAGMA " + pragma, e);
      } finally {
        engine.snapshot.writeLock().unlock();
      }
    }

    @Override
    public void fail(EmbeddedTenantStore store, Throwable cause) {
      TenantEngine engine = store.engine();
      engine.recordFailure(cause);
      engine.close();
    }
  }
}
