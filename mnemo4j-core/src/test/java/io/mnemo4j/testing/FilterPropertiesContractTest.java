package io.mnemo4j.testing;

import io.mnemo4j.Memory;
import io.mnemo4j.TenantId;
import io.mnemo4j.filter.FilterEvaluator;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * The filter language on every read path of a backend: for random memories and random filter trees
 * ({@link FilterGenerators}), count, every page of list, vector search and text search must select
 * exactly the memories {@link FilterEvaluator} (the reference semantics) and {@link
 * ScopeFilter#test} select ({@link FilterReadPaths}), on every field. The optional world-time
 * fields (valid_from, valid_to, expires_at) are missing in about half the memories and memory_type
 * takes each of its values; texts include what a backend gets wrong by default: case mapping beyond
 * ASCII, characters above U+FFFF against U+E000..U+FFFF (UTF-16 order), SQL LIKE wildcards; numbers
 * mix longs, doubles and -0.0; times differ by a nanosecond. A backend's test extends this class
 * and says only how to open its store (and may set the number of tries with {@link
 * PropertyDefaults}). jqwik prints the seed of a failing try and replays it first on the next run.
 */
@PropertyDefaults(tries = 50)
public abstract class FilterPropertiesContractTest {
  private MemoryStore store;
  private int tenants;

  /** Opens the store under test, once for the property. */
  protected abstract MemoryStore openStore();

  /** Releases what {@link #openStore} took once the store is closed; nothing by default. */
  protected void dispose() {}

  @BeforeProperty
  final void openStoreUnderTest() {
    store = openStore();
  }

  @AfterProperty
  final void closeStoreUnderTest() {
    try {
      store.close();
    } finally {
      dispose();
    }
  }

  @Property
  void everyReadPath_selectsWhatTheReferenceEvaluatorSelects(
      @ForAll("memories") List<Memory> memories,
      @ForAll("scopes") List<ScopeFilter> scopes,
      @ForAll("filters") List<FilterExpr> filters) {
    TenantId tenant = TenantId.of("t" + tenants++);
    List<StoredMemory> stored =
        memories.stream().map(m -> new StoredMemory(m, TestEmbeddings.embed(m.text()))).toList();
    try (TenantStore ts = store.open(tenant)) {
      ts.write(TestMemories.puts(stored));
      FilterReadPaths.assertSelectLikeReference(
          ts, memories, scopes, filters, TestEmbeddings.MODEL, TestEmbeddings.embed("memo"));
    } finally {
      store.purge(tenant);
    }
  }

  @Provide
  Arbitrary<List<Memory>> memories() {
    return FilterGenerators.memories(TestEmbeddings.MODEL);
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
