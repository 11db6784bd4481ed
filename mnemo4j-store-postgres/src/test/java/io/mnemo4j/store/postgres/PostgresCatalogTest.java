package io.mnemo4j.store.postgres;

import io.mnemo4j.spi.Catalog;
import io.mnemo4j.testing.CatalogContractTest;
import org.jspecify.annotations.Nullable;

/** The catalog contract in a database of its own per test, dropped afterwards. */
class PostgresCatalogTest extends CatalogContractTest {
  private @Nullable String db;

  @Override
  protected Catalog openCatalog() {
    if (db == null) {
      db = TestDatabase.create();
    }
    return PostgresCatalog.open(TestDatabase.options(db));
  }

  @Override
  protected void dispose() {
    if (db != null) {
      TestDatabase.drop(db);
    }
  }
}
