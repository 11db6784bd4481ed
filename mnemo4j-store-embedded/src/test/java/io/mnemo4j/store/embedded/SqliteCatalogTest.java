package io.mnemo4j.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.spi.Catalog;
import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.testing.CatalogContractTest;
import io.mnemo4j.testing.TestMemories;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog contract on one SQLite file, in a directory the catalog creates itself; and where the
 * embedded backend puts the catalog and the regions.
 */
class SqliteCatalogTest extends CatalogContractTest {
  @TempDir Path dir;

  @Override
  protected Catalog openCatalog() {
    return SqliteCatalog.open(dir.resolve("sub/catalog.db"));
  }

  @Test
  void backend_placesCatalogAndRegionsUnderTheDataDirectory() {
    EmbeddedBackend backend = EmbeddedBackend.create();
    try (Catalog catalog = backend.openCatalog(dir);
        MemoryStore eu = backend.openRegion("eu", dir)) {
      catalog.create(new TenantInfo(TenantId.of("acme"), "eu", T));
      try (TenantStore ts = eu.open(TenantId.of("acme"))) {
        ts.write(TestMemories.puts(TestMemories.memory("m-1", "hello", Scope.tenantWide())));
      }
      assertThat(eu.kind()).isEqualTo("embedded");
    }
    assertThat(Files.isRegularFile(dir.resolve("catalog.db"))).isTrue();
    assertThat(Files.isRegularFile(dir.resolve("eu/acme/memories.db"))).isTrue();
    assertThatThrownBy(() -> backend.openRegion("../x", dir))
        .isInstanceOf(InvalidRequestException.class);
  }
}
