package io.mnemo4j.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.Scope;
import io.mnemo4j.TenantId;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.testing.TestMemories;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Row-level security is a second wall behind the per-tenant schema: a query that reaches tenant B's
 * schema by mistake, in a transaction set for tenant A under the store's role, reads no row and
 * writes none. The test connects as the superuser postgres (which bypasses RLS itself) and takes
 * the store's role exactly as the store does.
 */
class RowLevelSecurityTest {
  private static String db;
  private static PostgresStore store;
  private static String schemaA;
  private static String schemaB;

  @BeforeAll
  static void setUp() {
    db = TestDatabase.create();
    store = PostgresStore.open(TestDatabase.options(db));
    try (TenantStore a = store.open(TenantId.of("tenant-a"));
        TenantStore b = store.open(TenantId.of("tenant-b"))) {
      a.write(TestMemories.puts(List.of(TestMemories.memory("a-1", "alpha", Scope.user("u")))));
      b.write(
          TestMemories.puts(
              List.of(
                  TestMemories.memory("b-1", "bravo one", Scope.user("u")),
                  TestMemories.memory("b-2", "bravo two", Scope.user("u")))));
    }
    schemaA = store.registered(TenantId.of("tenant-a")).orElseThrow();
    schemaB = store.registered(TenantId.of("tenant-b")).orElseThrow();
  }

  @AfterAll
  static void tearDown() {
    store.close();
    TestDatabase.drop(db);
  }

