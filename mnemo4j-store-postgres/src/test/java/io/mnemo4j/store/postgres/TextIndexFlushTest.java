package io.mnemo4j.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.Scope;
import io.mnemo4j.TenantId;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.testing.TestMemories;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The full-text index's short pending list ({@link TenantSql#TEXT_PENDING_LIST_KB}) and the
 * background flush that empties it ({@link TextIndexFlush}): new words wait in the list, searches
 * find them there and after the flush alike, flushes of one tenant never pile up, and a flush that
 * finds its tenant purged or its store closed does nothing. Background tasks are queued here and
 * run by the test, so each step is observed, not raced.
 */
class TextIndexFlushTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();

  private final List<Runnable> queued = new ArrayList<>();
  private final List<LogRecord> warnings = new ArrayList<>();
  private final Logger flushLog = Logger.getLogger(TextIndexFlush.class.getName());
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
            synchronized (warnings) {
              warnings.add(r);
            }
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private PostgresStore store;

  @BeforeEach
  void setUp() throws SQLException {
    try (Connection c = TestDatabase.connect(db.name());
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple"); // pgstatginindex
    }
    store = PostgresStore.open(db.options());
    store.runBackgroundWith(queued::add);
    flushLog.addHandler(capture);
  }

  @AfterEach
  void tearDown() {
    flushLog.removeHandler(capture);
    store.close();
  }

  /** Runs what is queued, and what that queues, until nothing is. */
  private void runQueued() {
    while (!queued.isEmpty()) {
      queued.remove(0).run();
    }
  }

  /** The entries in the pending list of the tenant's full-text index. */
  static long pendingEntries(String database, String schema) throws SQLException {
    return Long.parseLong(
        TestDatabase.scalar(
            database,
            "SELECT pending_tuples FROM pgstatginindex('"
                + Names.quote(schema).replace("'", "''")
                + "."
                + TenantSql.TEXT_INDEX
                + "'::regclass)"));
  }

  private static List<String> search(TenantStore t, String words) {
    return t.textSearch(words, new ScopeFilter.Everything(), new FilterExpr.All(), 10).stream()
        .map(ScoredId::id)
        .toList();
  }

  @Test
  void write_leavesNewWordsPendingUntilTheFlush_andSearchesFindThemBeforeAndAfter()
      throws Exception {
    TenantId acme = TenantId.of("acme");
    try (TenantStore t = store.open(acme)) {
      String schema = store.registered(acme).orElseThrow();
      t.write(
          TestMemories.puts(
              List.of(
                  TestMemories.memory("m-1", "the invoice for berlin", Scope.user("a")),
                  TestMemories.memory("m-2", "coffee in lisbon", Scope.user("a")))));

      assertThat(queued).as("the flush, and the vector-index check of a first write").hasSize(2);
      assertThat(pendingEntries(db.name(), schema)).isPositive();
      assertThat(search(t, "berlin invoice")).containsExactly("m-1");
      assertThat(search(t, "lisbon")).containsExactly("m-2");

      runQueued();

      assertThat(pendingEntries(db.name(), schema)).isZero();
      assertThat(search(t, "berlin invoice")).containsExactly("m-1");
      assertThat(search(t, "lisbon")).containsExactly("m-2");
    }
    assertThat(warnings).isEmpty();
  }

  @Test
  void writesWhileAFlushIsDue_areFlushedByOneMoreRun_notATaskEach() throws Exception {
    TenantId acme = TenantId.of("acme");
    try (TenantStore t = store.open(acme)) {
      String schema = store.registered(acme).orElseThrow();
      for (int i = 0; i < 5; i++) {
        t.write(
            TestMemories.puts(
                List.of(TestMemories.memory("m-" + i, "note number " + i, Scope.user("a")))));
      }
      assertThat(queued).as("one flush, and the vector-index check of the first write").hasSize(2);

      runQueued();
      assertThat(pendingEntries(db.name(), schema)).isZero();

      // Idle again: the next write asks for a flush of its own.
      t.write(TestMemories.puts(List.of(TestMemories.memory("m-9", "late note", Scope.user("a")))));
      assertThat(queued).hasSize(1);
      runQueued();
      assertThat(pendingEntries(db.name(), schema)).isZero();
      assertThat(search(t, "late")).containsExactly("m-9");
    }
    assertThat(warnings).isEmpty();
  }

  @Test
  void removals_askForNoFlush() {
    TenantId acme = TenantId.of("acme");
    try (TenantStore t = store.open(acme)) {
      t.write(TestMemories.puts(List.of(TestMemories.memory("m-1", "kept", Scope.user("a")))));
      runQueued();
      t.write(
          new io.mnemo4j.spi.WriteBatch(
              List.of(new io.mnemo4j.spi.Change.Remove("m-1")), List.of(), List.of(), List.of()));
      assertThat(queued).isEmpty();
      assertThat(search(t, "kept")).isEmpty();
    }
  }

  @Test
  void flushOfAPurgedTenant_doesNothingAndWarnsOfNothing() {
    TenantId acme = TenantId.of("acme");
    try (TenantStore t = store.open(acme)) {
      t.write(TestMemories.puts(List.of(TestMemories.memory("m-1", "gone", Scope.user("a")))));
    }
    assertThat(queued).as("the flush, and the vector-index check of a first write").hasSize(2);
    assertThat(store.purge(acme).memories()).isEqualTo(1);

    runQueued();

    assertThat(warnings).isEmpty();
    assertThat(store.exists(acme)).isFalse();
  }

  @Test
  void flushAfterTheStoreClosed_doesNothingAndWarnsOfNothing() {
    try (TenantStore t = store.open(TenantId.of("acme"))) {
      t.write(TestMemories.puts(List.of(TestMemories.memory("m-1", "late", Scope.user("a")))));
    }
    store.close();

    runQueued();

    assertThat(warnings).isEmpty();
  }

  @Test
  void newSchema_textIndexQueuesAtMostTheShortList() throws Exception {
    TenantId acme = TenantId.of("acme");
    try (TenantStore t = store.open(acme)) {
      assertThat(t.count(new ScopeFilter.Everything(), new FilterExpr.All())).isZero();
    }
    assertThat(textIndexOptions(db.name(), store.registered(acme).orElseThrow()))
        .contains("fastupdate=on", "gin_pending_list_limit=" + TenantSql.TEXT_PENDING_LIST_KB);
  }

  /**
   * A layout-8 schema (text index without a pending list) gets the short list on its next open, and
   * its words are searched as before.
   */
  @Test
  void open_layoutEightSchema_givesTheTextIndexTheShortPendingList() throws Exception {
    TenantId acme = TenantId.of("acme");
    try (TenantStore t = store.open(acme)) {
      t.write(TestMemories.puts(List.of(TestMemories.memory("m-1", "old words", Scope.user("a")))));
    }
    runQueued();
    String schema = store.registered(acme).orElseThrow();
    try (Connection c = TestDatabase.connect(db.name());
        Statement s = c.createStatement()) {
      s.execute(
          "ALTER INDEX "
              + Names.quote(schema)
              + "."
              + TenantSql.TEXT_INDEX
              + " SET (fastupdate = off)");
      s.execute(
          "ALTER INDEX "
              + Names.quote(schema)
              + "."
              + TenantSql.TEXT_INDEX
              + " RESET (gin_pending_list_limit)");
      s.execute(
          "UPDATE mnemo_registry.tenants SET schema_version = 8 WHERE schema_name = '"
              + schema
              + "'");
    }
    assertThat(textIndexOptions(db.name(), schema)).isEqualTo("fastupdate=off");

    try (TenantStore t = store.open(acme)) {
      assertThat(search(t, "old words")).containsExactly("m-1");
      t.write(
          TestMemories.puts(List.of(TestMemories.memory("m-2", "fresh lexemes", Scope.user("a")))));
      assertThat(pendingEntries(db.name(), schema)).isPositive();
      assertThat(search(t, "fresh lexemes")).containsExactly("m-2");
    }
    assertThat(textIndexOptions(db.name(), schema))
        .contains("fastupdate=on", "gin_pending_list_limit=" + TenantSql.TEXT_PENDING_LIST_KB);
  }

  /** The storage options of the tenant's full-text index, comma-separated. */
  static String textIndexOptions(String database, String schema) throws SQLException {
    return TestDatabase.scalar(
        database,
        "SELECT coalesce(array_to_string(c.reloptions, ','), '') FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '"
            + schema.replace("'", "''")
            + "' AND c.relname = '"
            + TenantSql.TEXT_INDEX
            + "'");
  }
}
