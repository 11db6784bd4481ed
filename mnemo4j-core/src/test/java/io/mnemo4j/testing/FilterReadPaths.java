package io.mnemo4j.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.Memory;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.filter.FilterEvaluator;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The check behind a backend's filter property test: count, every page of list, vector search and
 * text search must select exactly the memories that {@link ScopeFilter#test} and {@link
 * FilterEvaluator} (the reference semantics) select. Stateless and thread-safe.
 */
public final class FilterReadPaths {
  private static final int PAGE_SIZE = 7;

  private FilterReadPaths() {}

  /**
   * Asserts every read path of {@code store}, which holds exactly {@code memories} (texts all
   * containing the word {@code memo}, ids in list order), against the reference for each filter in
   * turn, under the scopes in rotation; {@code query} is {@code model}'s embedding of {@code memo}.
   */
  public static void assertSelectLikeReference(
      TenantStore store,
      List<Memory> memories,
      List<ScopeFilter> scopes,
      List<FilterExpr> filters,
      String model,
      float[] query) {
    for (int i = 0; i < filters.size(); i++) {
      ScopeFilter scope = scopes.get(i % scopes.size());
      FilterExpr filter = filters.get(i);
      List<String> expected =
          memories.stream()
              .filter(m -> scope.test(m.scope()) && FilterEvaluator.matches(filter, m))
              .map(Memory::id)
              .sorted()
              .toList();
      String why = "scope " + scope + " filter " + filter;

      assertThat(store.count(scope, filter)).as(why).isEqualTo(expected.size());
      assertThat(listAll(store, scope, filter)).as(why).containsExactlyElementsOf(expected);
      List<ScoredId> dense = store.vectorSearch(model, query, scope, filter, memories.size());
      assertThat(new TreeSet<>(dense.stream().map(ScoredId::id).toList()))
          .as(why)
          .containsExactlyElementsOf(expected);
      List<ScoredId> text = store.textSearch("memo", scope, filter, memories.size());
      assertThat(new TreeSet<>(text.stream().map(ScoredId::id).toList()))
          .as(why)
          .containsExactlyElementsOf(expected);
    }
  }

  private static List<String> listAll(TenantStore store, ScopeFilter scope, FilterExpr filter) {
    List<String> out = new ArrayList<>();
    PageRequest request = PageRequest.first(PAGE_SIZE);
    while (true) {
      Page<StoredMemory> page = store.list(scope, filter, request);
      page.items().forEach(m -> out.add(m.id()));
      if (page.nextCursor() == null) {
        return out;
      }
      request = PageRequest.after(page.nextCursor(), PAGE_SIZE);
    }
  }
}
