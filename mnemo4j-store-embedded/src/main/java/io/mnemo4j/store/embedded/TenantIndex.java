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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.SearcherManager;
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

  /** An open index and the change seq it reflects. */
  record Opened(Directory directory, IndexWriter writer, SearcherManager searchers, long seq) {}

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

  /** The existing index caught up with SQLite, or null when it must be rebuilt. */
  private static @Nullable Opened openExisting(Path path, Connection c, String dbId, long maxSeq)
      throws IOException, SQLException {
    if (!Files.isDirectory(path)) {
      return null;
    }
    Directory directory = directory(path);
    IndexWriter writer = null;
    SearcherManager searchers = null;
    try {
      if (!DirectoryReader.indexExists(directory)) {
        directory.close();
        return null;
      }
      writer = new IndexWriter(directory, config(IndexWriterConfig.OpenMode.APPEND));
      Map<String, String> data = new HashMap<>();
      writer.getLiveCommitData().forEach(e -> data.put(e.getKey(), e.getValue()));
      long seq = parseSeq(data.get(SEQ_KEY));
      // Another database's index, one ahead of this database (restored from an older copy), or one
      // whose documents have another layout (built by an older build, lacking fields filters
      // read): start over.
      if (!dbId.equals(data.get(DB_KEY))
          || seq < 0
          || seq > maxSeq
          || !Integer.toString(IndexSchema.VERSION).equals(data.get(SCHEMA_KEY))) {
        writer.rollback();
        directory.close();
        return null;
      }
      // Opening a reader opens every segment, which catches most corruption here rather than at
      // search time.
      searchers = new SearcherManager(writer, IndexSchema.SEARCHERS);
      long applied = replay(writer, c, seq);
      if (applied > seq) {
        commit(writer, dbId, applied);
        pruneChanges(c, applied);
      }
      searchers.maybeRefreshBlocking();
      return new Opened(directory, writer, searchers, applied);
    } catch (IOException | SQLException | RuntimeException e) {
      closeQuietly(searchers);
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

  /**
   * Applies every change after {@code seq}: the memory's current row, or its deletion. Returns the
   * last seq.
   */
  private static long replay(IndexWriter writer, Connection c, long seq)
      throws IOException, SQLException {
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
    for (String id : ids) {
      Optional<StoredMemory> row = Rows.select(c, id);
      Term term = new Term(IndexSchema.ID, id);
      if (row.isPresent()) {
        writer.updateDocument(term, IndexSchema.document(row.get()));
      } else {
        writer.deleteDocuments(term);
      }
    }
    return last;
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
          directory, writer, new SearcherManager(writer, IndexSchema.SEARCHERS), maxSeq);
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
