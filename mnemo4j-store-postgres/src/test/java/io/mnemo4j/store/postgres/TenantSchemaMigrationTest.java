package io.mnemo4j.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.ConversationMessage;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantId;
import io.mnemo4j.spi.PurgeStats;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.testing.TestMemories;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tenant schema created at layout version 1 (before conversation windows) is migrated when this
 * build opens it: the windows' table appears behind the same row-level-security wall, the registry
 * records the new version, and its memories are untouched. Purging a version-1 schema this build
 * never opened still works.
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
      s.execute(
          "UPDATE "
              + Names.REGISTRY_SCHEMA
              + ".tenants SET schema_version = 1 WHERE tenant_id = '"
              + tenant.value()
              + "'");
    }
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
