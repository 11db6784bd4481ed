package io.mnemo4j.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.ConflictException;
import io.mnemo4j.PurgeReceipt;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.TenantMove;
import io.mnemo4j.TenantMove.Phase;
import io.mnemo4j.spi.ApiKey;
import io.mnemo4j.spi.Catalog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The catalog contract every backend's {@link Catalog} passes: tenants, API keys, purge receipts
 * and data-directory settings, shared by catalogs opened on the same storage (as several processes
 * would). A backend's test extends this class and says only how to open a catalog; there is no
 * opt-out switch.
 */
public abstract class CatalogContractTest {
  /** A time with nanoseconds: catalogs keep every digit. */
  protected static final Instant T = Instant.parse("2026-01-02T03:04:05.123456789Z");

  private final List<Catalog> opened = new ArrayList<>();

  /** The catalog under test, opened before each test. */
  protected Catalog catalog;

  /**
   * Opens a catalog on this test's storage; every call opens another one on the same storage, as
   * another process would.
   */
  protected abstract Catalog openCatalog();

  /** Releases this test's storage once every catalog it opened is closed; nothing by default. */
  protected void dispose() {}

  /** Opens another catalog on this test's storage, closed after the test. */
  protected final Catalog another() {
    Catalog c = openCatalog();
    opened.add(c);
    return c;
  }

  @BeforeEach
  final void openCatalogUnderTest() {
    catalog = another();
  }

  @AfterEach
  final void closeCatalogs() {
    try {
      opened.forEach(Catalog::close);
    } finally {
      dispose();
    }
  }

  @Test
  void create_thenFindAndList_inIdOrder_keepingShardAndNanoseconds() {
    TenantInfo globex = new TenantInfo(TenantId.of("globex"), "us", T);
    TenantInfo acme = new TenantInfo(TenantId.of("acme"), "eu", "shard-2", T);
    TenantInfo beta = new TenantInfo(TenantId.of("beta"), "us", T.plusNanos(1));
    TenantInfo zed = new TenantInfo(TenantId.of("zed"), "eu", T.plusSeconds(1));
    assertThat(catalog.create(globex)).isEqualTo(globex);
    catalog.create(acme);
    catalog.create(zed);
    catalog.create(beta);

    assertThat(catalog.find(TenantId.of("acme"))).contains(acme);
    assertThat(catalog.find(TenantId.of("nobody"))).isEmpty();
    assertThat(catalog.list()).containsExactly(acme, beta, globex, zed);
  }

  @Test
  void moveJournal_recordSwitchEnd_isSeenByAnotherCatalog_andSwitchesRegionAtomically() {
    TenantId acme = TenantId.of("acme");
    catalog.create(new TenantInfo(acme, "eu", T));
    TenantMove copying =
        new TenantMove(acme, "eu", TenantInfo.DEFAULT_SHARD, "us", "s2", Phase.COPYING, T);
    assertThat(catalog.move(acme)).isEmpty();

    catalog.recordMove(copying);
    Catalog other = another();
    assertThat(other.move(acme)).contains(copying);
    assertThat(other.find(acme).orElseThrow().region()).isEqualTo("eu");

    other.switchRegion(copying);
    assertThat(catalog.move(acme)).contains(copying.in(Phase.SWITCHED));
    assertThat(catalog.find(acme)).contains(new TenantInfo(acme, "us", "s2", T));

    catalog.endMove(acme);
    assertThat(other.move(acme)).isEmpty();
    assertThat(other.find(acme).orElseThrow().region()).isEqualTo("us");
  }

  @Test
  void switchRegion_ofAMissingTenant_failsAndRecordsNoSwitch() {
    TenantId ghost = TenantId.of("ghost");
    TenantMove copying =
        new TenantMove(ghost, "eu", TenantInfo.DEFAULT_SHARD, "us", "0", Phase.COPYING, T);
    catalog.recordMove(copying);

    assertThatThrownBy(() -> catalog.switchRegion(copying)).isInstanceOf(RuntimeException.class);
    assertThat(catalog.move(ghost)).contains(copying);
    assertThat(catalog.find(ghost)).isEmpty();
  }

  @Test
  void create_takenId_isConflictNamingIt_andKeepsTheFirst() {
    catalog.create(new TenantInfo(TenantId.of("acme"), "eu", T));

    assertThatThrownBy(() -> catalog.create(new TenantInfo(TenantId.of("acme"), "us", T)))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("acme");
    assertThat(catalog.find(TenantId.of("acme")).orElseThrow().region()).isEqualTo("eu");
  }

