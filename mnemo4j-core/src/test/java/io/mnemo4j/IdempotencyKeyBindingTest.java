package io.mnemo4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.testing.HashingEmbedder;
import io.mnemo4j.testing.InMemoryBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An idempotency key is bound to its request. Regression (issue 9): a key narrowed to alice that
 * reused a key first used for bob got bob's memory text back ("Bob salary is 91k") and alice's
 * message was silently not stored. The record now keeps the scope and a fingerprint of the request;
 * the same key with another scope or body is a conflict naming {@code idempotency_key}, never a
 * replay.
 */
class IdempotencyKeyBindingTest {
  @TempDir Path dir;
  Mnemo mnemo;
  TenantMemory acme;

  @BeforeEach
  void open() {
    mnemo =
        Mnemo.builder()
            .dataDir(dir)
            .embedder(new HashingEmbedder())
            .backend(new InMemoryBackend())
            .expirySweep(Duration.ZERO, Duration.ZERO)
            .build();
    acme = mnemo.tenant("acme");
  }

  @AfterEach
  void close() {
    mnemo.close();
  }

  static AddOptions key(String k) {
    return AddOptions.none().withIdempotencyKey(k);
  }

  @Test
  void add_sameKeySameRequest_replaysTheFirstResult() {
    AddResult first =
        acme.ingest(List.of(Message.user("I like tea")), Scope.user("bob"), key("k1"));
    AddResult again =
        acme.ingest(List.of(Message.user("I like tea")), Scope.user("bob"), key("k1"));
    assertThat(again.replayed()).isTrue();
    assertThat(again.events()).isEqualTo(first.events());
    assertThat(again.eventId()).isEqualTo(first.eventId());
  }

  @Test
  void add_sameKeyOtherScope_isAConflictAndRevealsNothing() {
    acme.ingest(List.of(Message.user("Bob salary is 91k")), Scope.user("bob"), key("k1"));
    assertThatThrownBy(
            () ->
                acme.ingest(
                    List.of(Message.user("Bob salary is 91k")), Scope.user("alice"), key("k1")))
        .isInstanceOfSatisfying(
            ConflictException.class,
            e -> {
              assertThat(e.field()).contains("idempotency_key");
              assertThat(e.getMessage()).doesNotContain("91k").doesNotContain("bob");
            });
    assertThat(acme.count(Selection.in(Scope.user("alice")))).isZero();
  }

  @Test
  void add_sameKeyOtherBody_isAConflict() {
    acme.ingest(List.of(Message.user("I like tea")), Scope.user("bob"), key("k1"));
    assertThatThrownBy(
            () -> acme.ingest(List.of(Message.user("I like coffee")), Scope.user("bob"), key("k1")))
        .isInstanceOf(ConflictException.class);
    assertThatThrownBy(
            () ->
                acme.ingest(
                    List.of(Message.user("I like tea")),
                    Scope.user("bob"),
                    key("k1").withMetadata(java.util.Map.of("source", "other"))))
        .isInstanceOf(ConflictException.class);
  }

  @Test
  void addAsync_keyOfAnotherScope_isAConflict() {
    acme.ingest(List.of(Message.user("I like tea")), Scope.user("bob"), key("k2"));
    assertThatThrownBy(
            () ->
                acme.addAsync(List.of(Message.user("I like tea")), Scope.user("alice"), key("k2")))
        .isInstanceOf(ConflictException.class);
  }

  @Test
  void addStatus_everyAddIsRecorded_andVisibleOnlyInItsScope() {
    AddResult r =
        acme.ingest(List.of(Message.user("I like tea")), Scope.user("bob"), AddOptions.none());
    assertThat(r.eventId()).isNotNull();
    assertThat(acme.addStatus(r.eventId()))
        .get()
        .extracting(AddStatus::scope)
        .isEqualTo(Scope.user("bob"));
    assertThat(acme.addStatus(r.eventId(), Selection.in(Scope.user("bob")))).isPresent();
    assertThat(acme.addStatus(r.eventId(), Selection.in(Scope.user("alice")).withTenantWide()))
        .isEmpty();
  }
}
