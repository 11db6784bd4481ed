package io.mnemo4j.store.postgres;

import io.mnemo4j.Memory;
import io.mnemo4j.TenantId;
import io.mnemo4j.filter.FilterEvaluator;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.testing.FilterGenerators;
import io.mnemo4j.testing.FilterReadPaths;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random memories and random filter trees ({@link FilterGenerators}): count, every page of list,
 * vector search and text search compiled to SQL must select exactly the memories {@link
 * FilterEvaluator} (the reference semantics) and {@link ScopeFilter#test} select. The generated
 * texts include the cases SQL gets wrong by default: case mapping beyond ASCII, characters above
 * U+FFFF against U+E000..U+FFFF (UTF-16 order), SQL LIKE wildcards; numbers mix longs, doubles and
 * -0.0; times differ by a nanosecond. jqwik prints the seed of a failing try and replays it first
 * on the next run.
 */
class FilterPropertiesTest {
  private static String db;
  private static PostgresStore store;
  private static int tenants;

  @BeforeContainer
  static void openStore() {
    db = TestDatabase.create();
    store = PostgresStore.open(TestDatabase.options(db));
  }

  @AfterContainer
  static void closeStore() {
    store.close();
    TestDatabase.drop(db);
  }

  @Property(tries = 50)
  void everyReadPath_selectsWhatTheReferenceEvaluatorSelects(
      @ForAll("memories") List<Memory> memories,
      @ForAll("scopes") List<ScopeFilter> scopes,
      @ForAll("filters") List<FilterExpr> filters) {
    TenantId tenant = TenantId.of("t" + tenants++);
    List<StoredMemory> stored =
        memories.stream().map(m -> new StoredMemory(m, TestMemories.embed(m.text()))).toList();
    try (TenantStore ts = store.open(tenant)) {
      ts.write(TestMemories.puts(stored));
      FilterReadPaths.assertSelectLikeReference(
          ts, memories, scopes, filters, TestMemories.MODEL, TestMemories.embed("memo"));
    } finally {
      store.purge(tenant);
    }
  }

  @Provide
  Arbitrary<List<Memory>> memories() {
    return FilterGenerators.memories(TestMemories.MODEL);
  }

  @Provide
  Arbitrary<List<ScopeFilter>> scopes() {
    return FilterGenerators.scopes();
  }

  @Provide
  Arbitrary<List<FilterExpr>> filters() {
    return FilterGenerators.filters();
  }
}
