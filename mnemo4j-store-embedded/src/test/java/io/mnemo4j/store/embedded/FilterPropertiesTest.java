package io.mnemo4j.store.embedded;

import io.mnemo4j.Memory;
import io.mnemo4j.TenantId;
import io.mnemo4j.filter.FilterEvaluator;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.testing.FilterGenerators;
import io.mnemo4j.testing.FilterReadPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random memories and random filter trees ({@link FilterGenerators}): count, every page of list,
 * vector search and text search must select exactly the memories {@link FilterEvaluator} (the
 * reference semantics) and {@link ScopeFilter#test} select, on every field: the optional world-time
 * fields (valid_from, valid_to, expires_at) are missing in about half the memories, and memory_type
 * takes each of its values. jqwik prints the seed of a failing try and replays it first on the next
 * run.
 */
class FilterPropertiesTest {
  private static Path root;
  private static EmbeddedStore store;
  private static int tenants;

  @BeforeContainer
  static void openStore() throws IOException {
    root = Files.createTempDirectory("mnemo-filter-props");
    store = EmbeddedStore.open(root);
  }

  @AfterContainer
  static void closeStore() throws IOException {
    store.close();
    FileTrees.deleteRecursively(root);
  }

  @Property(tries = 60)
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
