package io.mnemo4j.store.embedded;

import io.mnemo4j.spi.StoredMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.jspecify.annotations.Nullable;

/**
 * Opening a tenant's Lucene index so that it agrees with SQLite: reuse the committed index and
 * replay the change log past its commit's seq, or rebuild it from the memories table when it is
 * missing, unreadable, marked corrupt, belongs to another database, or has another document layout
 * ({@link IndexSchema#VERSION}). Each commit records the seq it covers, the database's random id
 * and the layout version. Thread-safe (stateless); the caller owns what it returns.
 */
final class TenantIndex {
  static final String DIRECTORY = "index";

  /**
   * Present when the index was found corrupt at run time: the next open rebuilds it from SQLite.
   */
  static final String REBUILD_MARKER = "index.rebuild";

  private static final String SEQ_KEY = "seq";
  private static final String DB_KEY = "db";

  /** Commit data key of {@link IndexSchema#VERSION}; absent in indexes of version 1. */
  private static final String SCHEMA_KEY = "schema";

  private TenantIndex() {}

  /**
   * An open index: its searchers, the change seq it reflects, and its index writer once the first
   * change needs one. Opening a writer costs about half of opening an index, and most opened
   * tenants are only searched, so an index that needs no catch-up opens with a reader alone.
   * Nothing else guards the index files: the engine's tenant lock keeps every other opener (another
   * process, another store in this one, purge) out before the index opens, so Lucene's {@code
   * write.lock}, taken when the writer is created, adds nothing. Thread-safe.
   */
  static final class Opened {
    private final Directory directory;
    private final TenantSearchers searchers;
    private final long seq;
    private volatile @Nullable IndexWriter writer;

    private Opened(
        Directory directory, TenantSearchers searchers, long seq, @Nullable IndexWriter writer) {
      this.directory = directory;
      this.searchers = searchers;
      this.seq = seq;
      this.writer = writer;
    }

    /** The searchers; they show the writer's changes once it exists. */
    TenantSearchers searchers() {
      return searchers;
    }

    /** The change seq the index reflected when it opened. */
    long seq() {
      return seq;
    }

    /** The index writer if one was created, for checking its state without creating it. */
    @Nullable IndexWriter writerIfOpen() {
      return writer;
    }

    /**
     * The index writer, created on first use on the commit the index opened with (nothing else
     * commits to it meanwhile), and handed to the searchers so that refreshes show its changes.
     */
    synchronized IndexWriter writer() throws IOException {
      IndexWriter w = writer;
      if (w == null) {
        w = new IndexWriter(directory, config(IndexWriterConfig.OpenMode.APPEND));
        searchers.useWriter(w);
        writer = w;
      }
      return w;
    }

    /**
     * Closes the searchers and the directory, dropping what the writer did not commit: only commits
     * with the seq they cover may reach the disk.
     */
    synchronized void closeQuietly() {
      TenantIndex.closeQuietly(searchers);
      IndexWriter w = writer;
      if (w != null) {
        rollbackQuietly(w);
      }
      TenantIndex.closeQuietly(directory);
    }
  }

  /**
   * Plain FSDirectory (memory-mapped): searchers are refreshed at most about once a second of
   * writes (see TenantEngine), so few small segments are flushed. An NRTCachingDirectory would keep
   * them in heap buffers, where vector search reads every vector through a copy and runs several
   * times slower than on mapped files.
   */
  private static Directory directory(Path path) throws IOException {
    return FSDirectory.open(path);
  }

  private static IndexWriterConfig config(IndexWriterConfig.OpenMode mode) {
    // commitOnClose=false: only commitIndex() commits, always with the seq the commit covers.
    // Reads refresh the searcher when writes are pending (TenantEngine), so a refresh must never
    // wait for merges:
    // Lucene's default full-flush merge wait (500 ms) halved add throughput.
    // A larger RAM buffer makes a rebuild produce few segments, so searches after it do not pay for
    // merges.
    return new IndexWriterConfig(IndexSchema.analyzer())
        .setOpenMode(mode)
        .setCommitOnClose(false)
        .setCodec(IndexSchema.CODEC)
        .setMaxFullFlushMergeWaitMillis(0)
        .setRAMBufferSizeMB(mode == IndexWriterConfig.OpenMode.CREATE ? 256 : 32);
  }

  static Opened open(Path dir, Connection c, String dbId) throws IOException, SQLException {
    Path path = dir.resolve(DIRECTORY);
    Path marker = dir.resolve(REBUILD_MARKER);
    long maxSeq = Rows.maxSeq(c);
    if (!Files.exists(marker)) {
      try {
        Opened existing = openExisting(path, c, dbId, maxSeq);
        if (existing != null) {
          return existing;
        }
      } catch (LockObtainFailedException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        // Unreadable or corrupt: the index is derived, so rebuild it rather than fail the tenant.
      }
    }
    return rebuild(path, marker, c, dbId, maxSeq);
  }

