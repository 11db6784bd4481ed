package io.mnemo4j.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.Scope;
import io.mnemo4j.TenantId;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScopeGuard;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.testing.TestEmbeddings;
import io.mnemo4j.testing.TestMemories;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A deployment connects as an ordinary role, not a superuser: then FORCE ROW LEVEL SECURITY binds
 * the schema owner itself, and the store must still create, write, search and purge. The test
 * creates a throw-away LOGIN role (CREATEROLE, so it can grant itself the RLS roles) owning a
 * throw-away database with pgvector installed, and drops both.
 */
class NonSuperuserTest {
  private String db;
  private String owner;

  @BeforeEach
  void setUp() throws SQLException {
    db = TestDatabase.create();
    owner = "mnemo_test_owner_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    try (Connection c = TestDatabase.connect("postgres");
        Statement s = c.createStatement()) {
      s.execute("CREATE ROLE " + owner + " LOGIN CREATEROLE");
      s.execute("ALTER DATABASE " + db + " OWNER TO " + owner);
    }
    try (Connection c = TestDatabase.connect(db);
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS vector"); // a DBA's step: pgvector is untrusted
      s.execute(
          "CREATE EXTENSION IF NOT EXISTS pgstattuple"); // to read the text index pending list
    }
  }

  @AfterEach
  void tearDown() throws SQLException {
    TestDatabase.drop(db);
    try (Connection c = TestDatabase.connect("postgres");
        Statement s = c.createStatement()) {
      s.execute("DROP ROLE IF EXISTS " + owner);
    }
  }

  @Test
  void ordinaryOwner_writesSearchesAndPurges_andCannotReadPastThePolicy() throws SQLException {
    PostgresOptions options = TestDatabase.options(db).withUser(owner);
    TenantId acme = TenantId.of("acme");
    try (PostgresStore store = PostgresStore.open(options)) {
      // The text index's flush runs in the writing thread here, so the test sees it done: it needs
      // the index's owner, which this ordinary role is.
      store.runBackgroundWith(Runnable::run);
      try (TenantStore ts = store.open(acme)) {
        try (ScopeGuard guard = ts.lockScope(Scope.user("u"))) {
          ts.write(
              TestMemories.puts(
                  List.of(
                      TestMemories.memory("m-1", "owner wrote this", Scope.user("u")),
                      TestMemories.memory("m-2", "and this too", Scope.user("u")))));
        }
        assertThat(ts.count(new ScopeFilter.Everything(), new FilterExpr.All())).isEqualTo(2);
        assertThat(ts.textSearch("wrote", new ScopeFilter.Everything(), new FilterExpr.All(), 5))
            .hasSize(1);
        assertThat(
                ts.vectorSearch(
                    TestEmbeddings.MODEL,
                    TestEmbeddings.embed("owner wrote"),
                    new ScopeFilter.Everything(),
                    new FilterExpr.All(),
                    5))
            .hasSize(2);
      }
      String schema = store.registered(acme).orElseThrow();
      assertThat(TextIndexFlushTest.pendingEntries(db, schema)).isZero();
      // The owner, outside a tenant transaction, is bound by the forced policy too.
      try (Connection c = DriverManager.getConnection(TestDatabase.SERVER + db, owner, "");
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery("SELECT count(*) FROM " + Names.quote(schema) + ".memories")) {
        rs.next();
        assertThat(rs.getLong(1)).isZero();
      }
      assertThat(store.purge(acme).memories()).isEqualTo(2);
      assertThat(store.exists(acme)).isFalse();
    }
  }
}
