package io.mnemo4j.store.embedded;

import static io.mnemo4j.testing.TestMemories.memory;
import static io.mnemo4j.testing.TestMemories.puts;
import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.Scope;
import io.mnemo4j.TenantId;
import io.mnemo4j.spi.AddNeighbour;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.testing.TestMemories;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tenant whose memories were all stored alone answers {@link TenantStore#addNeighbours} without
 * the neighbour statement (a flag kept in the tenant's {@code meta} table): the flag must be set by
 * every write that gives two memories one creation time, before the write is visible, and survive a
 * reopen, or a search would score memories of a conversation as if each were alone.
 */
class SharedCreationTimesTest {
  private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

  @TempDir Path dir;

  @Test
  void memoriesStoredAlone_haveNoNeighbours_untilAWriteSharesATime_thenTheFlagSurvivesAReopen()
      throws SQLException {
    Path region = dir.resolve("eu");
    try (EmbeddedStore store = EmbeddedStore.open(region);
        TenantStore ts = store.open(TenantId.of("acme"))) {
      ts.write(puts(at("a1", "kayak trip", T), at("a2", "bread recipe", T.plusSeconds(1))));
      assertThat(flag(region)).isEqualTo("0");
      Map<String, List<AddNeighbour>> alone = ts.addNeighbours(List.of("a1", "a2", "nope"), 2);
      assertThat(alone).containsOnlyKeys("a1", "a2");
      assertThat(alone.values()).allMatch(List::isEmpty);

      // One memory alone in its batch, but with the creation time of a stored one (same scope):
      // the two are one add's memories now.
      ts.write(puts(at("a3", "kayak again", T)));
      assertThat(flag(region)).isEqualTo("1");
      assertThat(ids(ts.addNeighbours(List.of("a1"), 2).get("a1"))).containsExactly("a3");
    }
    try (EmbeddedStore store = EmbeddedStore.open(region);
        TenantStore ts = store.open(TenantId.of("acme"))) {
      assertThat(ids(ts.addNeighbours(List.of("a3"), 2).get("a3"))).containsExactly("a1");
    }
  }

  @Test
  void aBatchPuttingTwoMemoriesWithOneTime_setsTheFlag() throws SQLException {
    Path region = dir.resolve("eu");
    try (EmbeddedStore store = EmbeddedStore.open(region);
        TenantStore ts = store.open(TenantId.of("acme"))) {
      ts.write(puts(at("b1", "a question", T)));
      assertThat(flag(region)).isEqualTo("0");
      ts.write(puts(at("b2", "did you go?", T.plusSeconds(5)), at("b3", "yes", T.plusSeconds(5))));
      assertThat(flag(region)).isEqualTo("1");
      assertThat(ids(ts.addNeighbours(List.of("b3"), 2).get("b3"))).containsExactly("b2");
    }
  }

  /**
   * Eight writes of one memory each, all with one creation time, committed as one group: no write
   * alone shares a time with a stored memory, the group does. The check runs in the group's
   * transaction, which sees all eight.
   */
  @Test
  void concurrentWritesSharingATime_inOneGroupCommit_setTheFlag() throws Exception {
    Path region = dir.resolve("eu");
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(8);
    try (EmbeddedStore store = EmbeddedStore.open(region);
        TenantStore ts = store.open(TenantId.of("acme"))) {
      List<java.util.concurrent.Future<?>> writes = new java.util.ArrayList<>();
      long before = TestSecrets.groupCommits(ts);
      try (AutoCloseable held = TestSecrets.holdCommits(ts)) {
        for (int i = 0; i < 8; i++) {
          StoredMemory m = at("d" + i, "turn " + i, T);
          writes.add(pool.submit(() -> ts.write(puts(m))));
        }
        GroupCommitTest.awaitQueued(ts, 8);
      }
      for (java.util.concurrent.Future<?> w : writes) {
        w.get(30, java.util.concurrent.TimeUnit.SECONDS);
      }
      assertThat(TestSecrets.groupCommits(ts) - before).isEqualTo(1);
      assertThat(flag(region)).isEqualTo("1");
      assertThat(ids(ts.addNeighbours(List.of("d0"), 2).get("d0"))).containsExactly("d1", "d2");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aDatabaseOfTheSchemaBefore_findsItsAddsWhenItOpens() throws SQLException {
    Path region = dir.resolve("eu");
    try (EmbeddedStore store = EmbeddedStore.open(region);
        TenantStore ts = store.open(TenantId.of("acme"))) {
      ts.write(puts(at("c1", "first", T), at("c2", "second", T)));
    }
    // As the build before the flag left it: no flag, schema version 6.
    try (Connection c = connect(region)) {
      c.createStatement().executeUpdate("DELETE FROM meta WHERE key = 'shared_creation_times'");
      c.createStatement().executeUpdate("PRAGMA user_version = 6");
    }
    try (EmbeddedStore store = EmbeddedStore.open(region);
        TenantStore ts = store.open(TenantId.of("acme"))) {
      assertThat(flag(region)).isEqualTo("1");
      assertThat(ids(ts.addNeighbours(List.of("c1"), 2).get("c1"))).containsExactly("c2");
    }
  }

  private static StoredMemory at(String id, String text, Instant createdAt) {
    return TestMemories.at(memory(id, text, Scope.user("alice")), createdAt);
  }

  private static List<String> ids(List<AddNeighbour> near) {
    return near.stream().map(AddNeighbour::id).toList();
  }

  private static Connection connect(Path region) throws SQLException {
    Path db = region.resolve("acme").resolve("memories.db");
    return DriverManager.getConnection("jdbc:sqlite:" + db);
  }

  private static String flag(Path region) throws SQLException {
    try (Connection c = connect(region);
        PreparedStatement ps =
            c.prepareStatement("SELECT value FROM meta WHERE key = 'shared_creation_times'");
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getString(1) : "missing";
    }
  }
}
