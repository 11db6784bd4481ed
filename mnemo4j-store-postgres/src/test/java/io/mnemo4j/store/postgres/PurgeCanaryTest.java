package io.mnemo4j.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.ConversationMessage;
import io.mnemo4j.EventType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantId;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.spi.PurgeStats;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.StoredMessage;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import io.mnemo4j.testing.TestEmbeddings;
import io.mnemo4j.testing.TestMemories;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Purge removes every byte of a tenant: its schema, tables, indexes and registry row go, and no
 * remaining table of any schema of the database holds a canary the tenant wrote anywhere (memory
 * text, context, metadata, history, raw messages, event request and result, conversation windows).
 */
class PurgeCanaryTest {
  private static final String CANARY = "canary-5f1d8a2c9e";

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

  @Test
  void purge_dropsTheSchemaAndLeavesNoCanaryAnywhereInTheDatabase() throws SQLException {
    TenantId doomed = TenantId.of("doomed-tenant");
    try (TenantStore t = store.open(doomed)) {
      StoredMemory m =
          TestMemories.memory(
              "m-1", "secret " + CANARY + " text", Scope.user("alice"), Map.of("tag", CANARY));
      StoredMemory withContext =
          new StoredMemory(
              TestMemories.memory("m-2", "plain words", Scope.user("alice")).memory(),
              TestEmbeddings.embed("plain words"),
              "context mentions " + CANARY);
      t.write(
          new WriteBatch(
              List.of(new Change.Put(m), new Change.Put(withContext)),
              List.of(
                  TestMemories.add(m.memory()),
                  new HistoryEntry(
                      "h-2",
                      "m-1",
                      EventType.UPDATE,
                      "old " + CANARY,
                      "new " + CANARY,
                      "user",
                      TestMemories.T0,
                      "because " + CANARY)),
              List.of(
                  new StoredMessage(
                      "msg-1",
                      Scope.user("alice"),
                      Role.USER,
                      "alice",
                      "said " + CANARY,
                      TestMemories.T0)),
              List.of(
                  new StoredEvent(
                      "e-1",
                      "key-" + CANARY,
                      EventStatus.SUCCEEDED,
                      "{\"text\":\"" + CANARY + "\"}",
                      "{\"ok\":\"" + CANARY + "\"}",
                      TestMemories.T0,
                      TestMemories.T0))));
      t.write(new WriteBatch(List.of(new Change.Remove("m-2")), List.of(), List.of()));
      t.replaceConversation(
          "chat-" + CANARY,
          List.of(
              ConversationMessage.of(Role.USER, "window " + CANARY),
              new ConversationMessage(
                  Role.ASSISTANT, "", "test", "{\"call\":\"" + CANARY + "\"}")));
    }
    try (TenantStore kept = store.open(TenantId.of("kept"))) {
      kept.write(
          TestMemories.puts(
              List.of(TestMemories.memory("k-1", "kept tenant data", Scope.user("alice")))));
    }
    String schema = store.registered(doomed).orElseThrow();
    assertThat(rowsContaining(CANARY)).isNotEmpty(); // the scan does find it before the purge
    // What the background ANALYZE does: statistics never sample text (issue 9).
    assertThat(statisticsAfterAnalyze(schema)).isNotEmpty().noneMatch(row -> row.contains(CANARY));

    PurgeStats stats = store.purge(doomed);

    assertThat(stats.memories()).isEqualTo(1);
    assertThat(stats.historyRows()).isEqualTo(2);
    assertThat(stats.messages()).isEqualTo(3); // one raw message, two in the window
    assertThat(stats.files()).isZero();
    assertThat(stats.bytes()).isPositive();
    assertThat(store.exists(doomed)).isFalse();
    assertThat(store.registered(doomed)).isEmpty();
    try (Connection c = TestDatabase.connect(db)) {
      assertThat(count(c, "SELECT count(*) FROM pg_namespace WHERE nspname = ?", schema)).isZero();
      assertThat(
              count(
                  c,
                  "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                      + " WHERE n.nspname = ? OR c.relname LIKE '%doomed%'",
                  schema))
          .isZero();
      assertThat(count(c, "SELECT count(*) FROM pg_indexes WHERE schemaname = ?", schema)).isZero();
      assertThat(
              count(
                  c,
                  "SELECT count(*) FROM pg_proc p JOIN pg_namespace n"
                      + " ON n.oid = p.pronamespace WHERE n.nspname = ?",
                  schema))
          .isZero();
      assertThat(
              count(
                  c,
                  "SELECT count(*) FROM pg_policy WHERE polname = 'tenant_wall'"
                      + " AND polrelid NOT IN (SELECT c.oid FROM pg_class c JOIN pg_namespace n"
                      + " ON n.oid = c.relnamespace WHERE n.nspname <> ?)",
                  schema))
          .isZero();
    }
    assertThat(rowsContaining(CANARY)).isEmpty();
    assertThat(rowsContaining("kept tenant data")).isNotEmpty(); // the other tenant stays
    assertThat(store.purge(doomed)).isEqualTo(new PurgeStats(0, 0, 0, 0, 0));
  }

