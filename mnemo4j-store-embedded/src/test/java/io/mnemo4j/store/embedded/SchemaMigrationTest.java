package io.mnemo4j.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.ConflictException;
import io.mnemo4j.ConversationMessage;
import io.mnemo4j.EventType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryType;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.filter.FilterParser;
import io.mnemo4j.spi.Catalog;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import io.mnemo4j.testing.TestEmbeddings;
import io.mnemo4j.testing.TestMemories;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.store.FSDirectory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory written by the build before schema v3 (tenant database v2 with its Lucene index,
 * catalog v2) opens and migrates: memories read back as episodic, history without a reason, tenants
 * on shard "0", and the old index, whose documents lack the world-time and memory-type fields, is
 * rebuilt so that filters on them are right.
 */
class SchemaMigrationTest {
  private static final ScopeFilter EVERYTHING = new ScopeFilter.Everything();
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  @TempDir Path dataDir;

  /** The tenant schema v2, as the build before v3 created it. */
  private static final List<String> TENANT_V2 =
      List.of(
          "CREATE TABLE memories (id TEXT PRIMARY KEY, text TEXT NOT NULL, hash TEXT NOT NULL, "
              + "user_id TEXT, agent_id TEXT, run_id TEXT, metadata TEXT NOT NULL, categories TEXT NOT NULL, "
              + "role TEXT, actor TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, expires_at TEXT, "
              + "valid_from TEXT, valid_to TEXT, provenance TEXT NOT NULL, embedding BLOB NOT NULL, "
              + "embedding_model TEXT NOT NULL)",
          "CREATE INDEX memories_hash ON memories(hash)",
          "CREATE TABLE history (pos INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, "
              + "memory_id TEXT NOT NULL, event TEXT NOT NULL, old_text TEXT, new_text TEXT, actor TEXT NOT NULL, "
              + "at TEXT NOT NULL)",
          "CREATE INDEX history_memory ON history(memory_id, pos)",
          "CREATE TABLE messages (id TEXT PRIMARY KEY, user_id TEXT, agent_id TEXT, run_id TEXT, "
              + "role TEXT NOT NULL, name TEXT, content TEXT NOT NULL, received_at TEXT NOT NULL)",
          "CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, memory_id TEXT NOT NULL)",
          "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
          "INSERT INTO meta(key, value) VALUES ('db_id', 'cafe0000cafe0000cafe0000cafe0000')",
          "ALTER TABLE memories ADD COLUMN context TEXT NOT NULL DEFAULT ''",
          "PRAGMA user_version = 2");

  /** The catalog schema v2. */
  private static final List<String> CATALOG_V2 =
      List.of(
          "CREATE TABLE tenants (id TEXT PRIMARY KEY, region TEXT NOT NULL, created_at TEXT NOT NULL)",
          "CREATE TABLE purge_receipts (seq INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, "
              + "region TEXT NOT NULL, memories INTEGER NOT NULL, history_rows INTEGER NOT NULL, "
              + "messages INTEGER NOT NULL, files INTEGER NOT NULL, bytes INTEGER NOT NULL, purged_at TEXT NOT NULL)",
          "CREATE TABLE api_keys (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, tenant TEXT, "
              + "user_id TEXT, created_at TEXT NOT NULL)",
          "CREATE INDEX api_keys_tenant ON api_keys(tenant)",
          "INSERT INTO tenants(id, region, created_at) VALUES ('acme', 'eu', '2025-01-01T00:00:00Z')",
          "PRAGMA user_version = 2");

  /** Field names the v2 index did not have. */
  private static final Set<String> NEW_BASES =
      Set.of("valid_from", "valid_to", "expires_at", "memory_type");

