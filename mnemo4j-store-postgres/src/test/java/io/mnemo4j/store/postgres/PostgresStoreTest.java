package io.mnemo4j.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.ConflictException;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryType;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantId;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.filter.FilterParser;
import io.mnemo4j.internal.store.CheckedTenantStore;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import io.mnemo4j.testing.TestEmbeddings;
import io.mnemo4j.testing.TestMemories;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the contract suite does not pin down about this store. One database for the class. */
class PostgresStoreTest {
  private static final AtomicInteger TENANTS = new AtomicInteger();
  private static String db;
  private static PostgresStore store;

  @BeforeAll
  static void setUp() {
    db = TestDatabase.create();
    store = PostgresStore.open(TestDatabase.options(db));
  }

  @AfterAll
  static void tearDown() {
    store.close();
    TestDatabase.drop(db);
  }

  private static TenantId fresh() {
    return TenantId.of("t" + TENANTS.incrementAndGet());
  }

  /**
   * A search asking for more text candidates than a pass ranks (a tuning may ask for up to 10,000)
   * still gets as many as match: each pass ranks at least {@code k} matches. Before, the two-term
   * pass ranked at most 2,000, so the list came back short, which tells the search that no other
   * memory matches.
   */
  @Test
  void textSearch_askingForMoreThanAPassRanks_getsEveryMatchUpToK() throws Exception {
    TenantId t = fresh();
    List<StoredMemory> many = new ArrayList<>();
    for (int i = 0; i < TextSearch.WIDE_CANDIDATES + 100; i++) {
      many.add(TestMemories.memory("w-" + i, "alpha beta note " + i, Scope.user("a")));
    }
    try (TenantStore s = store.open(t)) {
      s.write(TestMemories.puts(many));
    }
    String table = Names.quote(store.registered(t).orElseThrow()) + ".memories";
    // As if never analysed (a table another process just loaded): the store does not know the
    // table is small, so a search runs the passes (every term, then two of three, then any). The
    // writing store analyses the table in the background after such a write: wait for that first.
    try (java.sql.Connection c = TestDatabase.connect(db)) {
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (Pg.estimatedRows(c, table) < many.size() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      try (java.sql.Statement st = c.createStatement()) {
        st.execute("UPDATE pg_class SET reltuples = -1 WHERE oid = '" + table + "'::regclass");
      }
    }
    int k = TextSearch.WIDE_CANDIDATES + 50;
    try (PostgresStore fresh = PostgresStore.open(TestDatabase.options(db));
        TenantStore s = fresh.open(t)) {
      assertThat(
              s.textSearch(
                  "alpha beta gamma",
                  new ScopeFilter.Exact(Scope.user("a")),
                  new FilterExpr.All(),
                  k))
          .hasSize(k);
    }
  }

  /**
   * A vector goes to the server as text and comes back in pgvector's binary form (every row read
   * and every neighbour): the same floats, bit for bit, negative zero and the smallest subnormal
   * included.
   */
  @Test
  void vectors_writtenAsTextAndReadInBinary_roundTripExactly() {
    TenantId t = fresh();
    float[] v = {0f, -0f, 1e-38f, Float.MIN_VALUE, 3.4e38f, -0.333333f, 123456.78f};
    StoredMemory first =
        TestMemories.withModel(
            TestMemories.memory("m-1", "exact floats", Scope.user("a")), "exact-7", v);
    StoredMemory second =
        TestMemories.withModel(
            TestMemories.memory("m-2", "its neighbour", Scope.user("a")), "exact-7", v);
    try (TenantStore s = store.open(t)) {
      s.write(TestMemories.puts(first, second));
      float[] read = s.get("m-1").orElseThrow().embedding();
      assertThat(read).hasSize(v.length);
      for (int i = 0; i < v.length; i++) {
        assertThat(Float.floatToRawIntBits(read[i])).isEqualTo(Float.floatToRawIntBits(v[i]));
      }
      float[] near = s.addNeighbours(List.of("m-1"), 2).get("m-1").getFirst().embedding();
      for (int i = 0; i < v.length; i++) {
        assertThat(Float.floatToRawIntBits(near[i])).isEqualTo(Float.floatToRawIntBits(v[i]));
      }
    }
  }

  /**
   * The memories of one add are found through the creation-time index under row-level security, as
   * every search with neighbour evidence asks: numeric equality is not leakproof, so a lookup on
   * the numeric time could not be an index condition there and walked the whole primary key (about
   * a second per search at 100,000 memories). Checked for the plan made for the values and for the
   * generic plan the server may keep (the store does not force custom plans for this lookup).
   */
  @Test
  void addNeighbours_underRowLevelSecurity_probesTheCreationIndex() throws Exception {
    TenantId t = fresh();
    try (TenantStore s = store.open(t)) {
      s.write(TestMemories.puts(TenantSchemaMigrationTest.addsOfThree(600, Scope.user("a"))));
      assertThat(s.addNeighbours(List.of(TestMemories.id(4)), 2).get(TestMemories.id(4)))
          .extracting(io.mnemo4j.spi.AddNeighbour::id)
          .containsExactlyInAnyOrder(TestMemories.id(3), TestMemories.id(5));
    }
    String schema = store.registered(t).orElseThrow();
    String statement = AddNeighbours.statement(new TenantSql(t, schema));
    StringBuilder custom = new StringBuilder();
    StringBuilder generic = new StringBuilder();
    try (java.sql.Connection c = TestDatabase.connect(db)) {
      try (java.sql.Statement st = c.createStatement()) {
        st.execute("ANALYZE " + Names.quote(schema) + ".memories");
      }
      c.setAutoCommit(false);
      Pg.enterTenant(c, t.value(), store.options().rlsRole());
      try (java.sql.Statement st = c.createStatement()) {
        st.execute("SET LOCAL enable_seqscan = off"); // a small table: ask for an index plan
      }
      try (java.sql.PreparedStatement ps = c.prepareStatement("EXPLAIN (VERBOSE) " + statement)) {
        ps.setInt(1, 2);
        ps.setInt(2, 2);
        ps.setArray(3, c.createArrayOf("text", new Object[] {TestMemories.id(4)}));
        try (java.sql.ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            custom.append(rs.getString(1)).append('\n');
          }
        }
      }
      // The store lets the server keep a generic plan of it (no values to plan for): that one too.
      String numbered = statement;
      for (int i = 1; i <= 3; i++) {
        numbered = numbered.replaceFirst("\\?", "\\$" + i);
      }
      try (java.sql.Statement st = c.createStatement()) {
        st.execute("PREPARE neighbours(int, int, text[]) AS " + numbered);
        st.execute("SET LOCAL plan_cache_mode = force_generic_plan");
        try (java.sql.ResultSet rs =
            st.executeQuery(
                "EXPLAIN (VERBOSE) EXECUTE neighbours(2, 2, ARRAY['"
                    + TestMemories.id(4)
                    + "'])")) {
          while (rs.next()) {
            generic.append(rs.getString(1)).append('\n');
          }
        }
      }
      c.rollback();
    }
    assertThat(generic.toString()).as("a generic plan").contains("$3");
    for (StringBuilder plan : List.of(custom, generic)) {
      assertThat(plan.toString())
          .as("both probes are conditions on the creation-time index")
          .containsPattern(
              "(?s)Index Cond: \\(\\(m\\.created_key = t\\.created_key\\).*"
                  + "Index Cond: \\(\\(m_1\\.created_key = t\\.created_key\\)")
          .contains("memories_created")
          // Each side picks ids only: the vectors of the add's other memories, which the limit
          // drops, are neither read out nor formatted as text (7.0 ms against 1.9-2.7 ms for 20
          // memories in adds of about 25).
          .doesNotContainPattern("Output: [^\\n]*\\bm(_1)?\\.(embedding|actor)");
    }
  }