  /**
   * The existing index caught up with SQLite, or null when it must be rebuilt. With nothing to
   * replay it opens a reader alone; otherwise a writer, which replays and commits.
   */
  private static @Nullable Opened openExisting(Path path, Connection c, String dbId, long maxSeq)
      throws IOException, SQLException {
    if (!Files.isDirectory(path)) {
      return null;
    }
    Directory directory = directory(path);
    DirectoryReader reader = null;
    IndexWriter writer = null;
    try {
      if (!DirectoryReader.indexExists(directory)) {
        directory.close();
        return null;
      }
      // Opening a reader opens every segment, which catches most corruption here rather than at
      // search time.
      reader = DirectoryReader.open(directory);
      Map<String, String> data = reader.getIndexCommit().getUserData();
      long seq = parseSeq(data.get(SEQ_KEY));
      // Another database's index, one ahead of this database (restored from an older copy), or one
      // whose documents have another layout (built by an older build, lacking fields filters
      // read): start over.
      if (!dbId.equals(data.get(DB_KEY))
          || seq < 0
          || seq > maxSeq
          || !Integer.toString(IndexSchema.VERSION).equals(data.get(SCHEMA_KEY))) {
        reader.close();
        directory.close();
        return null;
      }
      Changed changed = changedSince(c, seq);
      if (changed.ids().isEmpty()) {
        DirectoryReader commitReader = reader;
        reader = null; // the searchers own it from here
        return new Opened(directory, new TenantSearchers(commitReader, null), seq, null);
      }
      reader.close();
      reader = null;
      writer = new IndexWriter(directory, config(IndexWriterConfig.OpenMode.APPEND));
      replay(writer, c, changed.ids());
      commit(writer, dbId, changed.last());
      pruneChanges(c, changed.last());
      return new Opened(
          directory,
          new TenantSearchers(DirectoryReader.open(writer), writer),
          changed.last(),
          writer);
    } catch (IOException | SQLException | RuntimeException e) {
      closeQuietly(reader);
      if (writer != null) {
        rollbackQuietly(writer);
      }
      closeQuietly(directory);
      throw e;
    }
  }

  private static long parseSeq(@Nullable String value) {
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The memories changed after a seq, and the last change's seq. */
  private record Changed(List<String> ids, long last) {}

  /** The memories the change log holds changes of after {@code seq}. */
  private static Changed changedSince(Connection c, long seq) throws SQLException {
    long last = seq;
    List<String> ids = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT memory_id, MAX(seq) FROM changes WHERE seq > ? GROUP BY memory_id")) {
      ps.setLong(1, seq);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
          last = Math.max(last, rs.getLong(2));
        }
      }
    }
    return new Changed(ids, last);
  }

  /** Applies each memory's current row, or its deletion. */
  private static void replay(IndexWriter writer, Connection c, List<String> ids)
      throws IOException, SQLException {
    for (String id : ids) {
      Optional<StoredMemory> row = Rows.select(c, id);
      Term term = new Term(IndexSchema.ID, id);
      if (row.isPresent()) {
        writer.updateDocument(term, IndexSchema.document(row.get()));
      } else {
        writer.deleteDocuments(term);
      }
    }
  }

  private static Opened rebuild(Path path, Path marker, Connection c, String dbId, long maxSeq)
      throws IOException, SQLException {
    FileTrees.deleteRecursively(path);
    Files.createDirectories(path);
    Directory directory = directory(path);
    IndexWriter writer = null;
    try {
      writer = new IndexWriter(directory, config(IndexWriterConfig.OpenMode.CREATE));
      try (PreparedStatement ps =
              c.prepareStatement("SELECT " + Rows.MEMORY_COLUMNS + " FROM memories");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          writer.addDocument(IndexSchema.document(Rows.memory(rs)));
        }
      }
      commit(writer, dbId, maxSeq);
      pruneChanges(c, maxSeq);
      Files.deleteIfExists(marker);
      return new Opened(
          directory, new TenantSearchers(DirectoryReader.open(writer), writer), maxSeq, writer);
    } catch (IOException | SQLException | RuntimeException e) {
      if (writer != null) {
        rollbackQuietly(writer);
      }
      closeQuietly(directory);
      throw e;
    }
  }

  static void commit(IndexWriter writer, String dbId, long seq) throws IOException {
    writer.setLiveCommitData(
        Map.of(
                SEQ_KEY,
                Long.toString(seq),
                DB_KEY,
                dbId,
                SCHEMA_KEY,
                Integer.toString(IndexSchema.VERSION))
            .entrySet());
    writer.commit();
  }

  /**
   * Drops log rows the committed index covers. Best effort: a row left behind only costs a no-op
   * replay.
   */
  static void pruneChanges(Connection c, long seq) {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM changes WHERE seq <= ?")) {
      ps.setLong(1, seq);
      ps.executeUpdate();
    } catch (SQLException ignored) {
      // See above.
    }
  }

  static void rollbackQuietly(IndexWriter writer) {
    try {
      writer.rollback();
    } catch (IOException | RuntimeException ignored) {
      // Rolling back is how we drop an index we no longer trust; nothing more to do.
    }
  }

  private static void closeQuietly(@Nullable AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception ignored) {
        // Already failing: the first error is the one worth reporting.
      }
    }
  }
}