  @Test
  void catalogV2_opensWithEveryTenantOnShardZero_andStoresShardsAfterwards() throws SQLException {
    Path file = dataDir.resolve(EmbeddedBackend.CATALOG_FILE);
    runAll(file, CATALOG_V2);

    try (Catalog catalog = EmbeddedBackend.create().openCatalog(dataDir)) {
      assertThat(catalog.find(TenantId.of("acme")))
          .contains(new TenantInfo(TenantId.of("acme"), "eu", "0", T0));
      TenantInfo placed = new TenantInfo(TenantId.of("globex"), "us", "shard-b", T0);
      catalog.create(placed);
      assertThat(catalog.find(TenantId.of("globex"))).contains(placed);
    }
    assertThat(userVersion(file)).isEqualTo(4);
    // Reopening a migrated catalog migrates nothing and keeps the shard.
    try (Catalog catalog = EmbeddedBackend.create().openCatalog(dataDir)) {
      assertThat(catalog.list()).extracting(TenantInfo::shard).containsExactly("0", "shard-b");
      // Version 4 added the data dir's settings (its embedding model, first of all).
      assertThat(catalog.setting("embedding_model")).isEmpty();
      assertThat(catalog.recordSetting("embedding_model", "m1")).isEqualTo("m1");
      assertThat(catalog.recordSetting("embedding_model", "m2")).isEqualTo("m1");
    }
  }

  @Test
  void tenantV2_withItsOldIndex_migratesAndRebuildsTheIndexForTheNewFilters() throws Exception {
    Path tenantDir = dataDir.resolve("eu").resolve("acme");
    Files.createDirectories(tenantDir);
    Path db = tenantDir.resolve(TenantEngine.DATABASE);
    runAll(db, TENANT_V2);
    // Rows the old build wrote: world time was already stored, the memory type was not.
    StoredMemory ended =
        v2Memory(
            "m-1",
            "Alice lived in Paris",
            Instant.parse("2020-01-01T00:00:00Z"),
            Instant.parse("2024-06-01T00:00:00Z"),
            null);
    StoredMemory expiring =
        v2Memory("m-2", "Alice has a cold", null, null, Instant.parse("2025-02-01T00:00:00Z"));
    insertV2(db, ended);
    insertV2(db, expiring);
    runAll(
        db,
        List.of(
            "INSERT INTO history(id, memory_id, event, old_text, new_text, actor, at) VALUES "
                + "('h-1', 'm-1', 'ADD', NULL, 'Alice lived in Paris', 'user', '2025-01-01T00:00:00Z')"));
    writeV2Index(tenantDir.resolve(TenantIndex.DIRECTORY), List.of(ended, expiring));

    try (MemoryStore region = EmbeddedBackend.create().openRegion("eu", dataDir);
        TenantStore ts = region.open(TenantId.of("acme"))) {
      assertThat(ts.get("m-1").orElseThrow().memory()).isEqualTo(ended.memory());
      assertThat(ts.get("m-1").orElseThrow().memory().type()).isEqualTo(MemoryType.EPISODIC);
      assertThat(ts.history("m-1"))
          .containsExactly(
              new HistoryEntry(
                  "h-1", "m-1", EventType.ADD, null, "Alice lived in Paris", "user", T0, null));

      // Each of these reads a field the old documents lack: only a rebuilt index answers right.
      assertThat(count(ts, "{\"memory_type\": \"episodic\"}")).isEqualTo(2);
      assertThat(count(ts, "{\"valid_to\": \"*\"}")).isEqualTo(1);
      assertThat(count(ts, "{\"valid_to\": {\"lt\": \"2025-01-01\"}}")).isEqualTo(1);
      assertThat(count(ts, "{\"valid_from\": {\"ne\": \"2020-01-01\"}}")).isEqualTo(1);
      assertThat(count(ts, "{\"expires_at\": {\"gte\": \"2025-01-15\"}}")).isEqualTo(1);
      assertThat(
              ts.list(
                      EVERYTHING,
                      FilterParser.parse("{\"expires_at\": \"*\"}"),
                      PageRequest.first(5))
                  .items())
          .extracting(StoredMemory::id)
          .containsExactly("m-2");
      assertThat(ts.textSearch("Alice", EVERYTHING, FilterParser.parse("{\"valid_to\": \"*\"}"), 5))
          .extracting(s -> s.id())
          .containsExactly("m-1");

      // The new table works on the migrated database.
      StoredEvent event = new StoredEvent("e-1", "key-1", EventStatus.PENDING, "{}", null, T0, T0);
      ts.write(WriteBatch.ofEvents(List.of(event)));
      assertThat(ts.eventByIdempotencyKey("key-1")).contains(event);
      // So do conversation windows (schema v4).
      List<ConversationMessage> window = List.of(ConversationMessage.of(Role.USER, "hi"));
      ts.replaceConversation("c-1", window);
      assertThat(ts.conversation("c-1")).isEqualTo(window);
    }
    assertThat(userVersion(db)).isEqualTo(Rows.SCHEMA_VERSION);

    // Reopened: the migrated database and the rebuilt index are used as they are.
    try (MemoryStore region = EmbeddedBackend.create().openRegion("eu", dataDir);
        TenantStore ts = region.open(TenantId.of("acme"))) {
      assertThat(count(ts, "{\"memory_type\": \"episodic\"}")).isEqualTo(2);
      assertThat(ts.event("e-1")).isPresent();
    }
  }

