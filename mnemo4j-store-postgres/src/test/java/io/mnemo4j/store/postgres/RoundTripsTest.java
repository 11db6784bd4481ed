package io.mnemo4j.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.ConflictException;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantId;
import io.mnemo4j.spi.AddNeighbour;
import io.mnemo4j.spi.Change;
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
import io.mnemo4j.testing.TestEmbeddings;
import io.mnemo4j.testing.TestMemories;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How many round trips an add's store calls make, counted as the Sync messages the driver sends
 * through a proxy in front of the server (each Sync is one wait for the server's answer). Issue 14
 * goal 3: on a busy machine every round trip waits for the server process to be scheduled, so an
 * add of 10 messages is one round trip for its scope lock, one for its duplicate lookups (hashes
 * and the exact vector scan together) and one for its write with the commit (8 before: each table
 * its own JDBC batch, the hash lookup and the commit apart).
 */
class RoundTripsTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();

  private static final Scope ALICE = Scope.user("alice");
  private static final Scope BOB = Scope.user("bob");
  private static final io.mnemo4j.filter.FilterExpr ALL = new io.mnemo4j.filter.FilterExpr.All();
  private static final TenantId TENANT = TenantId.of("trips");

  /**
   * An add under its scope lock makes two round trips: the lock and the tenant's settings travel
   * with the duplicate lookups, the commit with the write. Taking the guard sends nothing (no other
   * work runs meanwhile: background tasks are queued, not run).
   */
  @Test
  void add_lockTravelsWithTheLookups_andTheCommitWithTheWrite() throws Exception {
    seedAndAnalyse(); // so the counted store runs no ANALYZE of its own
    try (SyncCounter proxy = SyncCounter.start();
        PostgresStore store = PostgresStore.open(proxy.options(db.name()));
        TenantStore ts = store.open(TENANT)) {
      store.runBackgroundWith(task -> {});
      add(ts, proxy, 1, false); // the first add learns what the process caches (model dimensions)
      long[] after = add(ts, proxy, 2, false);

      assertThat(after[0]).as("taking the guard").isZero();
      assertThat(after[1]).as("lock and duplicate lookups").isEqualTo(1);
      assertThat(after[2] - after[1]).as("write and commit").isEqualTo(1);
      assertThat(after[3] - after[2]).as("closing the guard").isZero();
      assertThat(proxy.binaryVectors())
          .as("vectors bound as binary real[], its 10 probes' and its 10 rows'")
          .isEqualTo(20);
      assertThat(ts.get("a2-9")).isPresent();
      assertThat(ts.history("a2-9")).hasSize(1);
      assertThat(ts.messages(List.of("msg-a2-9"))).hasSize(1);
      assertThat(ts.event("e-a2")).isPresent();
    }
  }

  /**
   * A guard whose thread reads nothing sends its lock and the tenant's settings in front of the
   * write: lock, write and commit in one round trip, and the batch lands.
   */
  @Test
  void write_underAGuardThatReadNothing_sendsTheLockWithTheBatch() throws Exception {
    seedAndAnalyse();
    try (SyncCounter proxy = SyncCounter.start();
        PostgresStore store = PostgresStore.open(proxy.options(db.name()));
        TenantStore ts = store.open(TENANT)) {
      store.runBackgroundWith(task -> {});
      long before = proxy.allSyncs();
      try (ScopeGuard guard = ts.lockScope(ALICE)) {
        ts.write(TestMemories.puts(List.of(TestMemories.memory("w-1", "written blind", ALICE))));
        assertThat(proxy.allSyncs() - before).as("round trips of all connections").isEqualTo(1);
        assertThat(proxy.syncs()).as("from the lock statement on").isEqualTo(1);
      }
      assertThat(ts.get("w-1")).isPresent();
    }
  }

  /**
   * In a tenant that holds too few vectors of the model for an HNSW index, every search is exact
   * anyway: once a check after this process's first write to the tenant has found so, the add's
   * duplicate lookup reads the scope's rows without first counting them in the same statement
   * (which read every row a second time). Before that check, the count is still there. Fresh store,
   * fresh connections: the driver parses every statement on its first uses, so the proxy sees each
   * add's statements.
   */
  @Test
  void add_inATenantTooSmallForAnIndex_looksUpDuplicatesWithoutCountingTheScope() throws Exception {
    seedAndAnalyse(); // vectors to scan from the first add on, written by another store
    List<Runnable> queued = new ArrayList<>();
    try (SyncCounter proxy = SyncCounter.start();
        PostgresStore store = PostgresStore.open(proxy.options(db.name()));
        TenantStore ts = store.open(TENANT)) {
      store.runBackgroundWith(queued::add);
      int mark = proxy.parsed().size();
      add(ts, proxy, 1, false);
      List<String> first = proxy.parsed().subList(mark, proxy.parsed().size());
      assertThat(first).anyMatch(q -> q.contains("<=>") && q.contains("count(*)"));

      while (!queued.isEmpty()) {
        queued.remove(0).run(); // the index check (it counts 10 vectors) and the text flush
      }
      mark = proxy.parsed().size();
      long[] after = add(ts, proxy, 2, false);
      List<String> second = proxy.parsed().subList(mark, proxy.parsed().size());

      assertThat(second).anyMatch(q -> q.contains("<=>"));
      assertThat(second).noneMatch(q -> q.contains("<=>") && q.contains("count(*)"));
      assertThat(after[1]).as("lock and duplicate lookups").isEqualTo(1);
      assertThat(
              ts.duplicateCandidates(
                  ALICE,
                  TestEmbeddings.MODEL,
                  List.of(new DuplicateProbe("none", TestEmbeddings.embed("add 2 says 3"))),
                  1))
          .singleElement()
          .satisfies(d -> assertThat(d.nearest()).extracting(ScoredId::id).containsExactly("a2-3"));
    }
  }

  /**
   * The write's commit travels with its statements, and the server runs it only if they all
   * succeeded: an operation record whose idempotency key another holds fails the write, nothing of
   * the batch lands, and the guard's connection goes back to the pool clean (the next add on it
   * commits).
   */
  @Test
  void add_guardedWriteFailingOnItsLastStatement_commitsNothingAndLeavesTheConnectionClean()
      throws Exception {
    seedAndAnalyse();
    try (SyncCounter proxy = SyncCounter.start();
        PostgresStore store = PostgresStore.open(proxy.options(db.name()));
        TenantStore ts = store.open(TENANT)) {
      add(ts, proxy, 1, false);
      assertThatThrownBy(() -> add(ts, proxy, 2, true)).isInstanceOf(ConflictException.class);
      assertThat(ts.get("a2-0")).isEmpty();
      assertThat(ts.history("a2-0")).isEmpty();
      assertThat(ts.messages(List.of("msg-a2-0"))).isEmpty();
      assertThat(ts.event("e-a2")).isEmpty();
      add(ts, proxy, 3, false);
      assertThat(ts.get("a3-9")).isPresent();
      assertThat(ts.event("e-a3")).isPresent();
    }
  }

  /**
   * An add reads the rows of its near-duplicate candidates under its scope lock: those reads run in
   * the guard's transaction, one round trip each on the guard's connection, instead of a
   * connection, a transaction and a commit of their own (three round trips), and read the same
   * rows.
   */
  @Test
  void reads_underTheScopeGuard_runInItsTransaction() throws Exception {
    seedAndAnalyse();
    try (SyncCounter proxy = SyncCounter.start();
        PostgresStore store = PostgresStore.open(proxy.options(db.name()));
        TenantStore ts = store.open(TENANT)) {
      StoredMemory one = ts.get("f-1").orElseThrow();
      List<StoredMemory> two = ts.getAll(List.of("f-1", "f-2"));
      try (ScopeGuard guard = ts.lockScope(ALICE)) {
        assertThat(ts.get("f-2")).usingRecursiveComparison().isEqualTo(Optional.of(two.get(1)));
        assertThat(proxy.syncs()).as("the lock with the first read").isEqualTo(1);
        readsTakeOneRoundTripEach(ts, proxy::syncs, one, two);
      }
    }
  }

  /**
   * Outside a scope guard, a read of rows (get, getAll, findByHash, addNeighbours) is one round
   * trip: the tenant's settings travel in front of the statement in auto-commit mode, with no
   * transaction, settings statement or commit of its own. The answers are those of the same reads
   * in the guard's transaction, and no setting stays on the pooled connections.
   */
  @Test
  void reads_outsideAGuard_takeOneRoundTripAndLeaveNoSettingsBehind() throws Exception {
    seedAndAnalyse();
    try (SyncCounter proxy = SyncCounter.start();
        PostgresStore store = PostgresStore.open(proxy.options(db.name()));
        TenantStore ts = store.open(TENANT)) {
      StoredMemory one;
      List<StoredMemory> two;
      Map<String, List<AddNeighbour>> near;
      try (ScopeGuard guard = ts.lockScope(ALICE)) {
        one = ts.get("f-1").orElseThrow();
        two = ts.getAll(List.of("f-1", "f-2"));
        near = ts.addNeighbours(List.of("f-1", "f-2"), 2);
      }
      readsTakeOneRoundTripEach(ts, proxy::allSyncs, one, two);
      long at = proxy.allSyncs();
      assertThat(ts.addNeighbours(List.of("f-1", "f-2"), 2))
          .usingRecursiveComparison()
          .isEqualTo(near);
      assertThat(proxy.allSyncs() - at).as("addNeighbours").isEqualTo(1);
      assertThat(near).containsOnlyKeys("f-1", "f-2");

      // Every connection of the pool (4) at once: the ones those reads used among them.
      List<Connection> all = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          all.add(store.pool().getConnection());
        }
        for (Connection c : all) {
          assertThat(c.getAutoCommit()).isFalse();
          try (Statement s = c.createStatement();
              ResultSet rs =
                  s.executeQuery(
                      "SELECT coalesce(current_setting('mnemo.tenant', true), ''), current_user")) {
            rs.next();
            assertThat(rs.getString(1)).as("tenant setting left behind").isEmpty();
            assertThat(rs.getString(2)).as("role left behind").isEqualTo("postgres");
          }
          c.rollback();
        }
      } finally {
        for (Connection c : all) {
          c.close();
        }
      }
    }
  }

  /**
   * A search reads its candidates' rows, then looks up the neighbours of some of them. When the row
   * read found every one of those stored alone by its add, the lookup takes no round trip and
   * answers what its statement answers (no neighbour for each); a memory of a larger add is looked
   * up, and what a row read learnt answers one lookup only.
   */
  @Test
  void addNeighbours_ofMemoriesTheRowReadFoundAlone_takeNoRoundTrip() throws Exception {
    List<StoredMemory> memories = new ArrayList<>(TenantSchemaMigrationTest.addsOfThree(6, ALICE));
    for (int i = 0; i < 3; i++) {
      memories.add(
          TestMemories.at(
              TestMemories.memory("s-" + i, "said alone " + i, ALICE),
              TestMemories.T0.plusSeconds(1_000 + i)));
    }
    try (PostgresStore store = PostgresStore.open(db.options());
        TenantStore ts = store.open(TENANT)) {
      ts.write(TestMemories.puts(memories));
    }
    String grouped = TestMemories.id(1);
    try (SyncCounter proxy = SyncCounter.start();
        PostgresStore store = PostgresStore.open(proxy.options(db.name()));
        TenantStore ts = store.open(TENANT)) {
      Map<String, List<AddNeighbour>> looked = ts.addNeighbours(List.of("s-0", "s-1", grouped), 2);
      assertThat(looked.get("s-0")).isEmpty();
      assertThat(looked.get(grouped))
          .extracting(AddNeighbour::id)
          .containsExactlyInAnyOrder(TestMemories.id(0), TestMemories.id(2));

      ts.getAll(List.of("s-0", "s-1", "s-2"));
      long at = proxy.allSyncs();
      Map<String, List<AddNeighbour>> alone = ts.addNeighbours(List.of("s-0", "s-1"), 2);
      assertThat(proxy.allSyncs() - at).as("lookup of memories found alone").isZero();
      assertThat(alone).containsOnlyKeys("s-0", "s-1");
      assertThat(alone.values()).allSatisfy(near -> assertThat(near).isEmpty());

      at = proxy.allSyncs();
      ts.addNeighbours(List.of("s-0"), 2);
      assertThat(proxy.allSyncs() - at).as("a second lookup after one row read").isEqualTo(1);

      ts.getAll(List.of("s-0", grouped));
      at = proxy.allSyncs();
      assertThat(ts.addNeighbours(List.of("s-0", grouped), 2))
          .usingRecursiveComparison()
          .isEqualTo(Map.of("s-0", looked.get("s-0"), grouped, looked.get(grouped)));
      assertThat(proxy.allSyncs() - at)
          .as("lookup including a memory of a larger add")
          .isEqualTo(1);
    }
  }

  /**
   * Full-text search sends each statement with its settings in one round trip, with no transaction
   * of its own: parsing the query, then one for its passes (one pass on a table known to be small);
   * the text scores of given memories take two. Both give the same score for a memory.
   */
  @Test
  void textSearchAndTextScores_takeOneRoundTripPerStatement() throws Exception {
    seedAndAnalyse();
    try (SyncCounter proxy = SyncCounter.start();
        PostgresStore store = PostgresStore.open(proxy.options(db.name()));
        TenantStore ts = store.open(TENANT)) {
      ScopeFilter alice = new ScopeFilter.Exact(ALICE);
      ts.get("f-1"); // opens the tenant and learns the table's size
      long at = proxy.allSyncs();
      List<ScoredId> found = ts.textSearch("fact number 7", alice, ALL, 5);
      assertThat(proxy.allSyncs() - at).as("textSearch").isEqualTo(2);
      assertThat(found).hasSize(5);
      assertThat(found.get(0).id()).isEqualTo("f-7");
      at = proxy.allSyncs();
      List<ScoredId> scored = ts.textScores("fact number 7", List.of("f-7", "f-8"));
      assertThat(proxy.allSyncs() - at).as("textScores of the query searched").isEqualTo(1);
      assertThat(scored).extracting(ScoredId::id).containsExactlyInAnyOrder("f-7", "f-8");
      assertThat(scored)
          .filteredOn(h -> h.id().equals("f-7"))
          .singleElement()
          .extracting(ScoredId::score)
          .isEqualTo(found.get(0).score());
      at = proxy.allSyncs();
      assertThat(ts.textScores("number 8", List.of("f-7", "f-8")))
          .extracting(ScoredId::id)
          .containsExactlyInAnyOrder("f-7", "f-8");
      assertThat(proxy.allSyncs() - at).as("textScores of another query").isEqualTo(2);
    }
  }

  /**
   * In a table not known to be small, full-text search ranks in passes, narrowest first (every
   * term, three, two, any), and stops at the first pass that fills the list: all its passes go in
   * one round trip after the parse, the passes not needed reading nothing, with the answers pass by
   * pass gave. Here the memories holding all four words, three, two and one are 1, 2, 3 and 4; the
   * planner is told the table is large (its row estimate), as on a tenant of 100,000 memories.
   */
  @Test
  void textSearch_ofSeveralPasses_takesOneRoundTripAfterTheParse_andStopsAtTheFirstFull()
      throws Exception {
    seedAndAnalyse();
    List<String> texts = new ArrayList<>();
    texts.add("alpha beta gamma delta");
    texts.addAll(java.util.Collections.nCopies(2, "alpha beta gamma"));
    texts.addAll(java.util.Collections.nCopies(3, "alpha beta"));
    texts.addAll(java.util.Collections.nCopies(4, "alpha"));
    List<StoredMemory> words = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      words.add(TestMemories.memory("w-" + i, texts.get(i) + " note " + i, ALICE));
    }
    try (PostgresStore store = PostgresStore.open(db.options());
        TenantStore ts = store.open(TENANT)) {
      ts.write(TestMemories.puts(words));
    }
    try (Connection c = TestDatabase.connect(db.name());
        Statement s = c.createStatement()) {
      s.execute("ANALYZE");
      s.execute(
          "UPDATE pg_class SET reltuples = 100000 WHERE relname = 'memories' AND relnamespace ="
              + " (SELECT oid FROM pg_namespace WHERE nspname = (SELECT schema_name FROM"
              + " mnemo_registry.tenants WHERE tenant_id = 'trips'))");
    }
    try (SyncCounter proxy = SyncCounter.start();
        PostgresStore store = PostgresStore.open(proxy.options(db.name()));
        TenantStore ts = store.open(TENANT)) {
      ScopeFilter alice = new ScopeFilter.Exact(ALICE);
      String query = "alpha beta gamma delta";
      long at = proxy.allSyncs();
      int mark = proxy.parsed().size();
      List<ScoredId> one = ts.textSearch(query, alice, ALL, 1);
      assertThat(proxy.allSyncs() - at).as("parse, then every pass").isEqualTo(2);
      assertThat(one).extracting(ScoredId::id).containsExactly("w-0");
      // The four passes went: each after the first sets its own match condition.
      assertThat(proxy.parsed().subList(mark, proxy.parsed().size()))
          .filteredOn(q -> q.contains("SELECT set_config('mnemo.tsquery', $1, true)"))
          .hasSize(3);

      Map<Integer, List<String>> expected =
          Map.of(
              3, List.of("w-0", "w-1", "w-2"),
              6, List.of("w-0", "w-1", "w-2", "w-3", "w-4", "w-5"),
              20, words.stream().map(StoredMemory::id).toList());
      for (int k : List.of(3, 6, 20)) {
        at = proxy.allSyncs();
        List<ScoredId> found = ts.textSearch(query, alice, ALL, k);
        assertThat(proxy.allSyncs() - at).as("every pass, k = %d", k).isEqualTo(1);
        assertThat(found).as("k = %d", k).extracting(ScoredId::id).isEqualTo(expected.get(k));
        assertThat(found)
            .as("best first, k = %d", k)
            .extracting(ScoredId::score)
            .isSortedAccordingTo(java.util.Comparator.reverseOrder());
        Map<String, Double> scored = new java.util.HashMap<>();
        ts.textScores(query, expected.get(k)).forEach(h -> scored.put(h.id(), h.score()));
        assertThat(found).allSatisfy(h -> assertThat(h.score()).isEqualTo(scored.get(h.id())));
      }
    }
  }

  /**
   * A search of a scope a count just found large (at least {@code EXACT_BELOW} rows of the model)
   * walks the index without counting again: the count read up to 2,000 full rows per search. The
   * next search sends the tenant's settings, the walk's and the walk in one round trip
   * (auto-commit: no transaction of its own) and gives the same answer. The duplicate lookups of an
   * add to that scope also skip the count.
   */
  @Test
  void vectorSearch_scopeCountedLarge_walksTheIndexWithoutCountingAgain() throws Exception {
    List<StoredMemory> many = new ArrayList<>();
    for (int i = 0; i < VectorSearch.EXACT_BELOW + 50; i++) {
      many.add(TestMemories.memory("l-" + i, "note " + i + " about topic " + (i % 97), ALICE));
    }
    try (PostgresStore store = PostgresStore.open(db.options());
        TenantStore ts = store.open(TENANT)) {
      ts.write(TestMemories.puts(many));
      ts.write(TestMemories.puts(TestMemories.memory("b-1", "note about topic 3", BOB)));
    }
    try (Connection c = TestDatabase.connect(db.name());
        Statement s = c.createStatement()) {
      s.execute("ANALYZE");
    }
    float[] query = TestEmbeddings.embed("note about topic 5");
    ScopeFilter alice = new ScopeFilter.Exact(ALICE);
    try (SyncCounter proxy = SyncCounter.start();
        PostgresStore store = PostgresStore.open(proxy.options(db.name()));
        TenantStore ts = store.open(TENANT)) {
      // A small scope first: the store learns the model's dimension without counting Alice.
      ts.vectorSearch(TestEmbeddings.MODEL, query, new ScopeFilter.Exact(BOB), ALL, 10);
      long before = proxy.allSyncs();
      List<ScoredId> counted = ts.vectorSearch(TestEmbeddings.MODEL, query, alice, ALL, 10);
      long first = proxy.allSyncs() - before;
      before = proxy.allSyncs();
      List<ScoredId> known = ts.vectorSearch(TestEmbeddings.MODEL, query, alice, ALL, 10);
      long second = proxy.allSyncs() - before;

      assertThat(counted).hasSize(10);
      assertThat(known).isEqualTo(counted);
      assertThat(first).as("round trips of the first search").isEqualTo(4);
      assertThat(second).as("round trips of the second search").isEqualTo(1);

      List<DuplicateProbe> probes = List.of(new DuplicateProbe(many.get(7).memory().hash(), query));
      try (ScopeGuard guard = ts.lockScope(ALICE)) {
        assertThat(ts.duplicateCandidates(ALICE, TestEmbeddings.MODEL, probes, 3))
            .singleElement()
            .satisfies(
                d -> {
                  assertThat(d.sameHash()).map(StoredMemory::id).contains("l-7");
                  // Equal distances may come in either order: compare the scores.
                  assertThat(d.nearest())
                      .extracting(ScoredId::score)
                      .isEqualTo(counted.subList(0, 3).stream().map(ScoredId::score).toList());
                });
      }
    }
  }

  /**
   * One add of 10 messages as the verbatim pipeline makes it: lock the scope, ask for duplicate
   * candidates, write 10 memories with their history, messages and one operation record (reusing
   * add 1's idempotency key when {@code clash}), close the guard. Returns the round trips taking
   * the guard made (of any connection), then the Syncs of the guard's connection from its lock
   * statement on after the lookups, the write and closing the guard.
   */
  private long[] add(TenantStore ts, SyncCounter counter, int n, boolean clash) {
    long[] at = new long[4];
    List<StoredMemory> memories = new ArrayList<>();
    List<DuplicateProbe> probes = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      StoredMemory m = TestMemories.memory("a" + n + "-" + i, "add " + n + " says " + i, ALICE);
      memories.add(m);
      probes.add(new DuplicateProbe(m.memory().hash(), m.embedding()));
    }
    Instant t = TestMemories.T0;
    List<HistoryEntry> history = new ArrayList<>();
    List<StoredMessage> messages = new ArrayList<>();
    for (StoredMemory m : memories) {
      history.add(TestMemories.add(m.memory()));
      messages.add(
          new StoredMessage("msg-" + m.id(), ALICE, Role.USER, null, m.memory().text(), t));
    }
    StoredEvent event =
        new StoredEvent(
            "e-a" + n, "key-" + (clash ? 1 : n), EventStatus.SUCCEEDED, "{}", "{}", t, t);
    long before = counter.allSyncs();
    try (ScopeGuard guard = ts.lockScope(ALICE)) {
      at[0] = counter.allSyncs() - before;
      ts.duplicateCandidates(ALICE, TestEmbeddings.MODEL, probes, 3);
      at[1] = counter.syncs();
      ts.write(
          new WriteBatch(
              memories.stream().map(m -> (Change) new Change.Put(m)).toList(),
              history,
              messages,
              List.of(event)));
      at[2] = counter.syncs();
    }
    at[3] = counter.syncs();
    return at;
  }

  /**
   * {@code getAll} of f-1 and f-2, {@code get} of f-1 and {@code findByHash} of its hash answer
   * {@code two} and {@code one}, in one round trip each as {@code syncs} counts them.
   */
  private static void readsTakeOneRoundTripEach(
      TenantStore ts, LongSupplier syncs, StoredMemory one, List<StoredMemory> two) {
    long at = syncs.getAsLong();
    assertThat(ts.getAll(List.of("f-1", "f-2"))).usingRecursiveComparison().isEqualTo(two);
    assertThat(syncs.getAsLong() - at).as("getAll").isEqualTo(1);
    at = syncs.getAsLong();
    assertThat(ts.get("f-1")).get().usingRecursiveComparison().isEqualTo(one);
    assertThat(syncs.getAsLong() - at).as("get").isEqualTo(1);
    at = syncs.getAsLong();
    assertThat(ts.findByHash(ALICE, one.memory().hash()))
        .get()
        .usingRecursiveComparison()
        .isEqualTo(one);
    assertThat(syncs.getAsLong() - at).as("findByHash").isEqualTo(1);
  }

  /** Stores facts in the tenant without the proxy and analyses its tables. */
  private void seedAndAnalyse() throws Exception {
    try (PostgresStore store = PostgresStore.open(db.options());
        TenantStore ts = store.open(TENANT)) {
      List<StoredMemory> facts = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        facts.add(TestMemories.memory("f-" + i, "fact number " + i, ALICE));
      }
      ts.write(TestMemories.puts(facts));
    }
    try (Connection c = TestDatabase.connect(db.name());
        Statement s = c.createStatement()) {
      s.execute("ANALYZE");
    }
  }

  /**
   * A TCP proxy to the test server that counts the Sync messages the client connection that last
   * took a scope lock sent since (other connections may run background work meanwhile: an index
   * check, an ANALYZE). The lock statement is recognised by its Parse message, which the driver
   * sends for a statement's first runs on a connection (before it prepares it on the server, after
   * 5): these tests lock a few times only. Assumes no TLS (the URL it hands out disables it), so
   * the stream after the startup message is plain typed messages: a type byte and a length that
   * counts itself.
   */
  static final class SyncCounter implements AutoCloseable {
    private final ServerSocket listener;
    private final URI server;
    private static final String LOCK = "pg_advisory_xact_lock";
    private volatile AtomicLong locking = new AtomicLong();
    private volatile AtomicLong lockingVectors = new AtomicLong();
    private final AtomicLong all = new AtomicLong();
    private final List<Socket> sockets = new ArrayList<>();

    /** The text of every Parse message any connection sent, in order. */
    private final List<String> parsed = java.util.Collections.synchronizedList(new ArrayList<>());

    private SyncCounter(ServerSocket listener, URI server) {
      this.listener = listener;
      this.server = server;
    }

    static SyncCounter start() throws IOException {
      URI server = URI.create(TestDatabase.SERVER.substring("jdbc:".length()));
      SyncCounter counter =
          new SyncCounter(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), server);
      Thread.ofVirtual().name("sync-counter").start(counter::accept);
      return counter;
    }

    /** Syncs the connection that last took a scope lock sent since, that statement's included. */
    long syncs() {
      return locking.get();
    }

    /**
     * Parameters bound as binary one-dimensional {@code real[]} (how vectors travel) by the
     * connection that last took a scope lock, since that statement.
     */
    long binaryVectors() {
      return lockingVectors.get();
    }

    /**
     * The statements parsed so far, by every connection: a statement runs without a Parse once the
     * driver prepared it on its connection, so this sees only statements new to one.
     */
    List<String> parsed() {
      synchronized (parsed) {
        return List.copyOf(parsed);
      }
    }

    /** Syncs every connection through the proxy sent so far. */
    long allSyncs() {
      return all.get();
    }

    PostgresOptions options(String database) {
      return PostgresOptions.of(
              "jdbc:postgresql://127.0.0.1:"
                  + listener.getLocalPort()
                  + "/"
                  + database
                  + "?sslmode=disable&gssEncMode=disable")
          .withUser("postgres")
          .withPoolSize(4);
    }

    private void accept() {
      try {
        while (true) {
          Socket client = listener.accept();
          Socket upstream = new Socket(server.getHost(), server.getPort());
          synchronized (sockets) {
            sockets.add(client);
            sockets.add(upstream);
          }
          Thread.ofVirtual().start(() -> copy(upstream, client));
          Thread.ofVirtual().start(() -> count(client, upstream));
        }
      } catch (IOException closed) {
        // close() ends the loop
      }
    }

    private static void copy(Socket from, Socket to) {
      try (InputStream in = from.getInputStream();
          OutputStream out = to.getOutputStream()) {
        in.transferTo(out);
      } catch (IOException closed) {
        // either side went away
      }
    }

    /**
     * Forwards the client's messages, counting Syncs ('S') from a Parse of the lock statement on.
     */
    private void count(Socket from, Socket to) {
      AtomicLong syncs = new AtomicLong();
      AtomicLong vectors = new AtomicLong();
      try (DataInputStream in = new DataInputStream(from.getInputStream());
          OutputStream out = to.getOutputStream()) {
        int startup = in.readInt(); // the startup message has no type byte
        byte[] body = new byte[startup - 4];
        in.readFully(body);
        writeInt(out, startup);
        out.write(body);
        out.flush();
        while (true) {
          int type = in.read();
          if (type < 0) {
            return;
          }
          int length = in.readInt();
          byte[] rest = new byte[length - 4];
          in.readFully(rest);
          if (type == 'S') {
            syncs.incrementAndGet();
            all.incrementAndGet();
          } else if (type == 'P') {
            String text = new String(rest, StandardCharsets.UTF_8);
            parsed.add(text);
            if (text.contains(LOCK)) {
              syncs.set(0);
              vectors.set(0);
              locking = syncs;
              lockingVectors = vectors;
            }
          } else if (type == 'B') {
            vectors.addAndGet(binaryFloatArrays(rest));
          }
          out.write(type);
          writeInt(out, length);
          out.write(rest);
          out.flush();
        }
      } catch (IOException closed) {
        // either side went away
      }
    }

    /**
     * The parameters of a Bind message's body in binary format that hold a one-dimensional array of
     * {@code float4} (type 700): portal and statement names, the format codes (none: all text, one:
     * for all), then each value's length and bytes.
     */
    private static int binaryFloatArrays(byte[] bind) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bind);
      for (int names = 0; names < 2; names++) {
        while (b.get() != 0) {
          // skip a NUL-terminated name
        }
      }
      short[] formats = new short[b.getShort()];
      for (int i = 0; i < formats.length; i++) {
        formats[i] = b.getShort();
      }
      int params = b.getShort();
      int found = 0;
      for (int i = 0; i < params; i++) {
        int length = b.getInt();
        if (length < 0) {
          continue; // NULL
        }
        int at = b.position();
        boolean binary = formats.length > 0 && formats[formats.length == 1 ? 0 : i] == 1;
        if (binary && length >= 20 && b.getInt(at) == 1 && b.getInt(at + 8) == 700) {
          found++;
        }
        b.position(at + length);
      }
      return found;
    }

    private static void writeInt(OutputStream out, int v) throws IOException {
      out.write(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }

    @Override
    public void close() throws IOException {
      listener.close();
      synchronized (sockets) {
        for (Socket s : sockets) {
          s.close();
        }
      }
    }
  }
}
