package io.mnemo4j.store.postgres;

import io.mnemo4j.spi.Backend;
import io.mnemo4j.testing.TransferContractTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The PostgreSQL store passes the export and import contract, each test in its own database; the
 * two regions live in it under different schema prefixes.
 */
class PostgresTransferContractTest extends TransferContractTest {
  @RegisterExtension final TestDatabase database = new TestDatabase();

  @Override
  protected Backend backend() {
    PostgresOptions local = database.options();
    PostgresOptions eu = local.withSchemaPrefix("mnemo_eu_");
    return PostgresBackend.create(
        local,
        Map.of(
            "local", List.of(new PostgresBackend.Shard("0", local)),
            "eu", List.of(new PostgresBackend.Shard("0", eu))));
  }
}
