package io.mnemo4j.internal.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.ConflictException;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.MoveReceipt;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.Selection;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.TenantMove.Phase;
import io.mnemo4j.testing.HashingEmbedder;
import io.mnemo4j.testing.InMemoryBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Moving a tenant between regions in one process: writes answer the retriable "unavailable" while
 * reads keep being served from the old region, and a move cut short at a pause point (an {@link
 * Error} thrown there stands in for a crash: nothing of the move's cleanup runs) leaves the tenant
 * whole in one region, which a rerun finishes or a rollback undoes. The kill -9 of a real process
 * is in the CLI's {@code MoveKillTest}.
 */
class MoveTest {
  @TempDir Path dataDir;

  private final InMemoryBackend backend = new InMemoryBackend();
  private Mnemo mnemo;
  private TenantMemory acme;

  /** What a test throws at a pause point to stop the move as a crash would. */
  private static final class Crash extends Error {
    private static final long serialVersionUID = 1L;
  }

  @BeforeEach
  void open() {
    mnemo =
        Mnemo.builder()
            .dataDir(dataDir)
            .embedder(new HashingEmbedder())
            .backend(backend)
            .regions("eu")
            .build();
    acme = mnemo.tenant("acme");
    acme.add(
        IntStream.range(0, 30).mapToObj(i -> Message.user("fact " + i + " about tea")).toList(),
        Scope.user("alice"));
  }

  @AfterEach
  void close() {
    Moves.pauseAtForTests(point -> {});
    mnemo.close();
  }

  private long count() {
    return mnemo.tenant("acme").count(Selection.everywhere());
  }

  private void crashAt(String where) {
    Moves.pauseAtForTests(
        point -> {
          if (point.equals(where)) {
            throw new Crash();
          }
        });
  }

  @Test
  void duringAMove_writesAreRetriablyUnavailable_readsAreServed_andWritesResumeAfter()
      throws Exception {
    long before = count();
    CountDownLatch paused = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Moves.pauseAtForTests(
        point -> {
          if (point.equals("copied")) {
            paused.countDown();
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        });
    CompletableFuture<MoveReceipt> move =
        CompletableFuture.supplyAsync(() -> mnemo.admin().moveTenant("acme", "eu"));
    assertThat(paused.await(30, TimeUnit.SECONDS)).isTrue();

    assertThatThrownBy(
            () -> acme.add(List.of(Message.user("I switched to coffee")), Scope.user("alice")))
        .isInstanceOf(StoreUnavailableException.class)
        .hasMessageContaining("moving to region eu");
    assertThat(count()).isEqualTo(before);
    assertThat(acme.search("tea", Search.everywhere().limit(5))).hasSize(5);
    assertThat(mnemo.admin().findTenant("acme").orElseThrow().region()).isEqualTo("local");
    assertThat(mnemo.admin().pendingMove("acme").orElseThrow().phase()).isEqualTo(Phase.COPYING);

    release.countDown();
    MoveReceipt r = move.get(30, TimeUnit.SECONDS);
    assertThat(r.to().count("memory")).isEqualTo(before);
    assertThat(mnemo.admin().findTenant("acme").orElseThrow().region()).isEqualTo("eu");
    mnemo.tenant("acme").add(List.of(Message.user("I switched to coffee")), Scope.user("alice"));
    assertThat(count()).isEqualTo(before + 1);
    assertThat(backend.tenantsIn("local", "0")).isZero();
  }

  @Test
  void crashBeforeTheSwitch_leavesTheTenantInTheOldRegion_andRollbackDropsTheCopy() {
    long before = count();
    crashAt("copied");
    assertThatThrownBy(() -> mnemo.admin().moveTenant("acme", "eu")).isInstanceOf(Crash.class);
    Moves.pauseAtForTests(point -> {});

    assertThat(mnemo.admin().findTenant("acme").orElseThrow().region()).isEqualTo("local");
    assertThat(count()).isEqualTo(before);
    assertThat(mnemo.admin().pendingMove("acme").orElseThrow().phase()).isEqualTo(Phase.COPYING);
    assertThat(backend.tenantsIn("eu", "0")).isEqualTo(1);

    MoveReceipt r = mnemo.admin().rollbackMove("acme");

    assertThat(r.outcome()).isEqualTo("rolled_back");
    assertThat(r.from().count("memory")).isEqualTo(before);
    assertThat(mnemo.admin().pendingMove("acme")).isEmpty();
    assertThat(backend.tenantsIn("eu", "0")).isZero();
    assertThat(count()).isEqualTo(before);
    // Writes were never left closed.
    mnemo.tenant("acme").add(List.of(Message.user("still here")), Scope.user("alice"));
  }

  @Test
  void crashBeforeTheSwitch_thenRerun_startsAgainAndFinishes() {
    long before = count();
    crashAt("copied");
    assertThatThrownBy(() -> mnemo.admin().moveTenant("acme", "eu")).isInstanceOf(Crash.class);
    Moves.pauseAtForTests(point -> {});

    MoveReceipt r = mnemo.admin().moveTenant("acme", "eu");

    assertThat(r.to().count("memory")).isEqualTo(before);
    assertThat(mnemo.admin().findTenant("acme").orElseThrow().region()).isEqualTo("eu");
    assertThat(backend.tenantsIn("local", "0")).isZero();
    assertThat(count()).isEqualTo(before);
  }

  @Test
  void crashAfterTheSwitch_servesTheNewRegion_refusesRollback_andRerunPurgesTheOldCopy() {
    long before = count();
    crashAt("switched");
    assertThatThrownBy(() -> mnemo.admin().moveTenant("acme", "eu")).isInstanceOf(Crash.class);
    Moves.pauseAtForTests(point -> {});

    assertThat(mnemo.admin().findTenant("acme").orElseThrow().region()).isEqualTo("eu");
    assertThat(count()).isEqualTo(before);
    assertThat(mnemo.admin().pendingMove("acme").orElseThrow().phase()).isEqualTo(Phase.SWITCHED);
    assertThatThrownBy(() -> mnemo.admin().rollbackMove("acme"))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("rerun");

    MoveReceipt r = mnemo.admin().moveTenant("acme", "eu");

    assertThat(r.from().region()).isEqualTo("local");
    assertThat(r.to().count("memory")).isEqualTo(before);
    assertThat(mnemo.admin().pendingMove("acme")).isEmpty();
    assertThat(backend.tenantsIn("local", "0")).isZero();
    assertThat(count()).isEqualTo(before);
  }
}
