package io.mnemo4j.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.Memory;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.testing.ChildJvm;
import io.mnemo4j.testing.HashingEmbedder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The durability promise end to end: a child JVM adds memories and prints each id once {@code add}
 * has returned; we kill it with {@code destroyForcibly} mid-stream, reopen its data directory, and
 * every acknowledged memory must be there and findable by search (the Lucene index catches up from
 * SQLite on open). {@link Durability#PROCESS} skips the fsync per commit but must keep exactly this
 * promise against a killed process (only a power loss or an OS crash may take its last writes).
 */
class KillDurabilityTest {
  @TempDir Path dataDir;

  record Ack(String id, String user, String text) {}

  @ParameterizedTest
  @EnumSource(Durability.class)
  void killedWhileAdding_everyAcknowledgedAddSurvivesAndIsSearchable(Durability durability)
      throws Exception {
    // Kill after a few hundred acknowledged adds: enough that the index has uncommitted changes
    // to replay.
    List<Ack> acks = addUntilKilled(durability, 0, 300);
    assertEverySearchable(acks);
  }

  /**
   * The same promise when the killed process opened the tenant with nothing to replay, so with a
   * Lucene reader alone, and created its index writer at its first add: after the first kill a
   * clean open and close commits the index, the second child opens it up to date and adds until
   * killed.
   */
  @Test
  void killedAfterReopeningAnUpToDateTenant_everyAcknowledgedAddSurvives() throws Exception {
    List<Ack> acks = new ArrayList<>(addUntilKilled(Durability.FULL, 0, 100));
    assertEverySearchable(acks); // replays, then commits the index at close
    acks.addAll(addUntilKilled(Durability.FULL, 100_000, 200));
    assertEverySearchable(acks);
  }

  /**
   * Starts a child adding notes numbered from {@code first}, kills it once it acknowledged {@code
   * atLeast} adds, and returns every add it acknowledged.
   */
  private List<Ack> addUntilKilled(Durability durability, int first, int atLeast) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            ChildJvm.command(
                KillChild.class,
                dataDir.toString(),
                durability.wireName(),
                Integer.toString(first)));
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process child = pb.start();
    List<Ack> acks = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while ((line = in.readLine()) != null
          && acks.size() < atLeast
          && System.nanoTime() < deadline) {
        if (line.startsWith("ACK ")) {
          String[] parts = line.split(" ", 4);
          acks.add(new Ack(parts[1], parts[2], parts[3]));
        }
      }
      child.destroyForcibly();
      // Lines printed after our last read were acknowledged too; keep reading what the pipe still
      // holds. The JDK's process reaper may close the stream under us once the child is gone: then
      // nothing more is readable.
      try {
        while ((line = in.readLine()) != null) {
          if (line.startsWith("ACK ")) {
            String[] parts = line.split(" ", 4);
            acks.add(new Ack(parts[1], parts[2], parts[3]));
          }
        }
      } catch (java.io.IOException streamClosedByReaper) {
        // See above: the acknowledgements read so far are the ones we check.
      }
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(acks).hasSizeGreaterThanOrEqualTo(atLeast);
    return acks;
  }

  /** Reopens the data dir: every acknowledged add is there, and a sample is found by search. */
  private void assertEverySearchable(List<Ack> acks) {
    try (Mnemo mnemo =
        Mnemo.builder()
            .dataDir(dataDir)
            .embedder(new HashingEmbedder())
            .backend(EmbeddedBackend.create())
            .build()) {
      TenantMemory t = mnemo.tenant("durable");
      for (Ack ack : acks) {
        Memory m =
            t.get(ack.id())
                .orElseThrow(() -> new AssertionError("lost acknowledged add " + ack.id()));
        assertThat(m.text()).isEqualTo(ack.text());
        assertThat(m.scope()).isEqualTo(Scope.user(ack.user()));
      }
      // Sample the index: BM25 on the unique token and dense search both find acknowledged
      // memories.
      for (int i = 0; i < acks.size(); i += 37) {
        Ack ack = acks.get(i);
        String token = ack.text().substring(ack.text().lastIndexOf(' ') + 1);
        assertThat(
                t.search(token, Search.in(Scope.user(ack.user())).mode(Search.Mode.TEXT).limit(1)))
            .extracting(h -> h.memory().id())
            .containsExactly(ack.id());
        assertThat(
                t.search(
                    ack.text(), Search.in(Scope.user(ack.user())).mode(Search.Mode.DENSE).limit(1)))
            .extracting(h -> h.memory().id())
            .containsExactly(ack.id());
      }
    }
  }
}