  /**
   * An idempotency key held by another event fails the whole batch, also its memories, and leaves
   * nothing pending in the index: a later count and search do not see them.
   */
  @Test
  void write_keyHeldByAnotherEvent_leavesNoTraceInIndexOrPending() {
    try (EmbeddedStore store = EmbeddedStore.open(dataDir.resolve("eu"));
        TenantStore ts = store.open(TenantId.of("acme"))) {
      ts.write(
          WriteBatch.ofEvents(
              List.of(new StoredEvent("e-1", "k", EventStatus.SUCCEEDED, "{}", "{}", T0, T0))));
      StoredMemory canary = TestMemories.memory("m-9", "canary", Scope.user("alice"));
      StoredEvent thief = new StoredEvent("e-2", "k", EventStatus.PENDING, "{}", null, T0, T0);
      assertThatThrownBy(
              () ->
                  ts.write(
                      new WriteBatch(
                          List.of(new io.mnemo4j.spi.Change.Put(canary)),
                          List.of(TestMemories.add(canary.memory())),
                          List.of(),
                          List.of(thief))))
          .isInstanceOf(ConflictException.class)
          .hasMessageContaining("e-2")
          .hasMessageNotContaining("\"k\"");
      assertThat(ts.count(EVERYTHING, new FilterExpr.All())).isZero();
      assertThat(
              ts.vectorSearch(
                  TestEmbeddings.MODEL,
                  TestEmbeddings.embed("canary"),
                  EVERYTHING,
                  new FilterExpr.All(),
                  5))
          .isEmpty();
      assertThat(ts.history("m-9")).isEmpty();
      assertThat(ts.event("e-2")).isEmpty();
      // The store stays usable: a conflict is the caller's error, not an I/O failure.
      ts.write(TestMemories.puts(canary));
      assertThat(ts.get("m-9")).isPresent();
    }
  }

  /** Events come back oldest first by creation time, then id, even where ISO text order differs. */
  @Test
  void events_areOrderedByInstantThenId() {
    Instant whole = Instant.parse("2026-01-01T00:00:01Z");
    Instant fraction = Instant.parse("2026-01-01T00:00:01.5Z"); // "01.5Z" < "01Z" as text
    Instant earlier = Instant.parse("2026-01-01T00:00:00.999Z");
    try (EmbeddedStore store = EmbeddedStore.open(dataDir.resolve("eu"));
        TenantStore ts = store.open(TenantId.of("acme"))) {
      StoredEvent c = new StoredEvent("c", null, EventStatus.PENDING, "{}", null, fraction, T0);
      StoredEvent b = new StoredEvent("b", null, EventStatus.RUNNING, "{}", null, whole, T0);
      StoredEvent a = new StoredEvent("a", null, EventStatus.PENDING, "{}", null, whole, T0);
      StoredEvent z = new StoredEvent("z", null, EventStatus.PENDING, "{}", null, earlier, T0);
      StoredEvent done = new StoredEvent("d", null, EventStatus.FAILED, "{}", "{}", earlier, T0);
      ts.write(WriteBatch.ofEvents(List.of(c, b, a, z, done)));
      assertThat(ts.events(Set.of(EventStatus.PENDING, EventStatus.RUNNING), 10))
          .containsExactly(z, a, b, c);
      assertThat(ts.events(Set.of(EventStatus.PENDING), 2)).containsExactly(z, a);
      assertThat(ts.events(Set.of(), 10)).isEmpty();
    }
  }