  @Test
  void rlsRole_neitherSuperuserNorBypassing() throws SQLException {
    try (Connection c = TestDatabase.connect(db);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles"
                    + " WHERE rolname IN ('mnemo_rls', 'mnemo_rls_search')")) {
      int roles = 0;
      while (rs.next()) {
        roles++;
        assertThat(rs.getBoolean(1)).isFalse();
        assertThat(rs.getBoolean(2)).isFalse();
        assertThat(rs.getBoolean(3)).isFalse();
      }
      assertThat(roles).isEqualTo(2);
    }
  }

  @Test
  void everyTenantTable_hasForcedRowLevelSecurityAndAPolicy() throws SQLException {
    try (Connection c = TestDatabase.connect(db);
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
                    + " (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid"
                    + " AND p.polname = 'tenant_wall' AND p.polpermissive)"
                    + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE n.nspname = ? AND c.relkind = 'r' ORDER BY 1")) {
      ps.setString(1, schemaA);
      try (ResultSet rs = ps.executeQuery()) {
        int tables = 0;
        while (rs.next()) {
          tables++;
          assertThat(rs.getBoolean(2)).as(rs.getString(1)).isTrue();
          assertThat(rs.getBoolean(3)).as(rs.getString(1)).isTrue();
          assertThat(rs.getInt(4)).as(rs.getString(1)).isEqualTo(1);
        }
        assertThat(tables).isEqualTo(TenantSql.TABLES.length);
      }
    }
  }

  @Test
  void readingAnotherTenantsSchema_asTenantA_returnsNoRows() throws SQLException {
    try (Connection c = TestDatabase.connect(db)) {
      c.setAutoCommit(false);
      Pg.enterTenant(c, "tenant-a", "mnemo_rls");
      assertThat(count(c, schemaB, "memories")).isZero();
      assertThat(count(c, schemaB, "history")).isZero();
      assertThat(count(c, schemaB, "models")).isZero();
      assertThat(count(c, schemaB, "memory_text")).isZero();
      assertThat(count(c, schemaA, "memories")).isEqualTo(1); // its own rows stay visible
      assertThat(count(c, schemaA, "memory_text")).isEqualTo(1);
      c.rollback();

      Pg.enterTenant(c, "tenant-b", "mnemo_rls");
      assertThat(count(c, schemaB, "memories")).isEqualTo(2); // the rows are there
      assertThat(count(c, schemaB, "memory_text")).isEqualTo(2);
      c.rollback();
    }
  }

  @Test
  void textSearchRole_readingAnotherTenantsSchema_returnsNoRows() throws SQLException {
    try (Connection c = TestDatabase.connect(db)) {
      c.setAutoCommit(false);
      Pg.enterTenant(c, "tenant-a", "mnemo_rls_search");
      try (Statement s = c.createStatement()) {
        s.execute("SELECT set_config('mnemo.tsquery', 'bravo | alpha', true)");
      }
      assertThat(count(c, schemaB, "memories")).isZero();
      assertThat(count(c, schemaB, "memory_text")).isZero();
      assertThat(count(c, schemaA, "memories")).isEqualTo(1);
      assertThat(count(c, schemaA, "memory_text")).isEqualTo(1);
      // The search role reads memories and their text only, and only those matching the query.
      assertThatThrownBy(() -> count(c, schemaA, "history"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
      c.rollback();
      Pg.enterTenant(c, "tenant-b", "mnemo_rls_search");
      try (Statement s = c.createStatement()) {
        s.execute("SELECT set_config('mnemo.tsquery', 'one', true)");
      }
      assertThat(count(c, schemaB, "memories")).isEqualTo(1);
      assertThat(count(c, schemaB, "memory_text")).isEqualTo(1); // of its 2, the one matching
      c.rollback();
    }
  }

  @Test
  void noTenantSet_underTheRole_seesNothing() throws SQLException {
    try (Connection c = TestDatabase.connect(db)) {
      c.setAutoCommit(false);
      Pg.setRole(c, "mnemo_rls");
      assertThat(count(c, schemaA, "memories")).isZero();
      assertThat(count(c, schemaB, "memories")).isZero();
      c.rollback();
    }
  }

  @Test
  void writingIntoAnotherTenantsSchema_asTenantA_fails() throws SQLException {
    try (Connection c = TestDatabase.connect(db)) {
      c.setAutoCommit(false);
      // Default tenant_id is 'tenant-a': B's CHECK constraint refuses it.
      Pg.enterTenant(c, "tenant-a", "mnemo_rls");
      assertThatThrownBy(() -> insertMessage(c, schemaB, null))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23514"));
      c.rollback();
      // Claiming to be B: the policy's WITH CHECK refuses it.
      Pg.enterTenant(c, "tenant-a", "mnemo_rls");
      assertThatThrownBy(() -> insertMessage(c, schemaB, "tenant-b"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
      c.rollback();
      // Updates and deletes find no row to change.
      Pg.enterTenant(c, "tenant-a", "mnemo_rls");
      try (Statement s = c.createStatement()) {
        assertThat(
                s.executeUpdate(
                    "UPDATE " + Names.quote(schemaB) + ".memories SET text = 'overwritten'"))
            .isZero();
        assertThat(s.executeUpdate("DELETE FROM " + Names.quote(schemaB) + ".memories")).isZero();
        assertThat(s.executeUpdate("DELETE FROM " + Names.quote(schemaB) + ".history")).isZero();
      }
      c.commit();
    }
    try (TenantStore b = store.open(TenantId.of("tenant-b"))) {
      assertThat(b.get("b-1").orElseThrow().memory().text()).isEqualTo("bravo one");
      assertThat(b.history("b-2")).hasSize(1);
    }
  }

  private static long count(Connection c, String schema, String table) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT count(*) FROM " + Names.quote(schema) + "." + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void insertMessage(Connection c, String schema, String tenantId)
      throws SQLException {
    String sql =
        tenantId == null
            ? "INSERT INTO "
                + Names.quote(schema)
                + ".messages (id, role, content, received_at) VALUES ('x', 'user', 'planted', 0)"
            : "INSERT INTO "
                + Names.quote(schema)
                + ".messages (id, tenant_id, role, content, received_at)"
                + " VALUES ('x', ?, 'user', 'planted', 0)";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (tenantId != null) {
        ps.setString(1, tenantId);
      }
      ps.executeUpdate();
    }
  }
}
