package io.mnemo4j.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.ConflictException;
import io.mnemo4j.PurgeReceipt;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.spi.Catalog;
import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.spi.TenantStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteCatalogTest {
  static final Instant T = Instant.parse("2026-01-02T03:04:05.123456789Z");

  @TempDir Path dir;

  @Test
  void create_thenFindAndList_inIdOrder() {
    try (SqliteCatalog catalog = SqliteCatalog.open(dir.resolve("catalog.db"))) {
      TenantInfo globex = new TenantInfo(TenantId.of("globex"), "us", T);
      TenantInfo acme = new TenantInfo(TenantId.of("acme"), "eu", T.plusSeconds(1));
      assertThat(catalog.create(globex)).isEqualTo(globex);
      catalog.create(acme);

      assertThat(catalog.find(TenantId.of("acme"))).contains(acme);
      assertThat(catalog.find(TenantId.of("nobody"))).isEmpty();
      assertThat(catalog.list()).containsExactly(acme, globex);
    }
  }

  @Test
  void create_takenId_isConflict() {
    try (SqliteCatalog catalog = SqliteCatalog.open(dir.resolve("catalog.db"))) {
      catalog.create(new TenantInfo(TenantId.of("acme"), "eu", T));
      assertThatThrownBy(() -> catalog.create(new TenantInfo(TenantId.of("acme"), "us", T)))
          .isInstanceOf(ConflictException.class)
          .hasMessageContaining("acme");
      assertThat(catalog.find(TenantId.of("acme")).orElseThrow().region()).isEqualTo("eu");
    }
  }

  @Test
  void remove_deletesTenantAndKeepsReceipt_acrossReopen() {
    Path file = dir.resolve("sub/catalog.db");
    PurgeReceipt first = new PurgeReceipt("acme", "eu", 3, 4, 2, 17, 123_456, T);
    PurgeReceipt second = new PurgeReceipt("globex", "us", 0, 0, 0, 0, 0, T.minusSeconds(10));
    try (SqliteCatalog catalog = SqliteCatalog.open(file)) {
      catalog.create(new TenantInfo(TenantId.of("acme"), "eu", T));
      catalog.create(new TenantInfo(TenantId.of("globex"), "us", T));
      catalog.remove(TenantId.of("acme"), first);
      catalog.remove(TenantId.of("globex"), second);
      assertThat(catalog.list()).isEmpty();
    }
    try (SqliteCatalog catalog = SqliteCatalog.open(file)) {
      assertThat(catalog.receipts()).containsExactly(first, second);
      assertThat(catalog.find(TenantId.of("acme"))).isEmpty();
      // A purged id can be taken again.
      catalog.create(new TenantInfo(TenantId.of("acme"), "eu", T));
      assertThat(catalog.list()).hasSize(1);
    }
  }

  @Test
  void twoCatalogsOnOneFile_seeEachOthersWrites() {
    Path file = dir.resolve("catalog.db");
    try (SqliteCatalog one = SqliteCatalog.open(file);
        SqliteCatalog two = SqliteCatalog.open(file)) {
      one.create(new TenantInfo(TenantId.of("acme"), "eu", T));
      assertThatThrownBy(() -> two.create(new TenantInfo(TenantId.of("acme"), "eu", T)))
          .isInstanceOf(ConflictException.class);
      two.remove(TenantId.of("acme"), new PurgeReceipt("acme", "eu", 1, 1, 1, 1, 1, T));
      assertThat(one.list()).isEmpty();
      assertThat(one.receipts()).hasSize(1);
    }
  }

  @Test
  void closed_failsWithStoreUnavailable() {
    SqliteCatalog catalog = SqliteCatalog.open(dir.resolve("catalog.db"));
    catalog.close();
    catalog.close();
    assertThatThrownBy(catalog::list).isInstanceOf(StoreUnavailableException.class);
  }

  @Test
  void backend_placesCatalogAndRegionsUnderTheDataDirectory() {
    EmbeddedBackend backend = EmbeddedBackend.create();
    try (Catalog catalog = backend.openCatalog(dir);
        MemoryStore eu = backend.openRegion("eu", dir)) {
      catalog.create(new TenantInfo(TenantId.of("acme"), "eu", T));
      try (TenantStore ts = eu.open(TenantId.of("acme"))) {
        ts.write(
            TestMemories.puts(TestMemories.memory("m-1", "hello", io.mnemo4j.Scope.tenantWide())));
      }
      assertThat(eu.kind()).isEqualTo("embedded");
    }
    assertThat(Files.isRegularFile(dir.resolve("catalog.db"))).isTrue();
    assertThat(Files.isRegularFile(dir.resolve("eu/acme/memories.db"))).isTrue();
    assertThatThrownBy(() -> backend.openRegion("../x", dir))
        .isInstanceOf(io.mnemo4j.InvalidRequestException.class);
  }
}
