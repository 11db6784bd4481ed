package io.mnemo4j.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.ConversationMessage;
import io.mnemo4j.EntityType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.NotFoundException;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Scope;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantId;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TenantHandlesTest {
  /**
   * A store that only counts opens and closes: the cache's behaviour does not depend on what a
   * store holds.
   */
  static final class CountingStore implements TenantStore {
    final AtomicInteger closes = new AtomicInteger();

    @Override
    public void write(WriteBatch batch) {}

    @Override
    public List<io.mnemo4j.spi.StoredMessage> messages(Collection<String> ids) {
      return List.of();
    }

    @Override
    public List<io.mnemo4j.spi.StoredMessage> messagesOfRun(String runId) {
      return List.of();
    }

    @Override
    public List<StoredMemory> derivedFrom(Collection<String> messageIds) {
      return List.of();
    }

    @Override
    public long eraseMessages(Collection<String> messageIds, WriteBatch batch) {
      return 0;
    }

    @Override
    public void putVectors(String model, java.util.Map<String, float[]> vectors) {}

    @Override
    public long countVectors(String model) {
      return 0;
    }

    @Override
    public long switchModel(String model) {
      return 0;
    }

    @Override
    public java.util.Map<String, Integer> dimensions() {
      return java.util.Map.of();
    }

    @Override
    public Optional<StoredMemory> get(String id) {
      return Optional.empty();
    }

    @Override
    public List<StoredMemory> getAll(Collection<String> ids) {
      return List.of();
    }

    @Override
    public Optional<StoredMemory> findByHash(Scope scope, String hash) {
      return Optional.empty();
    }

    @Override
    public Page<StoredMemory> list(ScopeFilter s, FilterExpr f, PageRequest p) {
      return new Page<>(List.of(), null);
    }

    @Override
    public long count(ScopeFilter s, FilterExpr f) {
      return 0;
    }

    @Override
    public Page<io.mnemo4j.EntityCount> countByEntity(
        EntityType t, ScopeFilter s, FilterExpr f, PageRequest p) {
      return new Page<>(List.of(), null);
    }

    @Override
    public List<ScoredId> vectorSearch(String m, float[] q, ScopeFilter s, FilterExpr f, int k) {
      return List.of();
    }

    @Override
    public List<ScoredId> textSearch(String q, ScopeFilter s, FilterExpr f, int k) {
      return List.of();
    }

    @Override
    public List<ScoredId> textScores(String q, java.util.Collection<String> ids) {
      return List.of();
    }

    @Override
    public java.util.Map<String, List<io.mnemo4j.spi.AddNeighbour>> addNeighbours(
        java.util.Collection<String> ids, int span) {
      return java.util.Map.of();
    }

    @Override
    public io.mnemo4j.spi.ScopeGuard lockScope(Scope scope) {
      return io.mnemo4j.spi.ScopeGuard.NONE;
    }

    @Override
    public Optional<io.mnemo4j.spi.StoredEvent> event(String id) {
      return Optional.empty();
    }

    @Override
    public Optional<io.mnemo4j.spi.StoredEvent> eventByIdempotencyKey(String key) {
      return Optional.empty();
    }

    @Override
    public List<io.mnemo4j.spi.StoredEvent> events(
        java.util.Set<io.mnemo4j.spi.EventStatus> statuses, int limit) {
      return List.of();
    }

    @Override
    public List<HistoryEntry> history(String id) {
      return List.of();
    }

    @Override
    public List<ConversationMessage> conversation(String conversationId) {
      return List.of();
    }

    @Override
    public void replaceConversation(String conversationId, List<ConversationMessage> messages) {}

    @Override
    public Page<String> conversationIds(PageRequest page) {
      return new Page<>(List.of(), null);
    }

    @Override
    public Page<io.mnemo4j.HistoryEntry> exportHistory(PageRequest page) {
      return new Page<>(List.of(), null);
    }

    @Override
    public Page<io.mnemo4j.spi.StoredMessage> exportMessages(PageRequest page) {
      return new Page<>(List.of(), null);
    }

    @Override
    public Page<io.mnemo4j.spi.StoredEvent> exportEvents(PageRequest page) {
      return new Page<>(List.of(), null);
    }

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }

  @Test
  void eviction_closesLeastRecentlyUsed_butOnlyAfterItsLeaseEnds() {
    TenantHandles handles = new TenantHandles(1);
    CountingStore a = new CountingStore();
    CountingStore b = new CountingStore();

    TenantHandles.Lease leaseA = handles.acquire(TenantId.of("a"), id -> a);
    try (TenantHandles.Lease leaseB = handles.acquire(TenantId.of("b"), id -> b)) {
      assertThat(leaseB.store()).isSameAs(b);
      assertThat(a.closes).hasValue(0); // evicted but still leased
    }
    leaseA.close();

    assertThat(a.closes).hasValue(1);
    assertThat(b.closes).hasValue(0);
    assertThat(handles.openCount()).isEqualTo(1);
  }

  @Test
  void hit_reusesTheOpenStore() {
    TenantHandles handles = new TenantHandles(4);
    AtomicInteger opens = new AtomicInteger();
    for (int i = 0; i < 3; i++) {
      try (TenantHandles.Lease l =
          handles.acquire(
              TenantId.of("a"),
              id -> {
                opens.incrementAndGet();
                return new CountingStore();
              })) {
        assertThat(l.store()).isNotNull();
      }
    }
    assertThat(opens).hasValue(1);
  }

  @Test
  void failedOpen_isNotCached() {
    TenantHandles handles = new TenantHandles(4);
    assertThatThrownBy(
            () ->
                handles.acquire(
                    TenantId.of("a"),
                    id -> {
                      throw new StoreUnavailableException("disk gone");
                    }))
        .hasMessage("disk gone");
    CountingStore ok = new CountingStore();
    try (TenantHandles.Lease l = handles.acquire(TenantId.of("a"), id -> ok)) {
      assertThat(l.store()).isSameAs(ok);
    }
  }

  @Test
  void whileClosed_blocksNewLeases_andClosesTheStoreFirst() {
    TenantHandles handles = new TenantHandles(4);
    CountingStore a = new CountingStore();
    handles.acquire(TenantId.of("a"), id -> a).close();

    String result =
        handles.whileClosed(
            TenantId.of("a"),
            Duration.ofSeconds(1),
            () -> {
              assertThat(a.closes).hasValue(1);
              assertThatThrownBy(() -> handles.acquire(TenantId.of("a"), id -> new CountingStore()))
                  .isInstanceOf(NotFoundException.class);
              return "purged";
            });

    assertThat(result).isEqualTo("purged");
  }

  @Test
  void whileClosed_timesOutWhenALeaseIsNeverReleased() {
    TenantHandles handles = new TenantHandles(4);
    handles.acquire(TenantId.of("a"), id -> new CountingStore()); // leaked on purpose

    assertThatThrownBy(
            () -> handles.whileClosed(TenantId.of("a"), Duration.ofMillis(50), () -> "never"))
        .isInstanceOf(StoreUnavailableException.class);
  }

  /**
   * A move switched a tenant's region under {@code whileClosed}: a read arriving during the switch
   * answered "not found" (404) for a tenant that exists. Under {@code whilePaused} a new lease
   * waits for the switch and then opens the store where the tenant lives.
   */
  @Test
  void whilePaused_newLeasesWaitForTheAction_insteadOfNotFound() throws Exception {
    TenantHandles handles = new TenantHandles(4);
    CountingStore before = new CountingStore();
    CountingStore after = new CountingStore();
    handles.acquire(TenantId.of("a"), id -> before).close();
    java.util.concurrent.CountDownLatch inAction = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean switched =
        new java.util.concurrent.atomic.AtomicBoolean();

    Thread mover =
        Thread.ofVirtual()
            .name("test-mover")
            .start(
                () ->
                    handles.whilePaused(
                        TenantId.of("a"),
                        Duration.ofSeconds(5),
                        () -> {
                          inAction.countDown();
                          try {
                            release.await();
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                          switched.set(true);
                          return "switched";
                        }));
    inAction.await();
    java.util.concurrent.CompletableFuture<TenantStore> reader =
        new java.util.concurrent.CompletableFuture<>();
    Thread.ofVirtual()
        .name("test-reader")
        .start(
            () -> {
              try (TenantHandles.Lease lease =
                  handles.acquire(
                      TenantId.of("a"),
                      id -> {
                        assertThat(switched).isTrue(); // opened only after the action ended
                        return after;
                      })) {
                reader.complete(lease.store());
              } catch (RuntimeException e) {
                reader.completeExceptionally(e);
              }
            });
    Thread.sleep(100); // the reader is blocked on the pause, not failed
    assertThat(reader).isNotDone();
    release.countDown();
    mover.join();

    assertThat(reader.get(5, java.util.concurrent.TimeUnit.SECONDS)).isSameAs(after);
    assertThat(before.closes).hasValue(1);
  }
}