  /**
   * A tenant schema made by layout 2 (statistics sampled from text columns) is upgraded on its next
   * open: its text columns and vector index get a statistics target of 0.
   */
  @Test
  void open_layoutTwoSchema_stopsSamplingTextOnUpgrade() throws Exception {
    TenantId t = fresh();
    try (TenantStore s = store.open(t)) {
      s.write(TestMemories.puts(List.of(TestMemories.memory("m-1", "some text", Scope.user("a")))));
    }
    String schema = store.registered(t).orElseThrow();
    try (java.sql.Connection c = TestDatabase.connect(db);
        java.sql.Statement st = c.createStatement()) {
      // Layouts before 6 built the model's HNSW index with the tenant's first vector.
      st.execute(
          "CREATE INDEX "
              + Names.quote(Names.vectorIndex(TestEmbeddings.MODEL))
              + " ON \""
              + schema
              + "\".memories USING hnsw ((embedding::vector("
              + TestEmbeddings.DIM
              + ")) vector_cosine_ops) WHERE embedding_model = "
              + Names.literal(TestEmbeddings.MODEL));
      st.execute("ALTER TABLE \"" + schema + "\".memories ALTER COLUMN text SET STATISTICS -1");
      st.execute("DROP TABLE \"" + schema + "\".model_vectors"); // layout 4's
      TenantSchemaMigrationTest.textOnMemories(st, schema); // layout 7's
      st.execute(
          "UPDATE mnemo_registry.tenants SET schema_version = 2 WHERE schema_name = '"
              + schema
              + "'");
    }
    store.open(t).close();
    try (java.sql.Connection c = TestDatabase.connect(db);
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs =
            st.executeQuery(
                "SELECT a.attname, a.attstattarget FROM pg_attribute a JOIN pg_class r"
                    + " ON r.oid = a.attrelid JOIN pg_namespace n ON n.oid = r.relnamespace"
                    + " WHERE n.nspname = '"
                    + schema
                    + "' AND (r.relname = 'memories' AND a.attname IN ('text', 'context', 'tsv')"
                    + " OR r.relkind = 'i' AND r.relname LIKE 'memories_vec_%')")) {
      int seen = 0;
      while (rs.next()) {
        assertThat(rs.getInt(2)).as(rs.getString(1)).isZero();
        seen++;
      }
      assertThat(seen).isEqualTo(4);
    }
  }

