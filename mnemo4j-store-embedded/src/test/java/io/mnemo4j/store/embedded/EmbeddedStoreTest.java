package io.mnemo4j.store.embedded;

import static io.mnemo4j.testing.TestMemories.T0;
import static io.mnemo4j.testing.TestMemories.id;
import static io.mnemo4j.testing.TestMemories.memory;
import static io.mnemo4j.testing.TestMemories.puts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.EventType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryType;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantId;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.internal.store.CheckedTenantStore;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.PurgeStats;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.StoredMessage;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import io.mnemo4j.testing.TestEmbeddings;
import io.mnemo4j.testing.TestMemories;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedStoreTest {
  static final TenantId ACME = TenantId.of("acme");
  static final TenantId GLOBEX = TenantId.of("globex");
  static final Scope ALICE = Scope.user("alice");
  static final Scope BOB = Scope.user("bob");
  static final FilterExpr ALL = new FilterExpr.All();
  static final ScopeFilter EVERYTHING = new ScopeFilter.Everything();

  @TempDir Path dir;
  private ClosingStores stores;

  @BeforeEach
  void closer() {
    stores = new ClosingStores(dir.resolve("eu"));
  }

  @AfterEach
  void closeAll() throws Exception {
    stores.close();
  }

  private EmbeddedStore store() {
    return stores.store();
  }

  private TenantStore open(EmbeddedStore store, TenantId tenant) {
    return stores.open(store, tenant);
  }

  /** The tenant's store as the core sees it: behind the checking wrapper. */
  private TenantStore openChecked(EmbeddedStore store, TenantId tenant) {
    return new CheckedTenantStore(open(store, tenant));
  }

  private static List<String> ids(List<ScoredId> hits) {
    return hits.stream().map(ScoredId::id).toList();
  }

  private static StoredMemory full(String id) {
    Memory m =
        new Memory(
            id,
            "Our CRM is called Atlas",
            "hash-atlas",
            new Scope("alice", "sales-bot", "run-7"),
            Map.of(
                "priority",
                3,
                "score",
                0.5,
                "tags",
                List.of("crm", "tools"),
                "ok",
                true,
                "nested",
                Map.of("a", List.of(1, 2))),
            List.of("work", "tools"),
            Role.ASSISTANT,
            "sales-bot",
            T0,
            T0.plusSeconds(5),
            T0.plusSeconds(3600),
            T0.minusSeconds(86_400),
            null,
            new Memory.Provenance("inferred", List.of("msg-1", "msg-2")),
            "model-x",
            MemoryType.SEMANTIC);
    return new StoredMemory(m, TestEmbeddings.embed(m.text()));
  }

  @Test
  void write_thenGet_returnsEveryField() {
    TenantStore ts = open(store(), ACME);
    StoredMemory m = full("m-1");
    ts.write(puts(m));

    StoredMemory got = ts.get("m-1").orElseThrow();
    assertThat(got.memory()).isEqualTo(m.memory());
    assertThat(got.embedding()).containsExactly(m.embedding());
    assertThat(ts.get("m-2")).isEmpty();
  }

  @Test
  void write_thenReopen_returnsEverything() {
    EmbeddedStore store = store();
    TenantStore ts = store.open(ACME);
    StoredMemory m = memory("m-1", "I prioritise API performance", ALICE);
    StoredMessage msg =
        new StoredMessage("msg-1", ALICE, Role.USER, "alice", "I prioritise API performance", T0);
    ts.write(
        new WriteBatch(
            List.of(new Change.Put(m)), List.of(TestMemories.add(m.memory())), List.of(msg)));
    ts.close();
    store.close();

    TenantStore again = open(store(), ACME);
    assertThat(again.get("m-1").orElseThrow().memory()).isEqualTo(m.memory());
    assertThat(again.history("m-1")).extracting(HistoryEntry::event).containsExactly(EventType.ADD);
    assertThat(ids(again.textSearch("performance", EVERYTHING, ALL, 5))).containsExactly("m-1");
    assertThat(ids(again.vectorSearch(TestEmbeddings.MODEL, m.embedding(), EVERYTHING, ALL, 5)))
        .containsExactly("m-1");
  }

  @Test
  void getAll_mixedIds_keepsRequestOrderAndSkipsMissing() {
    TenantStore ts = open(store(), ACME);
    ts.write(
        puts(
            memory("m-1", "one", ALICE), memory("m-2", "two", ALICE), memory("m-3", "three", BOB)));

    assertThat(ts.getAll(List.of("m-3", "nope", "m-1")))
        .extracting(StoredMemory::id)
        .containsExactly("m-3", "m-1");
    assertThat(ts.getAll(List.of())).isEmpty();
    List<String> many = IntStream.range(0, 1200).mapToObj(i -> "x-" + i).toList();
    assertThat(ts.getAll(Stream.concat(many.stream(), Stream.of("m-2")).toList()))
        .extracting(StoredMemory::id)
        .containsExactly("m-2");
  }

  @Test
  void findByHash_matchesExactScopeOnly() {
    TenantStore ts = open(store(), ACME);
    ts.write(
        puts(
            memory("m-1", "same", ALICE.withAgent("bot")),
            memory("m-2", "same", Scope.tenantWide())));

    String hash = "h:" + "same".hashCode();
    assertThat(ts.findByHash(ALICE, hash)).isEmpty();
    assertThat(ts.findByHash(ALICE.withAgent("bot"), hash).orElseThrow().id()).isEqualTo("m-1");
    assertThat(ts.findByHash(Scope.tenantWide(), hash).orElseThrow().id()).isEqualTo("m-2");
    assertThat(ts.findByHash(Scope.tenantWide(), "other")).isEmpty();
  }

  @Test
  void list_pagesInIdOrder_untilNullCursor() {
    TenantStore ts = open(store(), ACME);
    List<StoredMemory> all = new ArrayList<>();
    for (int i = 25; i >= 1; i--) {
      all.add(memory(id(i), "fact " + i, i % 5 == 0 ? BOB : ALICE));
    }
    ts.write(puts(all));

    List<String> seen = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    PageRequest request = PageRequest.first(7);
    while (true) {
      Page<StoredMemory> page = ts.list(new ScopeFilter.Within(ALICE, false), ALL, request);
      page.items().forEach(m -> seen.add(m.id()));
      sizes.add(page.items().size());
      if (page.nextCursor() == null) {
        break;
      }
      request = PageRequest.after(page.nextCursor(), 7);
    }
    List<String> expected =
        IntStream.rangeClosed(1, 25).filter(i -> i % 5 != 0).mapToObj(TestMemories::id).toList();
    assertThat(seen).containsExactlyElementsOf(expected);
    assertThat(sizes).containsExactly(7, 7, 6);
  }

  @Test
  void list_exactlyFullLastPage_hasNullCursor() {
    TenantStore ts = open(store(), ACME);
    ts.write(puts(memory("m-1", "a", ALICE), memory("m-2", "b", ALICE)));

    Page<StoredMemory> page = ts.list(EVERYTHING, ALL, PageRequest.first(2));
    assertThat(page.items()).hasSize(2);
    assertThat(page.nextCursor()).isNull();
  }

  @Test
  void list_invalidCursor_isInvalidRequestOnCursor() {
    TenantStore ts = open(store(), ACME);
    assertThatThrownBy(() -> ts.list(EVERYTHING, ALL, PageRequest.after("not a cursor!", 10)))
        .isInstanceOfSatisfying(
            InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("cursor"));
  }

  @Test
  void list_cursorOfDeletedMemory_continuesAfterIt() {
    TenantStore ts = open(store(), ACME);
    ts.write(puts(memory("m-1", "a", ALICE), memory("m-2", "b", ALICE), memory("m-3", "c", ALICE)));
    Page<StoredMemory> first = ts.list(EVERYTHING, ALL, PageRequest.first(2));
    ts.write(new WriteBatch(List.of(new Change.Remove("m-2")), List.of(), List.of()));

    Page<StoredMemory> second = ts.list(EVERYTHING, ALL, PageRequest.after(first.nextCursor(), 2));
    assertThat(second.items()).extracting(StoredMemory::id).containsExactly("m-3");
  }

  @Test
  void count_appliesScopeAndFilter() {
    TenantStore ts = open(store(), ACME);
    ts.write(
        puts(
            memory("m-1", "a", ALICE, Map.of("lang", "en"), List.of()),
            memory("m-2", "b", ALICE, Map.of("lang", "fr"), List.of()),
            memory("m-3", "c", BOB, Map.of("lang", "en"), List.of()),
            memory("m-4", "d", Scope.tenantWide(), Map.of("lang", "en"), List.of())));
    FilterExpr en =
        new FilterExpr.Compare(
            FilterExpr.Field.metadata("lang"), FilterExpr.Op.EQ, new FilterExpr.Value.Text("en"));

    assertThat(ts.count(EVERYTHING, ALL)).isEqualTo(4);
    assertThat(ts.count(EVERYTHING, en)).isEqualTo(3);
    assertThat(ts.count(new ScopeFilter.Within(ALICE, false), en)).isEqualTo(1);
    assertThat(ts.count(new ScopeFilter.Within(ALICE, true), en)).isEqualTo(2);
    assertThat(ts.count(new ScopeFilter.Exact(Scope.tenantWide()), ALL)).isEqualTo(1);
  }

  @Test
  void remove_deletesMemory_keepsHistory() {
    TenantStore ts = open(store(), ACME);
    StoredMemory m = memory("m-1", "temporary fact", ALICE);
    ts.write(puts(m));
    HistoryEntry delete =
        new HistoryEntry(
            "h-del", "m-1", EventType.DELETE, "temporary fact", null, "api", T0.plusSeconds(120));
    ts.write(new WriteBatch(List.of(new Change.Remove("m-1")), List.of(delete), List.of()));

    assertThat(ts.get("m-1")).isEmpty();
    assertThat(ts.count(EVERYTHING, ALL)).isZero();
    assertThat(ts.textSearch("temporary", EVERYTHING, ALL, 5)).isEmpty();
    assertThat(ts.vectorSearch(TestEmbeddings.MODEL, m.embedding(), EVERYTHING, ALL, 5)).isEmpty();
    assertThat(ts.history("m-1"))
        .extracting(HistoryEntry::event)
        .containsExactly(EventType.ADD, EventType.DELETE);
    assertThat(ts.history("never")).isEmpty();
    // Removing a missing id is not an error.
    ts.write(new WriteBatch(List.of(new Change.Remove("m-404")), List.of(), List.of()));
  }

  @Test
  void put_existingId_replacesEverywhere() {
    TenantStore ts = open(store(), ACME);
    StoredMemory old = memory("m-1", "likes tea", ALICE);
    ts.write(puts(old));
    Memory changed =
        old.memory().withText("likes coffee", "h2", Map.of("v", 2), T0.plusSeconds(600), "model-2");
    ts.write(
        new WriteBatch(
            List.of(
                new Change.Put(new StoredMemory(changed, TestEmbeddings.embed("likes coffee")))),
            List.of(),
            List.of()));

    assertThat(ts.get("m-1").orElseThrow().memory()).isEqualTo(changed);
    assertThat(ts.textSearch("tea", EVERYTHING, ALL, 5)).isEmpty();
    assertThat(ids(ts.textSearch("coffee", EVERYTHING, ALL, 5))).containsExactly("m-1");
    assertThat(ts.vectorSearch(TestEmbeddings.MODEL, old.embedding(), EVERYTHING, ALL, 5))
        .isEmpty();
    assertThat(ids(ts.vectorSearch("model-2", TestEmbeddings.embed("coffee"), EVERYTHING, ALL, 5)))
        .containsExactly("m-1");
    assertThat(ts.count(EVERYTHING, ALL)).isEqualTo(1);
  }

  @Test
  void vectorSearch_smallScopeAmongMany_returnsExactTopK() {
    TenantStore ts = open(store(), ACME);
    Random random = new Random(42);
    List<StoredMemory> alice = new ArrayList<>();
    for (int batch = 0; batch < 4; batch++) {
      List<StoredMemory> memories = new ArrayList<>();
      for (int i = 0; i < 750; i++) {
        int n = batch * 1000 + i;
        StoredMemory m =
            withVector(memory(id(n), "other " + n, BOB), TestEmbeddings.random(random));
        memories.add(m);
      }
      for (int i = 0; i < 8; i++) {
        StoredMemory m =
            withVector(
                memory(id(batch * 1000 + 900 + i), "mine " + i, ALICE),
                TestEmbeddings.random(random));
        memories.add(m);
        alice.add(m);
      }
      ts.write(puts(memories));
    }
    for (int q = 0; q < 5; q++) {
      float[] query = TestEmbeddings.random(random);
      List<StoredMemory> expected =
          alice.stream()
              .sorted(
                  Comparator.comparingDouble(
                      (StoredMemory m) -> -TestEmbeddings.dot(query, m.embedding())))
              .limit(10)
              .toList();

      List<ScoredId> hits =
          ts.vectorSearch(
              TestEmbeddings.MODEL, query, new ScopeFilter.Within(ALICE, true), ALL, 10);

      assertThat(ids(hits))
          .containsExactlyElementsOf(expected.stream().map(StoredMemory::id).toList());
      for (int i = 0; i < hits.size(); i++) {
        assertThat(hits.get(i).score())
            .isCloseTo(
                TestEmbeddings.dot(query, expected.get(i).embedding()),
                org.assertj.core.data.Offset.offset(1e-4));
      }
    }
  }

  private static StoredMemory withVector(StoredMemory m, float[] vector) {
    return new StoredMemory(m.memory(), vector);
  }

  @Test
  void vectorSearch_unknownModelOrWrongDimension() {
    TenantStore ts = openChecked(store(), ACME);
    ts.write(puts(memory("m-1", "a", ALICE)));

    assertThat(ts.vectorSearch("other-model", new float[] {1f}, EVERYTHING, ALL, 3)).isEmpty();
    assertThatThrownBy(
            () -> ts.vectorSearch(TestEmbeddings.MODEL, new float[] {1f}, EVERYTHING, ALL, 3))
        .isInstanceOfSatisfying(
            InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("query"));
    assertThatThrownBy(
            () ->
                ts.vectorSearch(
                    TestEmbeddings.MODEL, TestEmbeddings.embed("a"), EVERYTHING, ALL, 0))
        .isInstanceOf(InvalidRequestException.class);
    assertThat(
            ts.vectorSearch(
                TestEmbeddings.MODEL,
                TestEmbeddings.embed("a"),
                EVERYTHING,
                ALL,
                Integer.MAX_VALUE))
        .hasSize(1);
  }

  @Test
  void textSearch_stemsWords_andRespectsScope() {
    TenantStore ts = open(store(), ACME);
    ts.write(
        puts(
            memory("m-1", "Alice loves running in the mountains", ALICE),
            memory("m-2", "Bob loves running marathons", BOB),
            memory("m-3", "The office runs on Atlas CRM", Scope.tenantWide())));

    assertThat(ids(ts.textSearch("runs", new ScopeFilter.Within(ALICE, false), ALL, 10)))
        .containsExactly("m-1");
    assertThat(ids(ts.textSearch("runs", new ScopeFilter.Within(ALICE, true), ALL, 10)))
        .containsExactlyInAnyOrder("m-1", "m-3");
    assertThat(ids(ts.textSearch("marathon", EVERYTHING, ALL, 10))).containsExactly("m-2");
    List<ScoredId> best = ts.textSearch("running mountains", EVERYTHING, ALL, 10);
    assertThat(best.getFirst().id()).isEqualTo("m-1");
    assertThat(best.getFirst().score()).isGreaterThan(best.get(1).score());
  }

  @Test
  void textSearch_queryWithSyntaxOrOnlyStopWords_isSafe() {
    TenantStore ts = open(store(), ACME);
    ts.write(puts(memory("m-1", "Alice uses title:Atlas AND more", ALICE)));

    assertThat(ts.textSearch("the and of", EVERYTHING, ALL, 5)).isEmpty();
    assertThat(ts.textSearch("", EVERYTHING, ALL, 5)).isEmpty();
    assertThat(
            ids(ts.textSearch("title:atlas* AND (\"unbalanced ~2 ^3 \\ /re", EVERYTHING, ALL, 5)))
        .containsExactly("m-1");
  }

  @Test
  void tenants_sameUserIdsAndTexts_neverSeeEachOther() {
    EmbeddedStore store = store();
    TenantStore acme = open(store, ACME);
    TenantStore globex = open(store, GLOBEX);
    StoredMemory a = memory("a-1", "Our CRM is called Atlas", ALICE);
    StoredMemory g = memory("g-1", "Our CRM is called Atlas", ALICE);
    acme.write(puts(a));
    globex.write(puts(g));

    assertThat(acme.get("g-1")).isEmpty();
    assertThat(acme.getAll(List.of("g-1", "a-1")))
        .extracting(StoredMemory::id)
        .containsExactly("a-1");
    assertThat(acme.findByHash(ALICE, a.memory().hash()).orElseThrow().id()).isEqualTo("a-1");
    assertThat(acme.list(EVERYTHING, ALL, PageRequest.first(10)).items())
        .extracting(StoredMemory::id)
        .containsExactly("a-1");
    assertThat(acme.count(EVERYTHING, ALL)).isEqualTo(1);
    assertThat(ids(acme.vectorSearch(TestEmbeddings.MODEL, a.embedding(), EVERYTHING, ALL, 10)))
        .containsExactly("a-1");
    assertThat(ids(acme.textSearch("Atlas CRM", EVERYTHING, ALL, 10))).containsExactly("a-1");
    assertThat(acme.history("g-1")).isEmpty();
    assertThat(ids(globex.textSearch("Atlas CRM", new ScopeFilter.Within(ALICE, true), ALL, 10)))
        .containsExactly("g-1");
    assertThat(globex.history("a-1")).isEmpty();
    assertThat(globex.get("a-1")).isEmpty();
  }

  @Test
  void crash_beforeIndexCommit_replaysChangeLogOnOpen() throws Exception {
    EmbeddedStore store = store();
    TenantStore ts = store.open(ACME);
    ts.write(puts(memory("m-1", "kept fact", ALICE), memory("m-2", "doomed fact", ALICE)));
    ts.close(); // clean close commits the index
    ts = store.open(ACME);
    ts.write(
        new WriteBatch(
            List.of(
                new Change.Remove("m-2"),
                new Change.Put(memory("m-3", "late fact after the commit", BOB))),
            List.of(),
            List.of()));
    TestSecrets.crash(ts);
    store.close();

    Path index = dir.resolve("eu/acme/index");
    try (FSDirectory d = FSDirectory.open(index);
        DirectoryReader r = DirectoryReader.open(d)) {
      assertThat(r.numDocs()).as("the crash lost the uncommitted index changes").isEqualTo(2);
    }
    TenantStore again = open(store(), ACME);
    assertThat(ids(again.textSearch("fact", EVERYTHING, ALL, 10)))
        .containsExactlyInAnyOrder("m-1", "m-3");
    assertThat(again.count(EVERYTHING, ALL)).isEqualTo(2);
    assertThat(
            ids(
                again.vectorSearch(
                    TestEmbeddings.MODEL,
                    TestEmbeddings.embed("late fact after the commit"),
                    new ScopeFilter.Exact(BOB),
                    ALL,
                    5)))
        .containsExactly("m-3");
  }

  @Test
  void indexDeleted_isRebuiltFromSqlite() throws Exception {
    writeThreeAndClose();
    FileTrees.deleteRecursively(dir.resolve("eu/acme/index"));

    assertThreeSearchable(open(store(), ACME));
  }

  @Test
  void indexCorrupt_isRebuiltFromSqlite() throws Exception {
    writeThreeAndClose();
    try (Stream<Path> files = Files.list(dir.resolve("eu/acme/index"))) {
      for (Path f : files.toList()) {
        if (!f.getFileName().toString().equals("write.lock")) {
          Files.write(f, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        }
      }
    }

    assertThreeSearchable(open(store(), ACME));
  }

  @Test
  void indexOfAnotherDatabase_isRebuilt() throws Exception {
    writeThreeAndClose();
    EmbeddedStore store = store();
    TenantStore other = store.open(GLOBEX);
    other.write(puts(memory("g-1", "globex fact", ALICE)));
    other.close();
    store.close();
    FileTrees.deleteRecursively(dir.resolve("eu/globex/index"));
    copyTree(dir.resolve("eu/acme/index"), dir.resolve("eu/globex/index"));

    TenantStore globex = open(store(), GLOBEX);
    assertThat(ids(globex.textSearch("fact", EVERYTHING, ALL, 10))).containsExactly("g-1");
  }

  private static void copyTree(Path from, Path to) throws Exception {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }

  private void writeThreeAndClose() {
    EmbeddedStore store = EmbeddedStore.open(dir.resolve("eu"));
    try (TenantStore ts = store.open(ACME)) {
      ts.write(
          puts(
              memory("m-1", "first fact", ALICE),
              memory("m-2", "second fact", BOB),
              memory("m-3", "third fact", Scope.tenantWide())));
    }
    store.close();
  }

  private static void assertThreeSearchable(TenantStore ts) {
    assertThat(ids(ts.textSearch("fact", EVERYTHING, ALL, 10)))
        .containsExactlyInAnyOrder("m-1", "m-2", "m-3");
    assertThat(
            ids(
                ts.vectorSearch(
                    TestEmbeddings.MODEL,
                    TestEmbeddings.embed("second fact"),
                    new ScopeFilter.Within(BOB, false),
                    ALL,
                    10)))
        .containsExactly("m-2");
    assertThat(ts.list(EVERYTHING, ALL, PageRequest.first(10)).items()).hasSize(3);
  }

  @Test
  void purge_removesDirectory_andReportsCounts() {
    EmbeddedStore store = store();
    TenantStore ts = store.open(ACME);
    StoredMessage msg1 = new StoredMessage("msg-1", ALICE, Role.USER, null, "hello", T0);
    StoredMessage msg2 = new StoredMessage("msg-2", ALICE, Role.ASSISTANT, "bot", "hi", T0);
    ts.write(
        new WriteBatch(
            List.of(
                new Change.Put(memory("m-1", "a", ALICE)),
                new Change.Put(memory("m-2", "b", ALICE)),
                new Change.Put(memory("m-3", "c", ALICE))),
            List.of(
                TestMemories.add(memory("m-1", "a", ALICE).memory()),
                TestMemories.add(memory("m-2", "b", ALICE).memory()),
                TestMemories.add(memory("m-3", "c", ALICE).memory()),
                new HistoryEntry("h-x", "m-3", EventType.UPDATE, "c", "c2", "api", T0)),
            List.of(msg1, msg2)));
    ts.write(new WriteBatch(List.of(new Change.Remove("m-3")), List.of(), List.of()));
    assertThatThrownBy(() -> store.purge(ACME)).isInstanceOf(IllegalStateException.class);
    ts.close();
    try (TenantStore unrelated = store.open(GLOBEX)) {
      unrelated.write(puts(memory("g-1", "globex", ALICE)));
    }

    PurgeStats stats = store.purge(ACME);

    assertThat(stats.memories()).isEqualTo(2);
    assertThat(stats.historyRows()).isEqualTo(4);
    assertThat(stats.messages()).isEqualTo(2);
    assertThat(stats.files()).isPositive();
    assertThat(stats.bytes()).isPositive();
    assertThat(store.exists(ACME)).isFalse();
    assertThat(Files.exists(dir.resolve("eu/acme"))).isFalse();
    assertThat(store.exists(GLOBEX)).isTrue();
    assertThat(store.purge(ACME)).isEqualTo(new PurgeStats(0, 0, 0, 0, 0));
    try (TenantStore fresh = store.open(ACME)) {
      assertThat(fresh.count(EVERYTHING, ALL)).isZero();
    }
  }

  @Test
  void open_createsDirectoryLazily_andExistsFollows() {
    EmbeddedStore store = store();
    assertThat(store.exists(ACME)).isFalse();
    store.open(ACME).close();
    assertThat(store.exists(ACME)).isTrue();
    assertThat(Files.isRegularFile(dir.resolve("eu/acme/memories.db"))).isTrue();
    assertThat(Files.isDirectory(dir.resolve("eu/acme/index"))).isTrue();
  }

  @Test
  void openTwice_sharesOneEngine_closedWithLastHandle() {
    EmbeddedStore store = store();
    TenantStore a = new CheckedTenantStore(store.open(ACME));
    TenantStore b = new CheckedTenantStore(store.open(ACME));
    a.write(puts(memory("m-1", "shared", ALICE)));
    assertThat(b.get("m-1")).isPresent();
    a.close();
    a.close();
    assertThatThrownBy(() -> a.get("m-1")).isInstanceOf(StoreUnavailableException.class);
    assertThat(b.count(EVERYTHING, ALL)).isEqualTo(1);
    b.close();
    assertThat(store.purge(ACME).memories()).isEqualTo(1);
  }

  @Test
  void closedStore_failsWithStoreUnavailable() {
    EmbeddedStore store = EmbeddedStore.open(dir.resolve("eu"));
    TenantStore ts = store.open(ACME);
    store.close();
    store.close();
    assertThatThrownBy(() -> ts.get("x")).isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> ts.write(puts(memory("m-1", "a", ALICE))))
        .isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> store.open(ACME)).isInstanceOf(StoreUnavailableException.class);
    ts.close();
  }

  @Test
  void unrecoverableError_closesTenantStore_laterCallsCarryCause_reopenRecovers() {
    EmbeddedStore store = store();
    TenantStore ts = store.open(ACME);
    ts.write(puts(memory("m-1", "survives the failure", ALICE)));
    java.io.IOException cause = new java.io.IOException("disk failure (injected)");

    TestSecrets.fail(ts, cause);

    assertThatThrownBy(() -> ts.get("m-1"))
        .isInstanceOf(StoreUnavailableException.class)
        .hasCause(cause);
    assertThatThrownBy(() -> ts.textSearch("failure", EVERYTHING, ALL, 3))
        .isInstanceOf(StoreUnavailableException.class)
        .hasCause(cause);
    try (TenantStore again = store.open(ACME)) {
      assertThat(again.get("m-1")).isPresent();
      assertThat(ids(again.textSearch("failure", EVERYTHING, ALL, 3))).containsExactly("m-1");
    }
    ts.close();
    assertThat(store.purge(ACME).memories()).isEqualTo(1);
  }

  @Test
  void secondStoreOnSameDirectory_cannotOpenAnOpenTenant() {
    EmbeddedStore first = store();
    open(first, ACME);
    EmbeddedStore second = store();
    assertThatThrownBy(() -> second.open(ACME)).isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> second.purge(ACME)).isInstanceOf(RuntimeException.class);
    assertThat(first.exists(ACME)).isTrue();
  }

  @Test
  void write_invalidInput_isRejectedBeforeAnythingCommits() {
    TenantStore ts = open(store(), ACME);
    ts.write(puts(memory("m-1", "a", ALICE)));
    StoredMemory shortVector =
        new StoredMemory(memory("m-2", "b", ALICE).memory(), new float[] {1f, 0f});
    StoredMemory badId = memory("bad id/../x", "c", ALICE);
    StoredMemory huge = memory("m-4", "d", ALICE, Map.of("blob", "x".repeat(20_000)), List.of());
    StoredMemory nan = new StoredMemory(memory("m-5", "e", ALICE).memory(), new float[64]);
    nan.embedding()[3] = Float.NaN;

    assertThatThrownBy(() -> ts.write(puts(memory("m-9", "ok", ALICE), shortVector)))
        .isInstanceOfSatisfying(
            InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("embedding"));
    assertThatThrownBy(() -> ts.write(puts(badId)))
        .isInstanceOfSatisfying(
            InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("id"));
    assertThatThrownBy(() -> ts.write(puts(huge)))
        .isInstanceOfSatisfying(
            InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("metadata.blob"));
    assertThatThrownBy(() -> ts.write(puts(nan))).isInstanceOf(InvalidRequestException.class);

    assertThat(ts.getAll(List.of("m-9", "m-2", "m-4", "m-5"))).isEmpty();
    assertThat(ts.count(EVERYTHING, ALL)).isEqualTo(1);
    ts.write(puts(memory("m-6", "still works", ALICE)));
    assertThat(ts.count(EVERYTHING, ALL)).isEqualTo(2);
  }

  @Test
  void largeEmbeddings_upTo4096Dimensions_areIndexedAndSurviveReopen() {
    EmbeddedStore store = store();
    Random random = new Random(7);
    float[] wide = new float[3072];
    for (int i = 0; i < wide.length; i++) {
      wide[i] = (float) random.nextGaussian();
    }
    TestEmbeddings.normalize(wide);
    Memory m =
        memory("m-1", "wide", ALICE).memory().withText("wide", "h", Map.of(), T0, "hosted-3072");
    try (TenantStore ts = store.open(ACME)) {
      ts.write(puts(new StoredMemory(m, wide)));
      assertThat(ts.vectorSearch("hosted-3072", wide, EVERYTHING, ALL, 1).getFirst().score())
          .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
      assertThatThrownBy(
              () ->
                  ts.write(
                      puts(
                          new StoredMemory(
                              memory("m-2", "x", ALICE)
                                  .memory()
                                  .withText("x", "h", Map.of(), T0, "huge"),
                              new float[4097]))))
          .isInstanceOfSatisfying(
              InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("embedding"));
    }
    store.close();
    try (TenantStore again = open(store(), ACME)) {
      assertThat(ids(again.vectorSearch("hosted-3072", wide, EVERYTHING, ALL, 1)))
          .containsExactly("m-1");
    }
  }

  @Test
  void emptyEmbedding_isStoredWithoutVector() {
    TenantStore ts = open(store(), ACME);
    ts.write(puts(new StoredMemory(memory("m-1", "no vector here", ALICE).memory(), new float[0])));

    assertThat(ts.get("m-1").orElseThrow().embedding()).isEmpty();
    assertThat(ids(ts.textSearch("vector", EVERYTHING, ALL, 3))).containsExactly("m-1");
    assertThat(ts.vectorSearch(TestEmbeddings.MODEL, TestEmbeddings.embed("x"), EVERYTHING, ALL, 3))
        .isEmpty();
  }

  @Test
  void concurrentWritersAndReaders_loseNothing() throws Exception {
    TenantStore ts = open(store(), ACME);
    ExecutorService pool =
        Executors.newFixedThreadPool(6, Thread.ofPlatform().name("store-test-", 0).factory());
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int writer = w;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 40; i++) {
                    ts.write(
                        puts(
                            memory(
                                id(writer * 1000 + i),
                                "fact number " + i + " from writer " + writer,
                                Scope.user("u" + writer))));
                  }
                }));
      }
      for (int r = 0; r < 2; r++) {
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 60; i++) {
                    Page<StoredMemory> page = ts.list(EVERYTHING, ALL, PageRequest.first(50));
                    assertThat(page.items())
                        .isSortedAccordingTo(Comparator.comparing(StoredMemory::id));
                    ts.textSearch("fact writer", EVERYTHING, ALL, 10);
                    ts.vectorSearch(
                        TestEmbeddings.MODEL, TestEmbeddings.embed("fact"), EVERYTHING, ALL, 5);
                    ts.count(new ScopeFilter.Within(Scope.user("u1"), false), ALL);
                  }
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(ts.count(EVERYTHING, ALL)).isEqualTo(160);
    assertThat(ts.count(new ScopeFilter.Exact(Scope.user("u2")), ALL)).isEqualTo(40);
    assertThat(ts.textSearch("writer", EVERYTHING, ALL, 500)).hasSize(160);
  }

  @Test
  void timesWithNanos_roundTripAndFilterExactly() {
    TenantStore ts = open(store(), ACME);
    Instant t = Instant.parse("2025-03-04T05:06:07.123456789Z");
    Memory base = memory("m-1", "a", ALICE).memory();
    Memory m =
        new Memory(
            "m-1",
            "a",
            "h",
            ALICE,
            Map.of(),
            List.of(),
            null,
            null,
            t,
            t,
            null,
            null,
            null,
            base.provenance(),
            TestEmbeddings.MODEL,
            MemoryType.EPISODIC);
    ts.write(puts(new StoredMemory(m, TestEmbeddings.embed("a"))));

    FilterExpr.Field created = FilterExpr.Field.of(FilterExpr.Kind.CREATED_AT);
    assertThat(ts.get("m-1").orElseThrow().memory()).isEqualTo(m);
    assertThat(
            ts.count(
                EVERYTHING,
                new FilterExpr.Compare(created, FilterExpr.Op.EQ, new FilterExpr.Value.Time(t))))
        .isEqualTo(1);
    assertThat(
            ts.count(
                EVERYTHING,
                new FilterExpr.Compare(
                    created, FilterExpr.Op.GT, new FilterExpr.Value.Time(t.minusNanos(1)))))
        .isEqualTo(1);
    assertThat(
            ts.count(
                EVERYTHING,
                new FilterExpr.Compare(created, FilterExpr.Op.GT, new FilterExpr.Value.Time(t))))
        .isZero();
    assertThat(
            ts.count(
                EVERYTHING,
                new FilterExpr.Compare(
                    created, FilterExpr.Op.LT, new FilterExpr.Value.Time(Instant.MAX))))
        .isEqualTo(1);
    assertThat(
            ts.count(
                EVERYTHING,
                new FilterExpr.Compare(
                    FilterExpr.Field.of(FilterExpr.Kind.ROLE),
                    FilterExpr.Op.NE,
                    new FilterExpr.Value.Text("user"))))
        .isEqualTo(1);
  }

  /**
   * Two handles of one open tenant share its engine but not their checking wrappers: the core opens
   * a second handle while an evicted one is still leased, and each wrapper knows only the
   * dimensions it saw. A model the first introduces is unknown to the second, so the engine itself
   * must refuse the second's vector of another dimension before SQLite commits it; otherwise the
   * index writer would refuse it later, close the tenant, and refuse it again on every open.
   */
  @Test
  void write_modelIntroducedThroughAnotherHandle_otherDimensionIsRefusedByTheEngine() {
    EmbeddedStore store = store();
    TenantStore first = openChecked(store, ACME);
    TenantStore second = openChecked(store, ACME);
    first.write(puts(memory("m-1", "introduces the model", ALICE)));
    StoredMemory narrow =
        new StoredMemory(
            memory("m-2", "same model, other dimension", ALICE).memory(), new float[8]);
    narrow.embedding()[0] = 1f;

    assertThatThrownBy(() -> second.write(puts(narrow)))
        .isInstanceOfSatisfying(
            InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("embedding"))
        .hasMessageContaining("64 dimensions");
    assertThatThrownBy(
            () -> second.vectorSearch(TestEmbeddings.MODEL, new float[8], EVERYTHING, ALL, 3))
        .isInstanceOfSatisfying(
            InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("query"));

    second.write(puts(memory("m-3", "the right dimension still lands", ALICE)));
    assertThat(second.count(EVERYTHING, ALL)).isEqualTo(2);
    first.close();
    second.close();
    try (TenantStore reopened = store.open(ACME)) {
      assertThat(reopened.count(EVERYTHING, ALL)).isEqualTo(2);
    }
  }
}
