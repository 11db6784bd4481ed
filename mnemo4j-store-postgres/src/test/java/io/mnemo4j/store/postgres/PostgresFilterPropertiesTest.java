package io.mnemo4j.store.postgres;

import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.testing.FilterPropertiesContractTest;
import net.jqwik.api.PropertyDefaults;
import org.jspecify.annotations.Nullable;

/**
 * The filter property suite compiled to SQL, in a database of its own (dropped afterwards); each
 * try creates and drops a tenant schema.
 */
@PropertyDefaults(tries = 50)
class PostgresFilterPropertiesTest extends FilterPropertiesContractTest {
  private @Nullable String db;

  @Override
  protected MemoryStore openStore() {
    db = TestDatabase.create();
    return PostgresStore.open(TestDatabase.options(db));
  }

  @Override
  protected void dispose() {
    if (db != null) {
      TestDatabase.drop(db);
    }
  }
}
