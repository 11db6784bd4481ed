package io.mnemo4j.store.embedded;

import io.mnemo4j.ConflictException;
import io.mnemo4j.ConversationMessage;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryType;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.internal.store.JdbcRows;
import io.mnemo4j.internal.store.MessageRows;
import io.mnemo4j.internal.store.StoredJson;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.WriteBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The SQLite schema of a tenant database and the mapping between its rows and the SPI records; JSON
 * columns (metadata, categories, provenance) are {@link StoredJson}'s text. Thread-safe
 * (stateless).
 */
final class Rows {
  static final int SCHEMA_VERSION = 7;
  static final int SQL_CHUNK = 500;

  static final String MEMORY_COLUMNS =
      "id, text, hash, user_id, agent_id, run_id, metadata, categories, role, "
          + "actor, created_at, updated_at, expires_at, valid_from, valid_to, provenance, embedding, embedding_model, "
          + "context, memory_type";

  /** The rows this store keeps as the PostgreSQL store does: history, events, messages, windows. */
  static final JdbcRows SHARED = new JdbcRows(Sqlite.TIMES);

  private Rows() {}

  /** Creates the tables on a fresh database; refuses a database written by a newer build. */
  static void createSchema(Connection c) throws SQLException {
    c.setAutoCommit(false);
    try {
      int version;
      try (PreparedStatement ps = c.prepareStatement("PRAGMA user_version");
          ResultSet rs = ps.executeQuery()) {
        version = rs.next() ? rs.getInt(1) : 0;
      }
      if (version > SCHEMA_VERSION) {
        throw new SQLException(
            "tenant database schema version " + version + " is newer than this build supports");
      }
      if (version < 1) {
        Sqlite.exec(
            c,
            "CREATE TABLE memories (id TEXT PRIMARY KEY, text TEXT NOT NULL, hash TEXT NOT NULL, "
                + "user_id TEXT, agent_id TEXT, run_id TEXT, metadata TEXT NOT NULL, categories TEXT NOT NULL, "
                + "role TEXT, actor TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, expires_at TEXT, "
                + "valid_from TEXT, valid_to TEXT, provenance TEXT NOT NULL, embedding BLOB NOT NULL, "
                + "embedding_model TEXT NOT NULL)");
        Sqlite.exec(c, "CREATE INDEX memories_hash ON memories(hash)");
        // pos keeps append order; history is never deleted with its memory.
        Sqlite.exec(
            c,
            "CREATE TABLE history (pos INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, "
                + "memory_id TEXT NOT NULL, event TEXT NOT NULL, old_text TEXT, new_text TEXT, actor TEXT NOT NULL, "
                + "at TEXT NOT NULL)");
        Sqlite.exec(c, "CREATE INDEX history_memory ON history(memory_id, pos)");
        Sqlite.exec(
            c,
            "CREATE TABLE messages (id TEXT PRIMARY KEY, user_id TEXT, agent_id TEXT, run_id TEXT, "
                + "role TEXT NOT NULL, name TEXT, content TEXT NOT NULL, received_at TEXT NOT NULL)");
        // Every Put/Remove appends here; the index replays rows past its committed seq.
        // AUTOINCREMENT never
        // reuses a seq, even after the log is pruned.
        Sqlite.exec(
            c,
            "CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, memory_id TEXT NOT NULL)");
        Sqlite.exec(c, "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
        Sqlite.exec(c, "INSERT INTO meta(key, value) VALUES ('db_id', lower(hex(randomblob(16))))");
      }
      if (version < 2) {
        // The conversation text before a memory, indexed for BM25 at a lower weight
        // (StoredMemory.context).
        Sqlite.exec(c, "ALTER TABLE memories ADD COLUMN context TEXT NOT NULL DEFAULT ''");
      }
      if (version < 3) {
        // Rows written before memory types existed are all messages stored as they were said.
        Sqlite.exec(
            c, "ALTER TABLE memories ADD COLUMN memory_type TEXT NOT NULL DEFAULT 'episodic'");
        Sqlite.exec(c, "ALTER TABLE history ADD COLUMN reason TEXT");
        // Operation records (StoredEvent). created_key is created_at in a form whose text order is
        // the instant order (ISO-8601 text is not: fraction digits vary), so the resume query can
        // sort in SQL; id breaks ties.
        Sqlite.exec(
            c,
            "CREATE TABLE events (id TEXT PRIMARY KEY, idempotency_key TEXT UNIQUE, "
                + "status TEXT NOT NULL, request TEXT NOT NULL, result TEXT, created_at TEXT NOT NULL, "
                + "created_key TEXT NOT NULL, updated_at TEXT NOT NULL)");
        Sqlite.exec(c, "CREATE INDEX events_status ON events(status, created_key, id)");
      }
      if (version < 4) {
        // Conversation windows (TenantStore.replaceConversation): ordered messages per id, kept
        // verbatim beside the memories and never indexed.
        Sqlite.exec(
            c,
            "CREATE TABLE conversations (conversation_id TEXT NOT NULL, pos INTEGER NOT NULL, "
                + "role TEXT NOT NULL, text TEXT NOT NULL, format TEXT NOT NULL, data TEXT NOT NULL, "
                + "PRIMARY KEY (conversation_id, pos)) WITHOUT ROWID");
      }
      if (version < 5) {
        // The second vector slot (TenantStore.putVectors): another model's vectors, kept until a
        // switch makes them the memories' own. Never indexed.
        Sqlite.exec(
            c,
            "CREATE TABLE model_vectors (model TEXT NOT NULL, memory_id TEXT NOT NULL, "
                + "embedding BLOB NOT NULL, PRIMARY KEY (model, memory_id)) WITHOUT ROWID");
      }
      if (version < 6) {
        // The memories of one add share their creation time (TenantStore.addNeighbours).
        Sqlite.exec(c, "CREATE INDEX memories_created ON memories(created_at, id)");
      }
      if (version < 7) {
        // Whether some add stored several memories (sharedCreationTimes): found once here, by one
        // pass over memories_created (tens of milliseconds at 100,000 memories), kept by writes.
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('" + SHARED_TIMES + "', ?)")) {
          ps.setString(1, anySharedCreationTime(c) ? "1" : "0");
          ps.executeUpdate();
        }
      }
      if (version < SCHEMA_VERSION) {
        Sqlite.exec(c, "PRAGMA user_version = " + SCHEMA_VERSION);
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  static void bindMemory(PreparedStatement ps, StoredMemory stored) throws SQLException {
    Memory m = stored.memory();
    ps.setString(1, m.id());
    ps.setString(2, m.text());
    ps.setString(3, m.hash());
    ps.setString(4, m.scope().userId());
    ps.setString(5, m.scope().agentId());
    ps.setString(6, m.scope().runId());
    ps.setString(7, StoredJson.write(m.metadata()));
    ps.setString(8, StoredJson.write(m.categories()));
    ps.setString(9, m.role() == null ? null : m.role().wireName());
    ps.setString(10, m.actor());
    ps.setString(11, Sqlite.time(m.createdAt()));
    ps.setString(12, Sqlite.time(m.updatedAt()));
    ps.setString(13, Sqlite.timeOrNull(m.expiresAt()));
    ps.setString(14, Sqlite.timeOrNull(m.validFrom()));
    ps.setString(15, Sqlite.timeOrNull(m.validTo()));
    ps.setString(16, StoredJson.writeProvenance(m.provenance()));
    ps.setBytes(17, floats(stored.embedding()));
    ps.setString(18, m.embeddingModel());
    ps.setString(19, stored.context());
    ps.setString(20, m.type().wireName());
  }

  /** Reads a row selected with {@link #MEMORY_COLUMNS}. */
  static StoredMemory memory(ResultSet rs) throws SQLException {
    Map<String, Object> metadata;
    List<String> categories;
    Memory.Provenance provenance;
    try {
      metadata = StoredJson.readObject(rs.getString(7));
      categories = StoredJson.readStrings(rs.getString(8));
      provenance = StoredJson.readProvenance(rs.getString(16));
    } catch (IOException e) {
      throw new SQLException("a stored JSON column is malformed", e);
    }
    String role = rs.getString(9);
    Memory m =
        new Memory(
            rs.getString(1),
            rs.getString(2),
            rs.getString(3),
            new Scope(rs.getString(4), rs.getString(5), rs.getString(6)),
            metadata,
            categories,
            role == null ? null : Role.parse("role", role),
            rs.getString(10),
            Sqlite.parseTime(rs.getString(11)),
            Sqlite.parseTime(rs.getString(12)),
            Sqlite.parseTimeOrNull(rs.getString(13)),
            Sqlite.parseTimeOrNull(rs.getString(14)),
            Sqlite.parseTimeOrNull(rs.getString(15)),
            provenance,
            rs.getString(18),
            MemoryType.parse("memory_type", rs.getString(20)));
    return new StoredMemory(m, floats(rs.getBytes(17)), rs.getString(19));
  }

  private static final String FIND_BY_HASH =
      "SELECT "
          + MEMORY_COLUMNS
          + " FROM memories WHERE hash = ? "
          + "AND user_id IS ? AND agent_id IS ? AND run_id IS ? ORDER BY id LIMIT 1";

  /**
   * The list length of a by-id select for {@code n} ids: a power of two from 8, at most the chunk.
   */
  static int selectSlots(int n) {
    int slots = 8;
    while (slots < n) {
      slots *= 2;
    }
    return Math.min(slots, SQL_CHUNK);
  }

  /**
   * A memory of exactly {@code scope} with this text hash, read on a connection borrowed from
   * {@code reads}. Asked for every message an add ingests: the statement is prepared once per
   * connection.
   */
  static Optional<StoredMemory> findByHash(ReadPool reads, Connection c, Scope scope, String hash)
      throws SQLException {
    PreparedStatement ps = reads.prepared(c, FIND_BY_HASH);
    ps.setString(1, hash);
    ps.setString(2, scope.userId());
    ps.setString(3, scope.agentId());
    ps.setString(4, scope.runId());
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(memory(rs)) : Optional.empty();
    }
  }

  /** The raw-message rows this store shares with the PostgreSQL store. */
  static final MessageRows MESSAGES = new MessageRows(Sqlite.TIMES);

  /**
   * The memories whose provenance names at least one of these message ids, in ascending id order.
   */
  static List<StoredMemory> derivedFrom(Connection c, List<String> messageIds) throws SQLException {
    java.util.TreeMap<String, StoredMemory> out = new java.util.TreeMap<>();
    for (List<String> chunk : MessageRows.chunks(messageIds)) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT "
                  + MEMORY_COLUMNS
                  + " FROM memories WHERE EXISTS (SELECT 1 FROM json_each(memories.provenance,"
                  + " '$.message_ids') AS j WHERE j.value IN ("
                  + MessageRows.marks(chunk.size())
                  + "))")) {
        MessageRows.bind(ps, 1, chunk);
        for (StoredMemory m : JdbcRows.all(ps, Rows::memory)) {
          out.put(m.id(), m);
        }
      }
    }
    return List.copyOf(out.values());
  }

  /** Same scope and creation time as the memory {@code t}, and an id on one side of its id. */
  private static final String SAME_ADD =
      " FROM memories x WHERE x.created_at = t.created_at AND x.user_id IS t.user_id"
          + " AND x.agent_id IS t.agent_id AND x.run_id IS t.run_id AND x.id ";

  /** See {@link #addNeighbours}; the ids come as one JSON array so the text never varies. */
  private static final String ADD_NEIGHBOURS =
      "WITH b AS MATERIALIZED (SELECT t.id AS id, t.created_at AS at, t.user_id AS u,"
          + " t.agent_id AS a, t.run_id AS r,"
          + " coalesce((SELECT min(y.id) FROM (SELECT x.id"
          + SAME_ADD
          + "< t.id ORDER BY x.id DESC LIMIT ?) y), t.id) AS lo,"
          + " coalesce((SELECT max(y.id) FROM (SELECT x.id"
          + SAME_ADD
          + "> t.id ORDER BY x.id LIMIT ?) y), t.id) AS hi"
          + " FROM memories t WHERE t.id IN (SELECT value FROM json_each(?)))"
          + " SELECT b.id, m.id, m.actor, m.embedding_model, m.embedding FROM b"
          + " LEFT JOIN memories m ON m.created_at = b.at AND m.id BETWEEN b.lo AND b.hi"
          + " AND m.id <> b.id AND m.user_id IS b.u AND m.agent_id IS b.a AND m.run_id IS b.r";

  /**
   * Up to {@code span} memories on either side of each id among those with its scope and creation
   * time, by id, with their actors and vectors (TenantStore.addNeighbours), read on a connection
   * borrowed from {@code reads}. One statement, prepared once per connection (preparing it cost a
   * third of running it): for each id, two subqueries find the farthest of the {@code span} ids
   * before and after it in its add (through the {@code memories_created} index), and the neighbours
   * are the add's rows between those two ids, an index range, so an add of thousands of messages
   * still reads about {@code 2·span} rows per id. The bounds are materialised: left to the planner,
   * the subqueries were flattened into the join and run again for every row of the add (five times
   * the time of loading the candidates' whole rows).
   */
  static java.util.Map<String, List<io.mnemo4j.spi.AddNeighbour>> addNeighbours(
      ReadPool reads, Connection c, List<String> ids, int span) throws SQLException {
    java.util.Map<String, List<io.mnemo4j.spi.AddNeighbour>> out = new HashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    PreparedStatement ps = reads.prepared(c, ADD_NEIGHBOURS);
    ps.setInt(1, span);
    ps.setInt(2, span);
    ps.setString(3, StoredJson.write(List.copyOf(new LinkedHashSet<>(ids))));
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        List<io.mnemo4j.spi.AddNeighbour> near =
            out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>());
        String n = rs.getString(2);
        if (n != null) {
          near.add(
              new io.mnemo4j.spi.AddNeighbour(
                  n, rs.getString(3), rs.getString(4), floats(rs.getBytes(5))));
        }
      }
    }
    return out;
  }

  /** The {@code meta} key of {@link #sharedCreationTimes}. */
  private static final String SHARED_TIMES = "shared_creation_times";

  /**
   * Whether two memories may share a creation time (some add stored several), as kept in {@code
   * meta}; true when unknown.
   */
  static boolean sharedCreationTimes(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT value FROM meta WHERE key = '" + SHARED_TIMES + "'")) {
      try (ResultSet rs = ps.executeQuery()) {
        return !rs.next() || !"0".equals(rs.getString(1));
      }
    }
  }

  /**
   * Inside a write's transaction, before its commit: if the memories it put gave two memories one
   * creation time (among themselves or with stored ones), records so in {@code meta} and sets
   * {@code shared}, so that a search that can see the rows also sees the flag. One index probe per
   * creation time while the flag is not set; nothing once it is.
   */
  private static void noteSharedTimes(
      Connection c,
      Map<String, PreparedStatement> statements,
      List<WriteBatch> batches,
      java.util.concurrent.atomic.AtomicBoolean shared)
      throws SQLException {
    if (shared.get()) {
      return;
    }
    Map<Instant, String> idByTime = new HashMap<>();
    for (WriteBatch batch : batches) {
      for (Change change : batch.changes()) {
        if (change instanceof Change.Put put) {
          idByTime.putIfAbsent(put.memory().memory().createdAt(), put.memory().id());
        }
      }
    }
    // The transaction sees its own rows: a time two puts share is found like a stored one.
    if (!idByTime.isEmpty() && anyOtherCreatedAt(prepared(c, statements, OTHER_AT), idByTime)) {
      Sqlite.exec(
          c, "INSERT OR REPLACE INTO meta(key, value) VALUES ('" + SHARED_TIMES + "', '1')");
      shared.set(true);
    }
  }

  /**
   * Whether two memories share a creation time (an add stored several): one ordered pass over the
   * {@code memories_created} index that stops at the first shared time.
   */
  static boolean anySharedCreationTime(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT 1 FROM memories INDEXED BY memories_created GROUP BY created_at"
                    + " HAVING count(*) > 1 LIMIT 1");
        ResultSet rs = ps.executeQuery()) {
      return rs.next();
    }
  }

  /** See {@link #anyOtherCreatedAt}. */
  private static final String OTHER_AT =
      "SELECT 1 FROM memories WHERE created_at = ? AND id <> ? LIMIT 1";

  /**
   * Whether a stored memory other than the given one (by id) has one of these creation times;
   * {@code ps} is {@link #OTHER_AT}, from the write statements' cache (it runs on every add while
   * the flag is unset).
   */
  private static boolean anyOtherCreatedAt(PreparedStatement ps, Map<Instant, String> idByTime)
      throws SQLException {
    for (Map.Entry<Instant, String> e : idByTime.entrySet()) {
      ps.setString(1, Sqlite.time(e.getKey()));
      ps.setString(2, e.getValue());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * {@link #addNeighbours}'s answer when no two memories share a creation time: every id that
   * exists maps to no neighbours.
   */
  static java.util.Map<String, List<io.mnemo4j.spi.AddNeighbour>> noNeighbours(
      ReadPool reads, Connection c, List<String> ids) throws SQLException {
    java.util.Map<String, List<io.mnemo4j.spi.AddNeighbour>> out = new HashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    PreparedStatement ps =
        reads.prepared(c, "SELECT id FROM memories WHERE id IN (SELECT value FROM json_each(?))");
    ps.setString(1, StoredJson.write(List.copyOf(new LinkedHashSet<>(ids))));
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), new ArrayList<>());
      }
    }
    return out;
  }

  /** Operation records in any of {@code statuses}, oldest first, then by id; at most limit. */
  static List<StoredEvent> events(Connection c, List<EventStatus> statuses, int limit)
      throws SQLException {
    String marks = String.join(", ", Collections.nCopies(statuses.size(), "?"));
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + JdbcRows.EVENT_COLUMNS
                + " FROM events WHERE status IN ("
                + marks
                + ") ORDER BY created_key, id LIMIT ?")) {
      for (int i = 0; i < statuses.size(); i++) {
        ps.setString(i + 1, statuses.get(i).name());
      }
      ps.setInt(statuses.size() + 1, limit);
      return JdbcRows.all(ps, SHARED::event);
    }
  }

  /** Hex of the index's 12-byte time encoding: text order is instant order, for every instant. */
  static String sortableTime(Instant t) {
    return HexFormat.of().formatHex(IndexSchema.time(t));
  }

  static byte[] floats(float[] vector) {
    ByteBuffer buffer =
        ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(vector);
    return buffer.array();
  }

  static float[] floats(byte[] bytes) {
    float[] out = new float[bytes.length / Float.BYTES];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  static String dbId(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT value FROM meta WHERE key = 'db_id'");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new SQLException("tenant database has no db_id");
      }
      return rs.getString(1);
    }
  }

  static long maxSeq(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement("SELECT seq FROM sqlite_sequence WHERE name = 'changes'");
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  private static final String PUT =
      "INSERT OR REPLACE INTO memories("
          + MEMORY_COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String REMOVE = "DELETE FROM memories WHERE id = ?";
  private static final String LOG = "INSERT INTO changes(memory_id) VALUES (?) RETURNING seq";
  private static final String HISTORY =
      "INSERT INTO history("
          + JdbcRows.HISTORY_COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET memory_id = excluded.memory_id, "
          + "event = excluded.event, old_text = excluded.old_text, new_text = excluded.new_text, actor = excluded.actor, "
          + "at = excluded.at, reason = excluded.reason";
  // Upsert by id only: INSERT OR REPLACE would also delete another event holding the same key.
  private static final String EVENT =
      "INSERT INTO events("
          + JdbcRows.EVENT_COLUMNS
          + ", created_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
          + "idempotency_key = excluded.idempotency_key, status = excluded.status, "
          + "request = excluded.request, result = excluded.result, created_at = excluded.created_at, "
          + "updated_at = excluded.updated_at, created_key = excluded.created_key";
  private static final String KEY_HOLDER =
      "SELECT 1 FROM events WHERE idempotency_key = ? AND id <> ?";
  private static final String MESSAGE =
      "INSERT OR REPLACE INTO messages("
          + JdbcRows.MESSAGE_COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

  /**
   * What one batch of a group commit came to: the last change seq it wrote (-1 without changes), or
   * why it alone was refused.
   */
  record Outcome(long seq, @Nullable RuntimeException refused) {}

  /**
   * Writes several batches in one transaction and one commit (one fsync), each all-or-nothing as in
   * {@link #write}: {@code check} runs before each batch's statements, and a batch that it refuses,
   * or whose idempotency key another event holds, is rolled back to its savepoint and reported in
   * its {@link Outcome} while the others commit. Any other failure rolls the whole group back and
   * is thrown: then nothing of any batch was written.
   */
  static List<Outcome> writeGroup(
      Connection c,
      Map<String, PreparedStatement> statements,
      List<WriteBatch> batches,
      java.util.function.Consumer<WriteBatch> check,
      java.util.concurrent.atomic.AtomicBoolean sharedTimes)
      throws SQLException {
    List<Outcome> outcomes = new ArrayList<>(batches.size());
    c.setAutoCommit(false);
    try {
      for (WriteBatch batch : batches) {
        Savepoint savepoint = c.setSavepoint();
        try {
          check.accept(batch);
          long seq = writeBatch(c, statements, batch);
          c.releaseSavepoint(savepoint);
          outcomes.add(new Outcome(seq, null));
        } catch (ConflictException | InvalidRequestException refused) {
          closeAll(
              statements); // as in write: prepared again, in case the failure left one unusable
          c.rollback(savepoint);
          c.releaseSavepoint(savepoint);
          outcomes.add(new Outcome(-1, refused));
        }
      }
      noteSharedTimes(c, statements, batches, sharedTimes);
      c.commit();
      return outcomes;
    } catch (SQLException | RuntimeException e) {
      rollback(c, statements, e);
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** What {@link #write} did: the batch's last change seq and how many raw messages it deleted. */
  record Written(long seq, long messagesDeleted) {}

  /**
   * Writes one batch in a transaction of its own and deletes the raw messages with these ids in the
   * same transaction (erasing a conversation: rare, so it does not join a group commit).
   */
  static Written write(
      Connection c,
      Map<String, PreparedStatement> statements,
      WriteBatch batch,
      List<String> eraseMessages,
      java.util.concurrent.atomic.AtomicBoolean sharedTimes)
      throws SQLException {
    c.setAutoCommit(false);
    try {
      long seq = writeBatch(c, statements, batch);
      long erased = eraseMessages.isEmpty() ? 0 : MessageRows.delete(c, "messages", eraseMessages);
      noteSharedTimes(c, statements, List.of(batch), sharedTimes);
      c.commit();
      return new Written(seq, erased);
    } catch (SQLException | RuntimeException e) {
      rollback(c, statements, e);
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** The statements of one batch, inside the caller's transaction; returns its last change seq. */
  private static long writeBatch(
      Connection c, Map<String, PreparedStatement> statements, WriteBatch batch)
      throws SQLException {
    // Events first: a refused key then costs no other statement.
    writeEvents(c, statements, batch.events());
    long seq = writeChanges(c, statements, batch.changes());
    writeRows(c, statements, HISTORY, batch.history(), SHARED::bindHistory);
    writeRows(c, statements, MESSAGE, batch.messages(), SHARED::bindMessage);
    return seq;
  }

  private static void rollback(
      Connection c, Map<String, PreparedStatement> statements, Exception cause) {
    closeAll(statements); // prepared again next time, in case a failure left one unusable
    try {
      c.rollback();
    } catch (SQLException suppressed) {
      cause.addSuppressed(suppressed);
    }
  }

  /**
   * Inserts or replaces operation records by id; a key another record holds is a {@link
   * ConflictException}.
   */
  private static void writeEvents(
      Connection c, Map<String, PreparedStatement> statements, List<StoredEvent> events)
      throws SQLException {
    if (events.isEmpty()) {
      return;
    }
    PreparedStatement holder = prepared(c, statements, KEY_HOLDER);
    PreparedStatement ps = prepared(c, statements, EVENT);
    for (StoredEvent e : events) {
      if (e.idempotencyKey() != null) {
        // Checked inside the IMMEDIATE transaction, so no other writer can take the key between
        // this check and the commit; the unique index stays the last word.
        holder.setString(1, e.idempotencyKey());
        holder.setString(2, e.id());
        try (ResultSet rs = holder.executeQuery()) {
          if (rs.next()) {
            throw keyTaken(e);
          }
        }
      }
      SHARED.bindEvent(ps, e);
      ps.setString(8, sortableTime(e.createdAt()));
      try {
        ps.executeUpdate();
      } catch (SQLException x) {
        if (Sqlite.isConstraint(x)) {
          throw keyTaken(e);
        }
        throw x;
      }
    }
  }

  /**
   * Applies puts and removes in order, logging each in the change log the index replays from;
   * returns the last change seq, or -1 without changes.
   */
  static long writeChanges(
      Connection c, Map<String, PreparedStatement> statements, List<Change> changes)
      throws SQLException {
    long seq = -1;
    PreparedStatement log = null;
    for (Change change : changes) {
      String id =
          switch (change) {
            case Change.Put p -> {
              PreparedStatement put = prepared(c, statements, PUT);
              bindMemory(put, p.memory());
              put.executeUpdate();
              yield p.memory().id();
            }
            case Change.Remove r -> {
              PreparedStatement remove = prepared(c, statements, REMOVE);
              remove.setString(1, r.id());
              remove.executeUpdate();
              yield r.id();
            }
          };
      if (log == null) {
        log = prepared(c, statements, LOG);
      }
      log.setString(1, id);
      try (ResultSet rs = log.executeQuery()) {
        rs.next();
        seq = rs.getLong(1);
      }
    }
    return seq;
  }

  /** Runs {@code sql} once per row, bound by {@code binder}. */
  private static <T> void writeRows(
      Connection c,
      Map<String, PreparedStatement> statements,
      String sql,
      List<T> rows,
      JdbcRows.RowBinder<T> binder)
      throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    PreparedStatement ps = prepared(c, statements, sql);
    for (T row : rows) {
      binder.bind(ps, row);
      ps.executeUpdate();
    }
  }

  private static ConflictException keyTaken(StoredEvent e) {
    // Names the event, never the key: keys are caller data.
    return new ConflictException(
        "idempotency key of event " + e.id() + " is already held by another event");
  }

  /** The statement for {@code sql} from {@code cache}, prepared on {@code c} the first time. */
  static PreparedStatement prepared(Connection c, Map<String, PreparedStatement> cache, String sql)
      throws SQLException {
    PreparedStatement ps = cache.get(sql);
    if (ps == null) {
      ps = c.prepareStatement(sql);
      cache.put(sql, ps);
    }
    return ps;
  }

  /** Closes and forgets cached statements. */
  static void closeAll(Map<String, PreparedStatement> cache) {
    for (PreparedStatement ps : cache.values()) {
      try {
        ps.close();
      } catch (SQLException ignored) {
        // Closing a statement loses nothing.
      }
    }
    cache.clear();
  }

  static Optional<StoredMemory> select(Connection c, String id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT " + MEMORY_COLUMNS + " FROM memories WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(memory(rs)) : Optional.empty();
      }
    }
  }

  /** The rows for {@code ids} in their order, skipping missing ones, read in one transaction. */
  static List<StoredMemory> selectAll(ReadPool reads, Connection c, List<String> ids)
      throws SQLException {
    if (ids.isEmpty()) {
      return List.of();
    }
    List<String> distinct = List.copyOf(new LinkedHashSet<>(ids));
    Map<String, StoredMemory> found = new HashMap<>();
    // One statement reads one snapshot; several need a transaction to read the same one.
    boolean chunked = distinct.size() > SQL_CHUNK;
    if (chunked) {
      c.setAutoCommit(false);
    }
    try {
      for (int from = 0; from < distinct.size(); from += SQL_CHUNK) {
        List<String> chunk = distinct.subList(from, Math.min(distinct.size(), from + SQL_CHUNK));
        // A few fixed list lengths, the rest padded with a repeated id, so that the statement is
        // prepared once per connection: preparing was a sixth of loading a search's candidates.
        int slots = selectSlots(chunk.size());
        PreparedStatement ps =
            reads.prepared(
                c,
                "SELECT "
                    + MEMORY_COLUMNS
                    + " FROM memories WHERE id IN ("
                    + String.join(", ", Collections.nCopies(slots, "?"))
                    + ")");
        for (int i = 0; i < slots; i++) {
          ps.setString(i + 1, chunk.get(Math.min(i, chunk.size() - 1)));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            StoredMemory m = memory(rs);
            found.put(m.id(), m);
          }
        }
      }
      if (chunked) {
        c.commit();
      }
    } catch (SQLException | RuntimeException e) {
      if (chunked) {
        c.rollback();
      }
      throw e;
    } finally {
      if (chunked) {
        c.setAutoCommit(true);
      }
    }
    List<StoredMemory> out = new ArrayList<>(ids.size());
    for (String id : ids) {
      StoredMemory m = found.get(id);
      if (m != null) {
        out.add(m);
      }
    }
    return out;
  }

  private static final String DELETE_CONVERSATION =
      "DELETE FROM conversations WHERE conversation_id = ?";
  private static final String INSERT_CONVERSATION = JdbcRows.insertWindowMessage("conversations");

  /** Replaces one conversation window in one transaction (an empty list deletes it). */
  static void replaceConversation(
      Connection c,
      Map<String, PreparedStatement> statements,
      String conversationId,
      List<ConversationMessage> messages)
      throws SQLException {
    c.setAutoCommit(false);
    try {
      PreparedStatement delete = prepared(c, statements, DELETE_CONVERSATION);
      delete.setString(1, conversationId);
      delete.executeUpdate();
      if (!messages.isEmpty()) {
        PreparedStatement insert = prepared(c, statements, INSERT_CONVERSATION);
        JdbcRows.addWindow(insert, conversationId, messages);
        insert.executeBatch();
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      closeAll(statements);
      try {
        c.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }
}