  /**
   * Full-text search reads a copy of each memory's id, scope and lexemes (layout 7's {@code
   * memory_text}): an update of text or scope and a removal must reach it, or a search would find
   * text a memory no longer has, in a scope it left, or a memory that is gone.
   */
  @Test
  void textSearch_afterUpdatesAndRemovals_findsOnlyCurrentTextAndScope() {
    TenantId t = fresh();
    ScopeFilter alice = new ScopeFilter.Exact(Scope.user("alice"));
    ScopeFilter bob = new ScopeFilter.Exact(Scope.user("bob"));
    FilterExpr all = new FilterExpr.All();
    try (TenantStore s = store.open(t)) {
      s.write(
          TestMemories.puts(
              List.of(
                  TestMemories.memory("m-1", "alpha apple", Scope.user("alice"), Map.of("g", 1)),
                  TestMemories.memory("m-2", "bravo banana", Scope.user("alice"), Map.of("g", 2)),
                  TestMemories.memory("m-3", "apple pie", Scope.user("alice"), Map.of("g", 3)))));
      s.write(
          new WriteBatch(
              List.of(
                  new Change.Put(
                      TestMemories.memory(
                          "m-1", "charlie cherry", Scope.user("alice"), Map.of("g", 1))),
                  new Change.Put(
                      TestMemories.memory("m-3", "apple pie", Scope.user("bob"), Map.of("g", 3))),
                  new Change.Remove("m-2")),
              List.of(),
              List.of()));

      assertThat(s.textSearch("apple", alice, all, 5)).isEmpty();
      assertThat(s.textSearch("banana", alice, all, 5)).isEmpty();
      assertThat(s.textSearch("cherry", alice, all, 5))
          .extracting(ScoredId::id)
          .containsExactly("m-1");
      assertThat(s.textSearch("apple", bob, all, 5))
          .extracting(ScoredId::id)
          .containsExactly("m-3");
      // A filter beyond the scope reads the memory's own row.
      assertThat(s.textSearch("apple", bob, FilterParser.parse("{\"metadata.g\": 3}"), 5))
          .extracting(ScoredId::id)
          .containsExactly("m-3");
      assertThat(s.textSearch("apple", bob, FilterParser.parse("{\"metadata.g\": 1}"), 5))
          .isEmpty();
      assertThat(s.textScores("cherry apple", List.of("m-1", "m-2", "m-3")))
          .extracting(ScoredId::id)
          .containsExactlyInAnyOrder("m-1", "m-3");
    }
  }

