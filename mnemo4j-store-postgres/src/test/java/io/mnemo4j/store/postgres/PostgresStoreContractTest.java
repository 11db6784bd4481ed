package io.mnemo4j.store.postgres;

import io.mnemo4j.spi.Backend;
import io.mnemo4j.testing.MemoryStoreContractTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The PostgreSQL store passes the shared storage contract, with no opt-outs. Each test gets its own
 * database (the contract reuses tenant names across tests); the two regions the contract names live
 * in it under different schema prefixes.
 */
class PostgresStoreContractTest extends MemoryStoreContractTest {
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
