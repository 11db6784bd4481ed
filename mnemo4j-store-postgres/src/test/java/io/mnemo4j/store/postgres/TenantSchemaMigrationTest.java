package io.mnemo4j.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.ConversationMessage;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantId;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.PurgeStats;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.testing.TestEmbeddings;
import io.mnemo4j.testing.TestMemories;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tenant schema created at layout version 1 (before conversation windows) is migrated when this
 * build opens it: the windows' table appears behind the same row-level-security wall, the registry
 * records the new version, and its memories are untouched. Purging a version-1 schema this build
 * never opened still works. A layout-6 schema gets its vectors moved into the memory rows.
 */
class TenantSchemaMigrationTest {
  private String db;
  private PostgresStore store;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create();
    store = PostgresStore.open(TestDatabase.options(db));
  }

  @AfterEach
  void tearDown() {
    store.close();
    TestDatabase.drop(db);
  }

  /** Turns a freshly created schema back into what the version-1 build created. */
  private void downgradeToVersion1(TenantId tenant) throws SQLException {
    String schema = store.registered(tenant).orElseThrow();
    try (Connection c = TestDatabase.connect(db);
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE " + Names.quote(schema) + ".conversations");
      s.execute("DROP TABLE " + Names.quote(schema) + ".model_vectors");
      textOnMemories(s, schema);
      s.execute(
          "UPDATE "
              + Names.REGISTRY_SCHEMA
              + ".tenants SET schema_version = 1 WHERE tenant_id = '"
              + tenant.value()
              + "'");
    }
  }

  /** Full-text search as before layout 7: the memories' own GIN index, no text table. */
  static void textOnMemories(Statement s, String schema) throws SQLException {
    String q = Names.quote(schema);
    s.execute("DROP TABLE " + q + ".memory_text");
    s.execute("DROP FUNCTION " + q + ".mnemo_text_sync() CASCADE");
    s.execute("CREATE INDEX memories_text ON " + q + ".memories USING gin (tsv)");
  }

  private int registeredVersion(TenantId tenant) throws SQLException {
    try (Connection c = TestDatabase.connect(db);
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT schema_version FROM "
                    + Names.REGISTRY_SCHEMA
                    + ".tenants WHERE tenant_id = ?")) {
      ps.setString(1, tenant.value());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  @Test
  void open_versionOneSchema_addsConversationWindowsAndKeepsMemories() throws SQLException {
    TenantId acme = TenantId.of("acme");
    try (TenantStore t = store.open(acme)) {
      t.write(TestMemories.puts(List.of(TestMemories.memory("m-1", "kept", Scope.user("alice")))));
    }
    downgradeToVersion1(acme);

    List<ConversationMessage> window =
        List.of(
            ConversationMessage.of(Role.USER, "hello"),
            ConversationMessage.of(Role.ASSISTANT, "hi"));
    try (TenantStore t = store.open(acme)) {
      t.replaceConversation("c-1", window);
      assertThat(t.conversation("c-1")).isEqualTo(window);
      assertThat(t.conversationIds(PageRequest.first(5)).items()).containsExactly("c-1");
      assertThat(t.get("m-1")).isPresent();
    }
    assertThat(registeredVersion(acme)).isEqualTo(TenantSql.SCHEMA_VERSION);
    // The migrated table has the wall: a transaction set for another tenant sees no row.
    String schema = store.registered(acme).orElseThrow();
    try (Connection c = TestDatabase.connect(db)) {
      c.setAutoCommit(false);
      Pg.enterTenant(c, "globex", store.options().rlsRole());
      try (PreparedStatement ps =
              c.prepareStatement("SELECT count(*) FROM " + Names.quote(schema) + ".conversations");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getLong(1)).isZero();
      }
      c.rollback();
    }
    // The second vector slot came with the migration, behind the same wall.
    try (TenantStore t = store.open(acme)) {
      t.putVectors("next-4", java.util.Map.of("m-1", new float[] {1, 0, 0, 0}));
      assertThat(t.countVectors("next-4")).isEqualTo(1);
    }
    try (Connection c = TestDatabase.connect(db)) {
      c.setAutoCommit(false);
      Pg.enterTenant(c, "globex", store.options().rlsRole());
      try (PreparedStatement ps =
              c.prepareStatement("SELECT count(*) FROM " + Names.quote(schema) + ".model_vectors");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getLong(1)).isZero();
      }
      c.rollback();
    }
    // Opening again migrates nothing.
    try (TenantStore t = store.open(acme)) {
      assertThat(t.conversation("c-1")).isEqualTo(window);
    }
  }

  /** A model whose vectors (2,048 bytes) push a memory row past PostgreSQL's TOAST threshold. */
  private static final String WIDE_MODEL = "test-512";

  private static final int WIDE_DIM = 512;

  /** Memories with seeded {@link #WIDE_MODEL} vectors and texts sharing a few words. */
  private static List<StoredMemory> wideMemories(int n) {
    Random random = new Random(7);
    String[] words = {"atlas", "crm", "invoice", "pricing", "berlin", "coffee", "release"};
    List<StoredMemory> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] v = new float[WIDE_DIM];
      for (int d = 0; d < WIDE_DIM; d++) {
        v[d] = (float) random.nextGaussian();
      }
      String text =
          "note "
              + i
              + " about "
              + words[i % words.length]
              + " and "
              + words[(i * 3 + 1) % words.length];
      StoredMemory m =
          TestMemories.memory(
              TestMemories.id(i + 1), text, i % 3 == 0 ? Scope.user("bob") : Scope.user("alice"));
      out.add(TestMemories.withModel(m, WIDE_MODEL, TestEmbeddings.normalize(v)));
    }
    return out;
  }

  /** Everything a reader can see of the tenant's memories, as comparable values. */
  private static List<Object> snapshot(TenantStore t, List<StoredMemory> written) {
    List<Object> out = new ArrayList<>();
    for (StoredMemory w : written) {
      StoredMemory m = t.get(w.id()).orElseThrow();
      out.add(m.memory());
      out.add(Arrays.toString(m.embedding()));
      out.add(m.context());
      out.add(t.history(w.id()));
    }
    for (int i = 0; i < 5; i++) {
      out.add(
          t.vectorSearch(
              WIDE_MODEL,
              written.get(i * 7).embedding(),
              new ScopeFilter.Exact(Scope.user("alice")),
              new FilterExpr.All(),
              5));
    }
    out.add(t.textSearch("atlas pricing", new ScopeFilter.Everything(), new FilterExpr.All(), 10));
    out.add(
        t.textSearch("coffee", new ScopeFilter.Exact(Scope.user("bob")), new FilterExpr.All(), 10));
    return out;
  }

  /** Rows of the memories table's TOAST relation: stored vectors out of line. */
  private long toastRows(String schema) throws SQLException {
    try (Connection c = TestDatabase.connect(db);
        Statement s = c.createStatement()) {
      String toast;
      try (ResultSet rs =
          s.executeQuery(
              "SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = '"
                  + Names.quote(schema)
                  + ".memories'::regclass")) {
        rs.next();
        toast = rs.getString(1);
      }
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + toast)) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Reads one column of a result row. */
  @FunctionalInterface
  private interface Column<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /** Every row's value of {@code column} for {@code sql}, read as the owner. */
  private <T> List<T> query(String sql, Column<T> column) throws SQLException {
    List<T> out = new ArrayList<>();
    try (Connection c = TestDatabase.connect(db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(column.read(rs));
      }
    }
    return out;
  }

  /** Storage of the memories' vector column and the table's options, as the catalog says. */
  private String vectorLayout(String schema) throws SQLException {
    return query(
            "SELECT a.attstorage::text || ' ' || coalesce(array_to_string(r.reloptions, ','), '')"
                + " FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid"
                + " WHERE a.attrelid = '"
                + Names.quote(schema)
                + ".memories'::regclass AND a.attname = 'embedding'",
            rs -> rs.getString(1))
        .get(0);
  }

  /**
   * Rows of {@code memory_text} and {@code memories} that differ in id, scope or lexemes (either
   * side missing counts), read as the owner; 0 when the text table mirrors the memories.
   */
  private long textRowsDifferingFromMemories(String schema) throws SQLException {
    String q = Names.quote(schema);
    return query(
            "SELECT count(*) FROM (SELECT id, tenant_id, user_id, agent_id, run_id, tsv FROM "
                + q
                + ".memories) m FULL JOIN "
                + q
                + ".memory_text t USING (id) WHERE m.id IS NULL OR t.id IS NULL"
                + " OR (m.tenant_id, m.user_id, m.agent_id, m.run_id, m.tsv)"
                + " IS DISTINCT FROM (t.tenant_id, t.user_id, t.agent_id, t.run_id, t.tsv)",
            rs -> rs.getLong(1))
        .get(0);
  }

  /** Names of the schema's indexes. */
  private List<String> indexes(String schema) throws SQLException {
    return query(
        "SELECT indexname FROM pg_indexes WHERE schemaname = '" + schema + "'",
        rs -> rs.getString(1));
  }

  /** Statistics targets of the schema's vector indexes (0: ANALYZE never samples them). */
  private List<Integer> vectorIndexStatistics(String schema) throws SQLException {
    return query(
        "SELECT a.attstattarget FROM pg_indexes i JOIN pg_attribute a"
            + " ON a.attrelid = (quote_ident(i.schemaname) || '.' ||"
            + " quote_ident(i.indexname))::regclass AND a.attnum = 1"
            + " WHERE i.schemaname = '"
            + schema
            + "' AND i.indexdef LIKE '%USING hnsw%'",
        rs -> rs.getInt(1));
  }

  /**
   * Layout 7 keeps vectors in the memory row (an exact scan of a scope read them from TOAST, 8-32
   * ms at 2,000 rows) and searches text in a narrow copy of ids, scopes and lexemes. A layout-6
   * schema whose vectors are out of line, with a vector index, is rewritten when opened: nothing
   * left in TOAST, the text table filled, every memory, vector, history row and search answer
   * unchanged, the vector index still there without statistics.
   */
  @Test
  void open_layoutSixSchemaWithVectorsOutOfLine_movesVectorsIntoRowsAndKeepsEverything()
      throws SQLException {
    TenantId acme = TenantId.of("acme");
    List<StoredMemory> written = wideMemories(40);
    List<Object> before;
    try (TenantStore t = store.open(acme)) {
      t.write(TestMemories.puts(written));
      before = snapshot(t, written);
    }
    String schema = store.registered(acme).orElseThrow();
    String table = Names.quote(schema) + ".memories";
    try (Connection c = TestDatabase.connect(db);
        Statement s = c.createStatement()) {
      // Layout 6: pgvector's default storage (EXTERNAL), the default row target, text search on the
      // memories' own GIN index, and a vector index.
      textOnMemories(s, schema);
      s.execute(
          "ALTER TABLE "
              + table
              + " ALTER COLUMN embedding SET STORAGE EXTERNAL, RESET (toast_tuple_target)");
      s.execute("UPDATE " + table + " SET embedding = embedding::real[]::vector");
      s.execute(new TenantSql(acme, schema).createVectorIndex(WIDE_MODEL, WIDE_DIM));
      s.execute(
          "UPDATE "
              + Names.REGISTRY_SCHEMA
              + ".tenants SET schema_version = 6 WHERE tenant_id = 'acme'");
    }
    assertThat(toastRows(schema)).as("layout 6 keeps the vectors out of line").isPositive();
    assertThat(vectorLayout(schema)).isEqualTo("e ");

    try (TenantStore t = store.open(acme)) {
      assertThat(snapshot(t, written)).isEqualTo(before);
    }
    assertThat(registeredVersion(acme)).isEqualTo(TenantSql.SCHEMA_VERSION);
    assertThat(vectorLayout(schema)).isEqualTo("m toast_tuple_target=8160");
    assertThat(toastRows(schema)).isZero();
    assertThat(vectorIndexStatistics(schema)).containsExactly(0);
    assertThat(textRowsDifferingFromMemories(schema)).isZero();
    assertThat(indexes(schema)).contains("memory_text_tsv").doesNotContain("memories_text");

    // New rows stay in line too.
    try (TenantStore t = store.open(acme)) {
      t.write(TestMemories.puts(wideMemories(60).subList(40, 60)));
      assertThat(t.count(new ScopeFilter.Everything(), new FilterExpr.All())).isEqualTo(60);
    }
    assertThat(toastRows(schema)).isZero();
    assertThat(textRowsDifferingFromMemories(schema)).isZero();
  }

  /**
   * Layout 8 keys the index of the memories of one add by the creation time's text, which a lookup
   * under row-level security can use. A layout-7 schema (the index on the numeric time) gets the
   * key column, computed for every stored memory, and the index on it; the neighbours found are
   * those of the same add.
   */
  @Test
  void open_layoutSevenSchema_keysTheCreationIndexAndFindsTheSameNeighbours() throws SQLException {
    TenantId acme = TenantId.of("acme");
    try (TenantStore t = store.open(acme)) {
      t.write(TestMemories.puts(addsOfThree(6, Scope.user("alice"))));
    }
    String schema = store.registered(acme).orElseThrow();
    String q = Names.quote(schema);
    try (Connection c = TestDatabase.connect(db);
        Statement s = c.createStatement()) {
      s.execute("ALTER TABLE " + q + ".memories DROP COLUMN created_key"); // drops its index
      s.execute("CREATE INDEX memories_created ON " + q + ".memories (created_at, id)");
      s.execute(
          "UPDATE "
              + Names.REGISTRY_SCHEMA
              + ".tenants SET schema_version = 7 WHERE tenant_id = 'acme'");
    }
    assertThat(columns(schema)).doesNotContain("created_key");

    try (TenantStore t = store.open(acme)) {
      assertThat(t.addNeighbours(List.of(TestMemories.id(1), TestMemories.id(3)), 2))
          .hasEntrySatisfying(
              TestMemories.id(1),
              near ->
                  assertThat(near)
                      .extracting(io.mnemo4j.spi.AddNeighbour::id)
                      .containsExactlyInAnyOrder(TestMemories.id(0), TestMemories.id(2)))
          .hasEntrySatisfying(
              TestMemories.id(3),
              near ->
                  assertThat(near)
                      .extracting(io.mnemo4j.spi.AddNeighbour::id)
                      .containsExactlyInAnyOrder(TestMemories.id(4), TestMemories.id(5)));
    }
    assertThat(registeredVersion(acme)).isEqualTo(TenantSql.SCHEMA_VERSION);
    assertThat(columns(schema)).contains("created_key");
    assertThat(
            query(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = '"
                    + schema
                    + "' AND indexname = 'memories_created'",
                rs -> rs.getString(1)))
        .singleElement()
        .asString()
        .contains("(created_key, id)");
  }

  /**
   * Memories {@code m-000000} to {@code m-(n-1)} of {@code scope}, stored by adds of three:
   * memories 3j, 3j+1 and 3j+2 share a creation time.
   */
  static List<StoredMemory> addsOfThree(int n, Scope scope) {
    List<StoredMemory> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          TestMemories.at(
              TestMemories.memory(TestMemories.id(i), "turn " + i, scope),
              TestMemories.T0.plusSeconds(i / 3)));
    }
    return out;
  }

  /** The memory table's column names. */
  private List<String> columns(String schema) throws SQLException {
    return query(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = '"
            + schema
            + "' AND table_name = 'memories'",
        rs -> rs.getString(1));
  }

  @Test
  void create_newSchema_keepsVectorsInRow() throws SQLException {
    TenantId fresh = TenantId.of("fresh");
    try (TenantStore t = store.open(fresh)) {
      t.write(TestMemories.puts(wideMemories(10)));
    }
    String schema = store.registered(fresh).orElseThrow();
    assertThat(vectorLayout(schema)).isEqualTo("m toast_tuple_target=8160");
    assertThat(toastRows(schema)).isZero();
  }

  @Test
  void purge_versionOneSchemaNeverOpenedByThisBuild_removesIt() throws SQLException {
    TenantId old = TenantId.of("old");
    try (TenantStore t = store.open(old)) {
      t.write(TestMemories.puts(List.of(TestMemories.memory("m-1", "old", Scope.user("u")))));
    }
    downgradeToVersion1(old);

    PurgeStats stats = store.purge(old);

    assertThat(stats.memories()).isEqualTo(1);
    assertThat(stats.messages()).isZero();
    assertThat(store.exists(old)).isFalse();
  }
}