  /**
   * A model's HNSW index is built only once the tenant holds enough of its vectors for searches to
   * use it: below that, searches are exact and an index would only slow every insert.
   */
  @Test
  void vectorIndex_isBuiltOnceSearchesWouldUseIt_andSearchesAreExactBefore() throws Exception {
    TenantId t = fresh();
    Random random = new Random(7);
    try (TenantStore s = store.open(t)) {
      List<StoredMemory> first = new ArrayList<>();
      for (int i = 0; i < VectorSearch.EXACT_BELOW - 1; i++) {
        first.add(memoryWithVector(i, TestEmbeddings.random(random)));
      }
      s.write(TestMemories.puts(first));
      Thread.sleep(500); // a check, had one been due, would have run by now
      String schema = store.registered(t).orElseThrow();
      assertThat(vectorIndexes(schema)).isZero();
      float[] query = TestEmbeddings.random(random);
      List<ScoredId> exact =
          s.vectorSearch(
              TestEmbeddings.MODEL, query, new ScopeFilter.Everything(), new FilterExpr.All(), 5);
      assertThat(exact.get(0).id()).isEqualTo(nearest(first, query));

      List<StoredMemory> more = new ArrayList<>();
      for (int i = 0; i < VectorIndexes.CHECK_EVERY; i++) {
        more.add(memoryWithVector(VectorSearch.EXACT_BELOW + i, TestEmbeddings.random(random)));
      }
      s.write(TestMemories.puts(more)); // the next check after crossing the threshold builds it
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (vectorIndexes(schema) == 0 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(vectorIndexes(schema)).isEqualTo(1);
    }
  }

  private static StoredMemory memoryWithVector(int n, float[] vector) {
    StoredMemory m = TestMemories.memory(TestMemories.id(n), "text " + n, Scope.user("u"));
    return new StoredMemory(m.memory(), vector, m.context());
  }

  private static String nearest(List<StoredMemory> memories, float[] query) {
    return memories.stream()
        .max(
            Comparator.comparingDouble(
                (StoredMemory m) -> io.mnemo4j.spi.Vectors.dot(m.embedding(), query)))
        .orElseThrow()
        .id();
  }

  private static int vectorIndexes(String schema) throws Exception {
    try (java.sql.Connection c = TestDatabase.connect(db);
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs =
            st.executeQuery(
                "SELECT count(*) FROM pg_indexes WHERE schemaname = '"
                    + schema
                    + "' AND indexdef LIKE '%USING hnsw%'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /**
   * A tenant schema made by layout 4 (a full-text index with a pending list of up to 4 MB, which
   * every text search scans) is upgraded on its next open: that index goes, and text search moves
   * to the text table's index, whose pending list is short (layout 9) and flushed after writes.
   */
  @Test
  void open_layoutFourSchema_replacesTheLongPendingListByTheTextTablesShortOne() throws Exception {
    TenantId t = fresh();
    try (TenantStore s = store.open(t)) {
      s.write(TestMemories.puts(List.of(TestMemories.memory("m-1", "some text", Scope.user("a")))));
    }
    String schema = store.registered(t).orElseThrow();
    try (java.sql.Connection c = TestDatabase.connect(db);
        java.sql.Statement st = c.createStatement()) {
      TenantSchemaMigrationTest.textOnMemories(st, schema); // layout 7's text table
      st.execute("ALTER INDEX \"" + schema + "\".memories_text SET (fastupdate = on)");
      st.execute(
          "UPDATE mnemo_registry.tenants SET schema_version = 4 WHERE schema_name = '"
              + schema
              + "'");
      assertThat(textIndexOptions(st, schema, "memories_text")).contains("fastupdate=on");
    }
    try (TenantStore s = store.open(t)) {
      assertThat(s.textSearch("text", new ScopeFilter.Everything(), new FilterExpr.All(), 5))
          .extracting(ScoredId::id)
          .containsExactly("m-1");
    }
    try (java.sql.Connection c = TestDatabase.connect(db);
        java.sql.Statement st = c.createStatement()) {
      assertThat(textIndexOptions(st, schema, "memories_text")).isNull();
      assertThat(textIndexOptions(st, schema, TenantSql.TEXT_INDEX))
          .contains("fastupdate=on", "gin_pending_list_limit=" + TenantSql.TEXT_PENDING_LIST_KB);
    }
  }

  private static String textIndexOptions(java.sql.Statement st, String schema, String index)
      throws java.sql.SQLException {
    try (java.sql.ResultSet rs =
        st.executeQuery(
            "SELECT coalesce(array_to_string(c.reloptions, ','), '') FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '"
                + schema
                + "' AND c.relname = '"
                + index
                + "'")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  @Test
  void open_longTenantIdsWithHyphens_getDistinctSchemasWithinPostgresLimit() {
    TenantId one = TenantId.of("x-" + "a".repeat(60) + "1");
    TenantId two = TenantId.of("x-" + "a".repeat(60) + "2");
    try (TenantStore a = store.open(one);
        TenantStore b = store.open(two)) {
      a.write(TestMemories.puts(List.of(TestMemories.memory("m-1", "first", Scope.user("u")))));
      b.write(TestMemories.puts(List.of(TestMemories.memory("m-1", "second", Scope.user("u")))));
      assertThat(a.get("m-1").orElseThrow().memory().text()).isEqualTo("first");
      assertThat(b.get("m-1").orElseThrow().memory().text()).isEqualTo("second");
    }
    String s1 = store.registered(one).orElseThrow();
    String s2 = store.registered(two).orElseThrow();
    assertThat(s1).isNotEqualTo(s2).startsWith("mnemo_t_x-aaa");
    assertThat(s1.length()).isEqualTo(Names.MAX_IDENTIFIER_BYTES);
    assertThat(store.registered(TenantId.of("short-id"))).isEmpty();
    assertThat(Names.tenantSchema("mnemo_t_", TenantId.of("short-id")))
        .isEqualTo("mnemo_t_short-id");
    assertThat(store.purge(one).memories()).isEqualTo(1);
    assertThat(store.exists(one)).isFalse();
    assertThat(store.exists(two)).isTrue();
  }

  @Test
  void get_returnsTheMemoryExactly_nanosecondsMetadataTypesAndVector() {
    Instant t = Instant.parse("2025-03-04T05:06:07.123456789Z");
    Memory m =
        new Memory(
            "m-1",
            "exact round trip",
            "h1",
            new Scope("alice", "bot", "run-1"),
            Map.of(
                "long",
                9007199254740993L,
                "double",
                1e300,
                "two",
                2.0,
                "list",
                List.of("a", 1L, true),
                "nested",
                Map.of("x", List.of(Map.of("y", -0.5)))),
            List.of("work", "plans"),
            Role.ASSISTANT,
            "concierge",
            t,
            t.plusNanos(1),
            t.plusSeconds(3600),
            Instant.parse("1500-01-01T00:00:00Z"),
            Instant.parse("3000-01-01T00:00:00.000000001Z"),
            new Memory.Provenance(Memory.Provenance.INFERRED, List.of("msg-1", "msg-2")),
            TestEmbeddings.MODEL,
            MemoryType.SEMANTIC);
    float[] vector = TestEmbeddings.embed("exact round trip");
    vector[3] = 1.0e-38f; // floats near and below the normal range, and a negative zero, travel
    vector[4] = Float.MIN_VALUE; // exactly: as bits, not decimals
    vector[5] = -0.0f;
    StoredMemory stored = new StoredMemory(m, vector, "the context before");
    try (TenantStore ts = store.open(fresh())) {
      ts.write(TestMemories.puts(List.of(stored)));

      StoredMemory back = ts.get("m-1").orElseThrow();

      assertThat(back.memory()).isEqualTo(m);
      assertThat(back.embedding()).containsExactly(vector);
      assertThat(back.context()).isEqualTo("the context before");
      assertThat(ts.getAll(List.of("nope", "m-1", "m-1"))).hasSize(2);
      assertThat(ts.findByHash(new Scope("alice", "bot", "run-1"), "h1")).isPresent();
      assertThat(ts.findByHash(Scope.user("alice"), "h1")).isEmpty();
    }
  }

  /**
   * One upsert binds a vector as a binary {@code real[]} for one row and a null for a memory
   * without a vector: both rows land, each as written, and a search sees only the one with a
   * vector.
   */
  @Test
  void write_memoriesWithAndWithoutVectorInOneStatement_keepsEachAsWritten() {
    StoredMemory with = TestMemories.memory("v-1", "has a vector", Scope.user("a"));
    StoredMemory without =
        new StoredMemory(
            TestMemories.memory("v-2", "has no vector", Scope.user("a")).memory(), new float[0]);
    try (TenantStore ts = store.open(fresh())) {
      ts.write(TestMemories.puts(List.of(with, without)));

      assertThat(ts.get("v-1").orElseThrow().embedding()).containsExactly(with.embedding());
      assertThat(ts.get("v-2").orElseThrow().embedding()).isEmpty();
      assertThat(
              ts.vectorSearch(
                  TestEmbeddings.MODEL,
                  with.embedding(),
                  new ScopeFilter.Exact(Scope.user("a")),
                  new FilterExpr.All(),
                  5))
          .extracting(ScoredId::id)
          .containsExactly("v-1");
    }
  }

  /**
   * An add's duplicate lookups run in the transaction of the scope guard it holds (one connection,
   * the tenant entered once when the lock was taken): they must answer as the same lookups outside
   * a guard do, and the guarded write that follows must still commit, also when it introduces a
   * model (which needs the owner's role for a moment) and releases the lock.
   */
  @Test
  void duplicateCandidates_underTheScopeGuard_answerAsOutsideAndTheGuardedWriteCommits() {
    try (TenantStore ts = store.open(fresh())) {
      Scope alice = Scope.user("alice");
      List<io.mnemo4j.spi.DuplicateProbe> probes = factsAndProbes(ts, alice, 12, 3);
      var outside = ts.duplicateCandidates(alice, TestEmbeddings.MODEL, probes, 3);
      float[] wide = new float[8];
      wide[0] = 1;
      StoredMemory added =
          TestMemories.withModel(
              TestMemories.memory("m-new", "fact in another model", alice), "model-8", wide);

      try (io.mnemo4j.spi.ScopeGuard guard = ts.lockScope(alice)) {
        var inside = ts.duplicateCandidates(alice, TestEmbeddings.MODEL, probes, 3);
        assertThat(answers(inside)).isEqualTo(answers(outside));
        assertThat(inside.get(0).sameHash().orElseThrow().id()).isEqualTo("m-3");
        assertThat(inside.get(0).nearest().get(0).id()).isEqualTo("m-3");
        assertThat(inside.get(1).sameHash()).isEmpty();
        ts.write(TestMemories.puts(added));
      }

      assertThat(ts.get("m-new")).isPresent();
      assertThat(ts.dimensions()).containsEntry("model-8", 8);
      assertThat(
              ts.vectorSearch(
                  "model-8", wide, new ScopeFilter.Exact(alice), new FilterExpr.All(), 1))
          .extracting(ScoredId::id)
          .containsExactly("m-new");
      // The lock went with the commit: another guard on the scope is granted at once.
      try (io.mnemo4j.spi.ScopeGuard again = ts.lockScope(alice)) {
        assertThat(answers(ts.duplicateCandidates(alice, TestEmbeddings.MODEL, probes, 3)))
            .isEqualTo(answers(outside));
      }
    }
  }

  /**
   * Above the exact-search bound, the duplicate lookups' combined count-and-scan statement answers
   * nothing and each probe walks the index: the same answers as one vector search per probe.
   */
  @Test
  void duplicateCandidates_inAScopeAboveTheExactBound_answerAsOneVectorSearchPerProbe() {
    try (TenantStore ts = store.open(fresh())) {
      Scope alice = Scope.user("alice");
      List<io.mnemo4j.spi.DuplicateProbe> probes =
          factsAndProbes(ts, alice, VectorSearch.EXACT_BELOW + 50, 7);
      var found = ts.duplicateCandidates(alice, TestEmbeddings.MODEL, probes, 3);
      ScopeFilter exact = new ScopeFilter.Exact(alice);
      for (int p = 0; p < probes.size(); p++) {
        assertThat(found.get(p).nearest())
            .isEqualTo(
                ts.vectorSearch(
                    TestEmbeddings.MODEL, probes.get(p).vector(), exact, new FilterExpr.All(), 3));
        assertThat(found.get(p).nearest()).hasSize(3).noneMatch(h -> h.id().equals("b-1"));
      }
      assertThat(found.get(0).sameHash().orElseThrow().id()).isEqualTo("m-7");
      assertThat(found.get(0).nearest().get(0).id()).isEqualTo("m-7");
    }
  }

  /**
   * Writes {@code n} facts "fact number i" (ids m-i) in {@code scope} and the copy of fact {@code
   * copied} in another user's scope (id b-1); returns two duplicate probes: fact {@code copied}'s
   * hash and vector, then an unknown hash and another text's vector.
   */
  private static List<io.mnemo4j.spi.DuplicateProbe> factsAndProbes(
      TenantStore ts, Scope scope, int n, int copied) {
    List<StoredMemory> stored = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      stored.add(TestMemories.memory("m-" + i, "fact number " + i, scope));
    }
    stored.add(TestMemories.memory("b-1", "fact number " + copied, Scope.user("bob")));
    ts.write(TestMemories.puts(stored));
    return List.of(
        new io.mnemo4j.spi.DuplicateProbe(
            stored.get(copied).memory().hash(), TestEmbeddings.embed("fact number " + copied)),
        new io.mnemo4j.spi.DuplicateProbe("no-such-hash", TestEmbeddings.embed("other")));
  }

  /** Duplicate answers as comparable values (a stored memory's vector is an array). */
  private static List<Object> answers(List<io.mnemo4j.spi.DuplicateCandidates> found) {
    List<Object> out = new ArrayList<>();
    for (io.mnemo4j.spi.DuplicateCandidates d : found) {
      out.add(d.sameHash().map(StoredMemory::memory));
      out.add(d.nearest());
    }
    return out;
  }

  @Test
  void write_vectorOfAnotherDimensionForAKnownModel_isRefusedAndWritesNothing() {
    try (TenantStore ts = store.open(fresh())) {
      ts.write(TestMemories.puts(List.of(TestMemories.memory("m-1", "first", Scope.user("u")))));
      StoredMemory bad =
          new StoredMemory(
              TestMemories.memory("m-2", "second", Scope.user("u")).memory(), new float[] {1, 0});
      StoredMemory fine = TestMemories.memory("m-3", "third", Scope.user("u"));

      assertThatThrownBy(() -> ts.write(TestMemories.puts(List.of(fine, bad))))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("64 dimensions");
      assertThat(ts.get("m-3")).isEmpty();
      assertThatThrownBy(
              () ->
                  ts.vectorSearch(
                      TestEmbeddings.MODEL,
                      new float[] {1, 0},
                      new ScopeFilter.Everything(),
                      new FilterExpr.All(),
                      3))
          .isInstanceOf(InvalidRequestException.class);
      assertThat(
              ts.vectorSearch(
                  "unknown-model",
                  new float[] {1, 0},
                  new ScopeFilter.Everything(),
                  new FilterExpr.All(),
                  3))
          .isEmpty();
    }
  }

  /**
   * The checking wrapper knows only what it saw through its own store: a model another process
   * introduced after this tenant was opened here is new to both. The store must refuse a vector of
   * another dimension for it anyway (the model's row, written by the other process, decides) and a
   * query of another dimension (it reads the model's dimension from the database).
   */
  @Test
  void write_modelIntroducedByAnotherProcess_otherDimensionIsRefused() {
    TenantId t = fresh();
    try (PostgresStore otherProcess = PostgresStore.open(TestDatabase.options(db));
        TenantStore here = new CheckedTenantStore(store.open(t));
        TenantStore there = new CheckedTenantStore(otherProcess.open(t))) {
      there.write(TestMemories.puts(List.of(TestMemories.memory("m-1", "first", Scope.user("u")))));
      StoredMemory narrow =
          new StoredMemory(
              TestMemories.memory("m-2", "second", Scope.user("u")).memory(), new float[] {1, 0});

      assertThatThrownBy(() -> here.write(TestMemories.puts(List.of(narrow))))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("64 dimensions");
      assertThat(here.get("m-2")).isEmpty();
      assertThatThrownBy(
              () ->
                  here.vectorSearch(
                      TestEmbeddings.MODEL,
                      new float[] {1, 0},
                      new ScopeFilter.Everything(),
                      new FilterExpr.All(),
                      3))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("has 64 in this tenant");
      assertThat(here.dimensions()).isEmpty();
      here.write(TestMemories.puts(List.of(TestMemories.memory("m-3", "third", Scope.user("u")))));
      assertThat(there.getAll(List.of("m-1", "m-3"))).hasSize(2);
    }
  }

  @Test
  void write_eventReusingAnotherEventsIdempotencyKey_isConflictAndWritesNothing() {
    Instant t = TestMemories.T0;
    StoredEvent first = new StoredEvent("e-1", "key-1", EventStatus.PENDING, "{}", null, t, t);
    try (TenantStore ts = store.open(fresh())) {
      ts.write(WriteBatch.ofEvents(List.of(first)));
      StoredEvent clash =
          new StoredEvent("e-2", "key-1", EventStatus.PENDING, "{}", null, t, t.plusSeconds(1));
      StoredMemory memory = TestMemories.memory("m-1", "should not land", Scope.user("u"));

      assertThatThrownBy(
              () ->
                  ts.write(
                      new WriteBatch(
                          List.of(new Change.Put(memory)),
                          List.of(TestMemories.add(memory.memory())),
                          List.of(),
                          List.of(clash))))
          .isInstanceOf(ConflictException.class);
      assertThat(ts.get("m-1")).isEmpty();
      assertThat(ts.history("m-1")).isEmpty();
      assertThat(ts.event("e-2")).isEmpty();

      // The same event may be replaced (a status change keeps its key).
      StoredEvent done = first.withStatus(EventStatus.SUCCEEDED, "{\"ok\":true}", t.plusSeconds(2));
      ts.write(WriteBatch.ofEvents(List.of(done)));
      assertThat(ts.eventByIdempotencyKey("key-1")).contains(done);
      assertThat(ts.event("e-1")).contains(done);
    }
  }

  /**
   * A small batch's rows of one table go in one multi-row upsert only when their ids differ: {@code
   * ON CONFLICT DO UPDATE} refuses to touch a row twice in one statement, so a batch that puts the
   * same memory twice (or history entries sharing an id) runs one statement per row, in order, and
   * the last put wins as it did with one JDBC batch per table.
   */
  @Test
  void write_smallBatchPuttingOneMemoryTwice_lastPutWins() {
    try (TenantStore ts = store.open(fresh())) {
      Scope u = Scope.user("u");
      StoredMemory first = TestMemories.memory("m-1", "first text", u);
      StoredMemory second = TestMemories.memory("m-1", "second text", u);
      StoredMemory other = TestMemories.memory("m-2", "other text", u);
      ts.write(
          new WriteBatch(
              List.of(new Change.Put(first), new Change.Put(other), new Change.Put(second)),
              List.of(TestMemories.add(first.memory()), TestMemories.add(other.memory())),
              List.of()));

      assertThat(ts.get("m-1").orElseThrow().memory().text()).isEqualTo("second text");
      assertThat(ts.get("m-2")).isPresent();
      assertThat(ts.history("m-2")).hasSize(1);
    }
  }

  @Test
  void events_inStatuses_oldestFirstThenById_upToLimit() {
    Instant t = TestMemories.T0;
    try (TenantStore ts = store.open(fresh())) {
      ts.write(
          WriteBatch.ofEvents(
              List.of(
                  new StoredEvent("e-3", null, EventStatus.PENDING, "{}", null, t, t),
                  new StoredEvent("e-2", null, EventStatus.RUNNING, "{}", null, t, t),
                  new StoredEvent("e-1", null, EventStatus.PENDING, "{}", null, t.plusNanos(1), t),
                  new StoredEvent("e-0", null, EventStatus.FAILED, "{}", "{}", t, t))));

      assertThat(ts.events(Set.of(EventStatus.PENDING, EventStatus.RUNNING), 10))
          .extracting(StoredEvent::id)
          .containsExactly("e-2", "e-3", "e-1");
      assertThat(ts.events(Set.of(EventStatus.PENDING, EventStatus.RUNNING), 2))
          .extracting(StoredEvent::id)
          .containsExactly("e-2", "e-3");
      assertThat(ts.events(Set.of(), 10)).isEmpty();
      assertThat(ts.events(Set.of(EventStatus.SUCCEEDED), 10)).isEmpty();
    }
  }

  @Test
  void vectorSearch_tenantAboveTheExactThreshold_prefiltersThroughTheIndex() {
    Random random = new Random(7);
    List<StoredMemory> memories = new ArrayList<>();
    int n = VectorSearch.EXACT_BELOW + 1_000;
    for (int i = 0; i < n; i++) {
      float[] v = new float[TestEmbeddings.DIM];
      for (int d = 0; d < v.length; d++) {
        v[d] = (float) random.nextGaussian();
      }
      Memory m =
          TestMemories.memory(
                  TestMemories.id(i), "memo " + i, Scope.user("u" + (i % 4)), Map.of("g", i % 500))
              .memory();
      memories.add(new StoredMemory(m, TestEmbeddings.normalize(v)));
    }
    try (TenantStore ts = store.open(fresh())) {
      for (int from = 0; from < n; from += 500) {
        ts.write(TestMemories.puts(memories.subList(from, Math.min(n, from + 500))));
      }
      float[] query = memories.get(42).embedding();
      // A filter matching 6 rows: an unfiltered top-k would hold none of them.
      FilterExpr rare = FilterParser.parse("{\"metadata.g\": 123}");
      assertThat(
              ids(
                  ts.vectorSearch(
                      TestEmbeddings.MODEL, query, new ScopeFilter.Everything(), rare, 5)))
          .isEqualTo(exact(memories, query, m -> FilterEvaluatorBridge.matches(rare, m), 5));
      // A filter passing half the rows (and a scope too large to count as small): the graph
      // walk, nearly exact.
      FilterExpr half = FilterParser.parse("{\"metadata.g\": {\"lt\": 250}}");
      ScopeFilter most = new ScopeFilter.Within(Scope.user("u2"), true);
      List<String> approximate =
          ids(ts.vectorSearch(TestEmbeddings.MODEL, query, new ScopeFilter.Everything(), half, 10));
      List<String> truth = exact(memories, query, m -> FilterEvaluatorBridge.matches(half, m), 10);
      assertThat(approximate).hasSize(10);
      assertThat(approximate.stream().filter(truth::contains).count()).isGreaterThanOrEqualTo(8);
      assertThat(ts.vectorSearch(TestEmbeddings.MODEL, query, most, half, 10))
          .extracting(ScoredId::id)
          .allSatisfy(id -> assertThat(Integer.parseInt(id.substring(2)) % 4).isEqualTo(2));
      // Asking for more than match: every match, best first.
      List<ScoredId> all =
          ts.vectorSearch(TestEmbeddings.MODEL, query, new ScopeFilter.Everything(), rare, 50);
      assertThat(all).hasSize(6);
      assertThat(all).isSortedAccordingTo(Comparator.comparingDouble(ScoredId::score).reversed());
    }
  }

  private static List<String> ids(List<ScoredId> hits) {
    return hits.stream().map(ScoredId::id).toList();
  }

  private static List<String> exact(
      List<StoredMemory> memories,
      float[] query,
      java.util.function.Predicate<Memory> filter,
      int k) {
    return memories.stream()
        .filter(m -> filter.test(m.memory()))
        .sorted(Comparator.comparingDouble((StoredMemory m) -> -dot(query, m.embedding())))
        .limit(k)
        .map(StoredMemory::id)
        .toList();
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /** Keeps the import list honest: the reference evaluator. */
  private static final class FilterEvaluatorBridge {
    static boolean matches(FilterExpr f, Memory m) {
      return io.mnemo4j.filter.FilterEvaluator.matches(f, m);
    }
  }

  @Test
  void textSearch_english_findsInflectionsAndRanksOwnWordsAboveContext() {
    try (TenantStore ts = store.open(fresh())) {
      StoredMemory own = TestMemories.memory("m-1", "We held three meetings", Scope.user("u"));
      StoredMemory context =
          new StoredMemory(
              TestMemories.memory("m-2", "yes it went well", Scope.user("u")).memory(),
              TestEmbeddings.embed("yes it went well"),
              "how was the meeting?");
      ts.write(TestMemories.puts(List.of(own, context)));

      assertThat(
              ids(ts.textSearch("meeting", new ScopeFilter.Everything(), new FilterExpr.All(), 10)))
          .containsExactly("m-1", "m-2");
      assertThat(ts.textSearch("the of", new ScopeFilter.Everything(), new FilterExpr.All(), 10))
          .isEmpty(); // stop words only
      assertThat(ts.textSearch("  ", new ScopeFilter.Everything(), new FilterExpr.All(), 10))
          .isEmpty();
    }
  }

  @Test
  void open_manyStoresAndOneTenantConcurrently_bootstrapAndCreateOnce() throws Exception {
    String other = TestDatabase.create();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> schemas = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        schemas.add(
            pool.submit(
                () -> {
                  try (PostgresStore s = PostgresStore.open(TestDatabase.options(other));
                      TenantStore t = s.open(TenantId.of("shared"))) {
                    t.count(new ScopeFilter.Everything(), new FilterExpr.All());
                    return s.registered(TenantId.of("shared")).orElseThrow();
                  }
                }));
      }
      Set<String> names = new HashSet<>();
      for (Future<String> f : schemas) {
        names.add(f.get());
      }
      assertThat(names).containsExactly("mnemo_t_shared");
    } finally {
      pool.shutdownNow();
      TestDatabase.drop(other);
    }
  }

  @Test
  void closed_storesFailFastAndCloseIsIdempotent() {
    PostgresStore own = PostgresStore.open(TestDatabase.options(db));
    TenantStore ts = new CheckedTenantStore(own.open(fresh()));
    ts.close();
    ts.close();
    assertThatThrownBy(() -> ts.get("x")).isInstanceOf(StoreUnavailableException.class);
    own.close();
    own.close();
    assertThatThrownBy(() -> own.open(fresh())).isInstanceOf(StoreUnavailableException.class);
    assertThat(own.kind()).isEqualTo("postgres");
  }
}
