package io.mnemo4j.store.embedded;

import io.mnemo4j.HistoryEntry;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Scope;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantId;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScoredId;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.BytesRef;
import org.jspecify.annotations.Nullable;

/**
 * One open tenant: its SQLite database (source of truth) and its Lucene index (derived, caught up from the change
 * log). Shared by every {@link TenantHandle} of the tenant in one {@link EmbeddedStore}. Thread-safe.
 *
 * <p>Locks: {@code lifecycle} is held shared by every call and exclusively by close, so resources never close under
 * a running call. {@code snapshot} is held exclusively by a write from its SQLite transaction until the index is
 * refreshed, and shared by {@code list} across its index query and row loading, so a page never mixes versions.
 * Searches and counts read one Lucene snapshot and need no SQLite rows, so they take neither.
 */
final class TenantEngine {
  static final String DATABASE = "memories.db";
  static final String LOCK_FILE = "tenant.lock";

  // Lucene commits are lazy because the change log replays whatever a crash loses; these bound replay work.
  static final int COMMIT_EVERY_CHANGES = 1_000;
  static final long COMMIT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(60);

  private static final int READ_CONNECTIONS = 4;
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
  /** Vector dimension per embedding model, so a mismatch is refused before SQLite commits, not after. */
  private final Map<String, Integer> dimensions = new ConcurrentHashMap<>();

  // Guarded by snapshot's write lock.
  private long appliedSeq;
  private long committedSeq;
  private long lastCommitNanos;

  private volatile @Nullable Throwable failure;
  private volatile boolean closed;