  /**
   * Regression (issue 9): after a purge, pg_dump held nothing of the tenant but the database files
   * still did: the background ANALYZE had copied memory text into pg_statistic, whose pages keep
   * it. Text, metadata, message and vector columns now have a statistics target of 0.
   */
  @Test
  void analyze_neverSamplesTextMetadataMessagesOrVectors() throws SQLException {
    TenantId tenant = TenantId.of("sampled");
    try (TenantStore t = store.open(tenant)) {
      List<Change> puts = new ArrayList<>();
      List<StoredMessage> said = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        // The same canary in every row makes it the most common value, were it sampled.
        puts.add(
            new Change.Put(
                new StoredMemory(
                    TestMemories.memory(
                            "m-" + i,
                            CANARY + " memory",
                            Scope.user("u" + (i % 3)),
                            Map.of("t", CANARY))
                        .memory(),
                    TestEmbeddings.embed(CANARY),
                    "context " + CANARY)));
        said.add(
            new StoredMessage(
                "msg-" + i, Scope.user("u"), Role.USER, CANARY, "said " + CANARY, TestMemories.T0));
      }
      t.write(new WriteBatch(puts, List.of(), said));
    }
    List<String> stats = statisticsAfterAnalyze(store.registered(tenant).orElseThrow());
    assertThat(stats).as("statistics are collected for the other columns").isNotEmpty();
    assertThat(stats).noneMatch(row -> row.contains(CANARY));
    assertThat(stats).noneMatch(row -> row.contains("5f1d8a2c9e")); // a lexeme of the canary
  }

  /** ANALYZEs every table of the schema, then returns every pg_stats row of it as text. */
  private List<String> statisticsAfterAnalyze(String schema) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = TestDatabase.connect(db)) {
      try (Statement s = c.createStatement()) {
        for (String table : List.of("memories", "history", "messages", "events", "models")) {
          s.execute("ANALYZE \"" + schema + "\"." + table);
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement("SELECT s::text FROM pg_stats s WHERE schemaname = ?")) {
        ps.setString(1, schema);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows.add(rs.getString(1));
          }
        }
      }
    }
    return rows;
  }

  /**
   * Every table (user and system, every schema) with a row whose text form holds {@code needle}.
   */
  private List<String> rowsContaining(String needle) throws SQLException {
    List<String> found = new ArrayList<>();
    try (Connection c = TestDatabase.connect(db)) {
      List<String> tables = new ArrayList<>();
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)"
                      + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                      + " WHERE c.relkind IN ('r', 'm', 'p', 't')")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      assertThat(tables).hasSizeGreaterThan(50);
      for (String table : tables) {
        String sql =
            table.startsWith("pg_toast.")
                ? "SELECT count(*) FROM "
                    + table
                    + " t WHERE strpos(encode(t.chunk_data, 'escape'), ?) > 0"
                : "SELECT count(*) FROM " + table + " t WHERE strpos(t::text, ?) > 0";
        if (count(c, sql, needle) > 0) {
          found.add(table);
        }
      }
    }
    return found;
  }

  private static long count(Connection c, String sql, String parameter) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, parameter);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