  @Test
  void remove_dropsTheTenantAndItsKeys_keepsAdminKeysAndTheReceipt() {
    TenantId acme = TenantId.of("acme");
    catalog.create(new TenantInfo(acme, "eu", T));
    catalog.addKey(new ApiKey("k1", "hash-1", acme, "alice", T));
    catalog.addKey(new ApiKey("k2", "hash-2", null, null, T));
    PurgeReceipt receipt = new PurgeReceipt("acme", "eu", 3, 4, 5, 0, 1234, T.plusSeconds(1));

    catalog.remove(acme, receipt);

    assertThat(catalog.find(acme)).isEmpty();
    assertThat(catalog.list()).isEmpty();
    assertThat(catalog.findKeyByHash("hash-1")).isEmpty();
    assertThat(catalog.findKeyByHash("hash-2")).isPresent(); // admin keys stay
    assertThat(catalog.receipts()).containsExactly(receipt);
  }

  @Test
  void receipts_keepTheirOrderAcrossReopen_andAPurgedIdCanBeTakenAgain() {
    PurgeReceipt first = new PurgeReceipt("acme", "eu", 3, 4, 2, 17, 123_456, T);
    PurgeReceipt second = new PurgeReceipt("globex", "us", 0, 0, 0, 0, 0, T.minusSeconds(10));
    catalog.create(new TenantInfo(TenantId.of("acme"), "eu", T));
    catalog.create(new TenantInfo(TenantId.of("globex"), "us", T));
    catalog.remove(TenantId.of("acme"), first);
    catalog.remove(TenantId.of("globex"), second);
    assertThat(catalog.list()).isEmpty();
    catalog.close();

    Catalog reopened = another();
    assertThat(reopened.receipts()).containsExactly(first, second);
    assertThat(reopened.find(TenantId.of("acme"))).isEmpty();
    reopened.create(new TenantInfo(TenantId.of("acme"), "eu", T));
    assertThat(reopened.list()).hasSize(1);
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

  /**
   * Regression: the SQLite catalog keeps times as ISO text, and ordered keys by that text, so a key
   * created at {@code ...00.123Z} was listed after one created at {@code ...00.123456Z}.
   */
  @Test
  void keys_whoseTimesHaveFractionsOfOtherLengths_listInCreationOrder() {
    TenantId acme = TenantId.of("acme");
    Instant second = Instant.parse("2026-01-02T03:04:05Z");
    ApiKey earlier = new ApiKey("k-b", "hash-b", acme, null, second.plusMillis(123));
    ApiKey later = new ApiKey("k-a", "hash-a", acme, null, second.plusNanos(123_456_000));
    catalog.addKey(later);
    catalog.addKey(earlier);
    assertThat(catalog.keys(Optional.of(acme))).containsExactly(earlier, later);
  }

  @Test
  void twoCatalogsOnOneStorage_seeEachOthersWrites() {
    Catalog two = another();
    catalog.create(new TenantInfo(TenantId.of("acme"), "eu", T));
    assertThat(two.find(TenantId.of("acme"))).isPresent();
    assertThatThrownBy(() -> two.create(new TenantInfo(TenantId.of("acme"), "eu", T)))
        .isInstanceOf(ConflictException.class);

    two.remove(TenantId.of("acme"), new PurgeReceipt("acme", "eu", 1, 1, 1, 1, 1, T));
    assertThat(catalog.list()).isEmpty();
    assertThat(catalog.receipts()).hasSize(1);
  }

  @Test
  void closed_failsWithStoreUnavailable_closeIsIdempotent_andReopenSeesTheData() {
    catalog.create(new TenantInfo(TenantId.of("acme"), "eu", T));
    catalog.close();
    catalog.close();

    assertThatThrownBy(catalog::list).isInstanceOf(StoreUnavailableException.class);
    assertThat(another().list()).hasSize(1);
  }

  @Test
  void settings_recordTheFirstValueOnly_forEveryCatalogOnTheStorage() {
    assertThat(catalog.setting("embedding_model")).isEmpty();

    assertThat(catalog.recordSetting("embedding_model", "model-a")).isEqualTo("model-a");
    Catalog two = another();
    assertThat(two.recordSetting("embedding_model", "model-b")).isEqualTo("model-a");
    assertThat(two.setting("embedding_model")).contains("model-a");
    assertThat(catalog.setting("other")).isEmpty();
    two.replaceSetting("embedding_model", "model-b");
    assertThat(catalog.setting("embedding_model")).contains("model-b");
    catalog.replaceSetting("embedding_model", "");
    assertThat(two.setting("embedding_model")).isEmpty();
    assertThat(catalog.recordSetting("embedding_model", "model-c")).isEqualTo("model-c");
  }
}