  private TenantEngine(TenantId tenant, Path dir, FileChannel lockChannel, FileLock tenantLock,
      Connection writeConnection, ReadPool reads, String dbId, TenantIndex.Opened index) {
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
      channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      lock = tryLock(channel, tenant);
      connection = Sqlite.open(dir.resolve(DATABASE), true);
      Rows.createSchema(connection);
      String dbId = Rows.dbId(connection);
      pool = new ReadPool(dir.resolve(DATABASE), READ_CONNECTIONS);
      index = TenantIndex.open(dir, connection, dbId);
      TenantEngine engine = new TenantEngine(tenant, dir, channel, lock, connection, pool, dbId, index);
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
      throw new StoreUnavailableException("tenant '" + tenant + "' is already open in this process", e);
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
          dimensions.put(info.name.substring("vec:".length()), info.getVectorDimension());
        }
      }
    } finally {
      searchers.release(searcher);
    }
  }

  // ---------------------------------------------------------------------------------------------------- writes

  void write(WriteBatch batch) {
    run("write", () -> {
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
        Map<String, Integer> newDimensions = checkDimensions(batch);
        long seq = Rows.write(writeConnection, batch);
        // Acknowledged from here on. An index failure below must not fail the call: the batch is durable and
        // replays from the change log when the tenant is opened again.
        try {
          for (int i = 0; i < terms.size(); i++) {
            Document doc = docs.get(i);
            if (doc == null) {
              writer.deleteDocuments(terms.get(i));
            } else {
              writer.updateDocument(terms.get(i), doc);
            }
          }
          dimensions.putAll(newDimensions);
          if (seq > appliedSeq) {
            appliedSeq = seq;
          }
          if (appliedSeq - committedSeq >= COMMIT_EVERY_CHANGES
              || System.nanoTime() - lastCommitNanos >= COMMIT_EVERY_NANOS) {
            commitIndex();
          }
          searchers.maybeRefreshBlocking();
        } catch (IOException | RuntimeException e) {
          recordFailure(e);
        }
      } finally {
        snapshot.writeLock().unlock();
      }
      return null;
    });
  }

  private Map<String, Integer> checkDimensions(WriteBatch batch) {
    Map<String, Integer> added = new HashMap<>();
    for (Change change : batch.changes()) {
      if (change instanceof Change.Put put && put.memory().embedding().length > 0) {
        String model = put.memory().memory().embeddingModel();
        int length = put.memory().embedding().length;
        Integer known = dimensions.get(model);
        if (known == null) {
          known = added.putIfAbsent(model, length);
        }
        if (known != null && known != length) {
          throw new InvalidRequestException("embedding", "embedding model '" + model + "' has " + known
              + " dimensions in this tenant; memory " + put.memory().id() + " has " + length);
        }
      }
    }
    return added;
  }

  /** Commits the index with the seq it covers, then prunes the log. Caller holds the snapshot write lock. */
  private void commitIndex() throws IOException {
    TenantIndex.commit(writer, dbId, appliedSeq);
    committedSeq = appliedSeq;
    lastCommitNanos = System.nanoTime();
    TenantIndex.pruneChanges(writeConnection, committedSeq);
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
    return run("findByHash", () -> withReader(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + Rows.MEMORY_COLUMNS + " FROM memories WHERE "
          + "hash = ? AND user_id IS ? AND agent_id IS ? AND run_id IS ? ORDER BY id LIMIT 1")) {
        ps.setString(1, hash);
        ps.setString(2, scope.userId());
        ps.setString(3, scope.agentId());
        ps.setString(4, scope.runId());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(Rows.memory(rs)) : Optional.<StoredMemory>empty();
        }
      }
    }));
  }

  List<HistoryEntry> history(String memoryId) {
    return run("history", () -> withReader(c -> {
      List<HistoryEntry> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id, memory_id, event, old_text, new_text, actor, at "
          + "FROM history WHERE memory_id = ? ORDER BY pos")) {
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

  Page<StoredMemory> list(ScopeFilter scope, FilterExpr filter, PageRequest page) {
    String cursor = page.cursor();
    if (cursor != null && !IndexSchema.ID_PATTERN.matcher(cursor).matches()) {
      throw new InvalidRequestException("cursor", "cursor is not one this store handed out");
    }
    Query query = FilterCompiler.compile(scope, filter);
    if (cursor != null) {
      query = FilterCompiler.and(
          List.of(query, TermRangeQuery.newStringRange(IndexSchema.ID, cursor, null, false, false)));
    }
    Query q = query;
    return run("list", () -> {
      snapshot.readLock().lock();
      try {
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
    return run("count", () -> {
      IndexSearcher searcher = searchers.acquire();
      try {
        return (long) searcher.count(q);
      } finally {
        searchers.release(searcher);
      }
    });
  }

  List<ScoredId> vectorSearch(String model, float[] query, ScopeFilter scope, FilterExpr filter, int k) {
    requirePositive(k);
    for (float f : query) {
      if (!Float.isFinite(f)) {
        throw new InvalidRequestException("query", "query vector is not finite");
      }
    }
    Query f = FilterCompiler.compile(scope, filter);
    return run("vectorSearch", () -> {
      Integer dimension = dimensions.get(model);
      if (dimension == null || f instanceof MatchNoDocsQuery) {
        return List.of();
      }
      if (dimension != query.length) {
        throw new InvalidRequestException("query", "query vector has " + query.length + " dimensions; model '"
            + model + "' has " + dimension + " in this tenant");
      }
      IndexSearcher searcher = searchers.acquire();
      try {
        int n = Math.min(k, searcher.getIndexReader().maxDoc());
        if (n == 0) {
          return List.of();
        }
        Query knn = new KnnFloatVectorQuery(
            IndexSchema.vectorField(model), query, n, FilterCompiler.matchesAll(f) ? null : f);
        // Lucene scores DOT_PRODUCT as (1 + dot) / 2; vectors are unit length, so dot is the cosine.
        return scored(searcher, searcher.search(knn, n), s -> 2.0 * s - 1.0);
      } finally {
        searchers.release(searcher);
      }
    });
  }

  List<ScoredId> textSearch(String query, ScopeFilter scope, FilterExpr filter, int k) {
    requirePositive(k);
    List<String> terms = IndexSchema.queryTerms(query);
    Query f = FilterCompiler.compile(scope, filter);
    return run("textSearch", () -> {
      if (terms.isEmpty() || f instanceof MatchNoDocsQuery) {
        return List.of();
      }
      BooleanQuery.Builder text = new BooleanQuery.Builder();
      for (String term : terms) {
        text.add(new TermQuery(new Term(IndexSchema.TEXT, term)), Occur.SHOULD);
      }
      BooleanQuery.Builder q = new BooleanQuery.Builder().add(text.build(), Occur.MUST);
      if (!FilterCompiler.matchesAll(f)) {
        q.add(f, Occur.FILTER);
      }
      IndexSearcher searcher = searchers.acquire();
      try {
        int n = Math.min(k, searcher.getIndexReader().maxDoc());
        if (n == 0) {
          return List.of();
        }
        return scored(searcher, searcher.search(q.build(), n), s -> s);
      } finally {
        searchers.release(searcher);
      }
    });
  }

  private static void requirePositive(int k) {
    if (k < 1) {
      throw new InvalidRequestException("k", "k must be at least 1, got " + k);
    }
  }

  private static List<ScoredId> scored(IndexSearcher searcher, TopDocs docs, ScoreMap map) throws IOException {
    StoredFields fields = searcher.storedFields();
    List<ScoredId> out = new ArrayList<>(docs.scoreDocs.length);
    for (ScoreDoc hit : docs.scoreDocs) {
      out.add(new ScoredId(fields.document(hit.doc, ID_ONLY).get(IndexSchema.ID), map.apply(hit.score)));
    }
    return out;
  }

  @FunctionalInterface
  private interface ScoreMap {
    double apply(float score);
  }

  // ------------------------------------------------------------------------------------------- stats, lifecycle

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
      // Close errors are swallowed: SQLite holds every acknowledged write, and the index catches up on open.
      if (failure == null) {
        try {
          snapshot.writeLock().lock();
          try {
            if (writer.hasUncommittedChanges() || appliedSeq > committedSeq) {
              commitIndex();
            }
          } finally {
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

  /** Package-private crash simulation for tests: drops uncommitted index changes, as a killed process would. */
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

  /** Package-private fault injection for tests: behaves as if {@code cause} were an unrecoverable I/O error. */
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

  /** Runs a call under the shared lifecycle lock, translating failures; a fatal one closes the engine. */
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
      throw new InvalidRequestException("filter", "filter is too large for the embedded store (more than "
          + IndexSearcher.getMaxClauseCount() + " clauses)");
    } catch (AlreadyClosedException e) {
      // Lucene closes its writer itself on a tragic error; anything else closed under us means we are closing.
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