  private static long count(TenantStore ts, String json) {
    return ts.count(EVERYTHING, FilterParser.parse(json));
  }

  private static StoredMemory v2Memory(
      String id,
      String text,
      @Nullable Instant validFrom,
      @Nullable Instant validTo,
      @Nullable Instant expiresAt) {
    Memory m =
        new Memory(
            id,
            text,
            "h:" + id,
            Scope.user("alice"),
            Map.of("n", 1L),
            List.of("facts"),
            Role.USER,
            null,
            T0,
            T0,
            expiresAt,
            validFrom,
            validTo,
            new Memory.Provenance(Memory.Provenance.VERBATIM, List.of("msg-" + id)),
            TestEmbeddings.MODEL,
            MemoryType.EPISODIC);
    return new StoredMemory(m, TestEmbeddings.embed(text));
  }

  private static void insertV2(Path db, StoredMemory stored) throws SQLException {
    Memory m = stored.memory();
    try (Connection c = Sqlite.open(db, true);
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO memories(id, text, hash, user_id, agent_id, run_id, metadata, categories, "
                    + "role, actor, created_at, updated_at, expires_at, valid_from, valid_to, provenance, "
                    + "embedding, embedding_model, context) "
                    + "VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, '')")) {
      ps.setString(1, m.id());
      ps.setString(2, m.text());
      ps.setString(3, m.hash());
      ps.setString(4, m.scope().userId());
      ps.setString(5, "{\"n\":1}");
      ps.setString(6, "[\"facts\"]");
      ps.setString(7, "user");
      ps.setString(8, Sqlite.time(m.createdAt()));
      ps.setString(9, Sqlite.time(m.updatedAt()));
      ps.setString(10, Sqlite.timeOrNull(m.expiresAt()));
      ps.setString(11, Sqlite.timeOrNull(m.validFrom()));
      ps.setString(12, Sqlite.timeOrNull(m.validTo()));
      ps.setString(
          13,
          "{\"source\":\"verbatim\",\"message_ids\":[\""
              + m.provenance().messageIds().get(0)
              + "\"]}");
      ps.setBytes(14, Rows.floats(stored.embedding()));
      ps.setString(15, m.embeddingModel());
      ps.executeUpdate();
    }
  }

  /**
   * The index the old build kept: today's documents less the fields it did not write, committed
   * with the seq and database id but no layout version, and fully caught up (seq 0, empty log), so
   * nothing but the version tells it is stale.
   */
  private static void writeV2Index(Path path, List<StoredMemory> memories) throws Exception {
    Files.createDirectories(path);
    try (FSDirectory directory = FSDirectory.open(path);
        IndexWriter writer =
            new IndexWriter(
                directory,
                new IndexWriterConfig(IndexSchema.analyzer()).setCodec(IndexSchema.CODEC))) {
      for (StoredMemory m : memories) {
        Document old = new Document();
        for (IndexableField f : IndexSchema.document(m).getFields()) {
          String base = f.name().replaceFirst("^[tlo]:", "");
          boolean added =
              NEW_BASES.contains(base)
                  || (f.name().equals(IndexSchema.PRESENT) && NEW_BASES.contains(f.stringValue()));
          if (!added) {
            old.add(f);
          }
        }
        writer.addDocument(old);
      }
      writer.setLiveCommitData(
          Map.of("seq", "0", "db", "cafe0000cafe0000cafe0000cafe0000").entrySet());
      writer.commit();
    }
  }

  private static void runAll(Path file, List<String> statements) throws SQLException {
    try (Connection c = Sqlite.open(file, true)) {
      for (String sql : statements) {
        Sqlite.exec(c, sql);
      }
    }
  }

  private static int userVersion(Path file) throws SQLException {
    try (Connection c = Sqlite.open(file, false);
        PreparedStatement ps = c.prepareStatement("PRAGMA user_version");
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getInt(1) : -1;
    }
  }
}
