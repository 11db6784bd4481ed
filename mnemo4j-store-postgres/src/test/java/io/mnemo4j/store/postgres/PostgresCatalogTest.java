package io.mnemo4j.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.ConflictException;
import io.mnemo4j.PurgeReceipt;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.spi.ApiKey;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The PostgreSQL catalog keeps the embedded SqliteCatalog's semantics. */
class PostgresCatalogTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00.123456789Z");
  private String db;
  private PostgresCatalog catalog;

  @BeforeEach
  void setUp() {
    db = TestDatabase.create();
    catalog = PostgresCatalog.open(TestDatabase.options(db));
  }

  @AfterEach
  void tearDown() {
    catalog.close();
    TestDatabase.drop(db);
  }

  @Test
  void tenants_createFindListAndConflict() {
    TenantInfo acme = new TenantInfo(TenantId.of("acme"), "eu", "shard-2", T);
    catalog.create(acme);
    catalog.create(new TenantInfo(TenantId.of("Zed".toLowerCase()), "eu", T));
    catalog.create(new TenantInfo(TenantId.of("beta"), "us", T.plusNanos(1)));

    assertThat(catalog.find(TenantId.of("acme"))).contains(acme); // shard and nanoseconds kept
    assertThat(catalog.find(TenantId.of("nobody"))).isEmpty();
    assertThat(catalog.list())
        .extracting(t -> t.id().value())
        .containsExactly("acme", "beta", "zed");
    assertThatThrownBy(() -> catalog.create(new TenantInfo(TenantId.of("acme"), "us", T)))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("acme");
    assertThat(catalog.find(TenantId.of("acme")).orElseThrow().region()).isEqualTo("eu");
  }

  @Test
  void remove_dropsTheTenantAndItsKeys_andKeepsTheReceipt() {
    TenantId acme = TenantId.of("acme");
    catalog.create(new TenantInfo(acme, "eu", T));
    catalog.addKey(new ApiKey("k1", "hash-1", acme, "alice", T));
    catalog.addKey(new ApiKey("k2", "hash-2", null, null, T));
    PurgeReceipt receipt = new PurgeReceipt("acme", "eu", 3, 4, 5, 0, 1234, T.plusSeconds(1));

    catalog.remove(acme, receipt);

    assertThat(catalog.find(acme)).isEmpty();
    assertThat(catalog.findKeyByHash("hash-1")).isEmpty();
    assertThat(catalog.findKeyByHash("hash-2")).isPresent(); // admin keys stay
    assertThat(catalog.receipts()).containsExactly(receipt);
  }

  @Test
  void keys_conflictOnIdOrHash_listInCreationOrder_revokeOnlyOwnTenant() {
    TenantId acme = TenantId.of("acme");
    TenantId other = TenantId.of("other");
    ApiKey second = new ApiKey("k2", "hash-2", acme, null, T.plusSeconds(1));
    ApiKey first = new ApiKey("k1", "hash-1", acme, "alice", T);
    catalog.addKey(second);
    catalog.addKey(first);
    catalog.addKey(new ApiKey("k3", "hash-3", null, null, T));

    assertThatThrownBy(() -> catalog.addKey(new ApiKey("k1", "hash-9", acme, null, T)))
        .isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> catalog.addKey(new ApiKey("k9", "hash-1", acme, null, T)))
        .isInstanceOf(ConflictException.class);
    assertThat(catalog.keys(Optional.of(acme))).containsExactly(first, second);
    assertThat(catalog.keys(Optional.empty())).extracting(ApiKey::id).containsExactly("k3");
    assertThat(catalog.findKeyByHash("hash-1")).contains(first);
    assertThat(catalog.removeKey(Optional.of(other), "k1")).isFalse();
    assertThat(catalog.removeKey(Optional.empty(), "k1")).isFalse();
    assertThat(catalog.removeKey(Optional.of(acme), "k1")).isTrue();
    assertThat(catalog.removeKey(Optional.of(acme), "k1")).isFalse();
    assertThat(catalog.removeKey(Optional.empty(), "k3")).isTrue();
    assertThat(catalog.findKeyByHash("hash-1")).isEmpty();
  }

  @Test
  void twoCatalogsOnOneDatabase_shareState_andClosedOneFailsFast() {
    try (PostgresCatalog second = PostgresCatalog.open(TestDatabase.options(db))) {
      catalog.create(new TenantInfo(TenantId.of("acme"), "eu", T));
      assertThat(second.find(TenantId.of("acme"))).isPresent();
    }
    catalog.close();
    catalog.close();
    assertThatThrownBy(() -> catalog.list()).isInstanceOf(StoreUnavailableException.class);
    catalog = PostgresCatalog.open(TestDatabase.options(db)); // reopened over the same tables
    assertThat(catalog.list()).hasSize(1);
  }
}
