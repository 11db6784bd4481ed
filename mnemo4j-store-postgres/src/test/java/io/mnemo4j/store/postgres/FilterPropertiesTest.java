package io.mnemo4j.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.Memory;
import io.mnemo4j.MemoryType;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantId;
import io.mnemo4j.filter.FilterEvaluator;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.filter.FilterExpr.Field;
import io.mnemo4j.filter.FilterExpr.Kind;
import io.mnemo4j.filter.FilterExpr.Op;
import io.mnemo4j.filter.FilterExpr.Value;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random memories and random filter trees: count, every page of list, vector search and text search
 * compiled to SQL must select exactly the memories {@link FilterEvaluator} (the reference
 * semantics) and {@link ScopeFilter#test} select. The texts include the cases SQL gets wrong by
 * default: case mapping beyond ASCII, characters above U+FFFF against U+E000..U+FFFF (UTF-16
 * order), SQL LIKE wildcards; numbers mix longs, doubles and -0.0; times differ by a nanosecond.
 * jqwik prints the seed of a failing try and replays it first on the next run.
 */
class FilterPropertiesTest {
  private static final List<String> TEXTS =
      List.of(
          "a",
          "A",
          "b",
          "ab",
          "Ab",
          "ba",
          "u1",
          "*",
          "?",
          "%",
          "_",
          "\\",
          "'",
          "é",
          "É",
          "İx",
          "ΣΑΣ",
          "\uD834\uDD1Ex",
          "\uFFFDz",
          "\uE000",
          "");
  private static final List<Instant> TIMES =
      List.of(
          Instant.parse("1500-01-01T00:00:00Z"),
          Instant.parse("2024-01-01T00:00:00Z"),
          Instant.parse("2024-01-01T00:00:00.000000001Z"),
          Instant.parse("2024-06-01T00:00:00Z"),
          Instant.parse("3000-01-01T00:00:00Z"));
  private static final List<Object> NUMBERS =
      List.of(-1L, 0L, 1L, 3L, -1.0, 0.0, -0.0, 1.0, 2.5, 1e300, 9007199254740993L);

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

        assertThat(ts.count(scope, filter)).as(why).isEqualTo(expected.size());
        assertThat(listAll(ts, scope, filter)).as(why).containsExactlyElementsOf(expected);
        List<ScoredId> dense =
            ts.vectorSearch(
                TestMemories.MODEL, TestMemories.embed("memo"), scope, filter, memories.size());
        assertThat(new TreeSet<>(dense.stream().map(ScoredId::id).toList()))
            .as(why)
            .containsExactlyElementsOf(expected);
        List<ScoredId> text = ts.textSearch("memo", scope, filter, memories.size());
        assertThat(new TreeSet<>(text.stream().map(ScoredId::id).toList()))
            .as(why)
            .containsExactlyElementsOf(expected);
      }
    } finally {
      store.purge(tenant);
    }
  }

  private static List<String> listAll(TenantStore ts, ScopeFilter scope, FilterExpr filter) {
    List<String> out = new ArrayList<>();
    PageRequest request = PageRequest.first(7);
    while (true) {
      Page<StoredMemory> page = ts.list(scope, filter, request);
      page.items().forEach(m -> out.add(m.id()));
      if (page.nextCursor() == null) {
        return out;
      }
      request = PageRequest.after(page.nextCursor(), 7);
    }
  }

  // ------------------------------------------------------------------------------ memories

  @Provide
  Arbitrary<List<Memory>> memories() {
    return memory()
        .list()
        .ofMinSize(1)
        .ofMaxSize(40)
        .map(
            list -> {
              List<Memory> out = new ArrayList<>();
              for (int i = 0; i < list.size(); i++) {
                Memory m = list.get(i);
                String id = TestMemories.id(i + 1);
                out.add(
                    new Memory(
                        id,
                        m.text() + " " + id,
                        m.hash(),
                        m.scope(),
                        m.metadata(),
                        m.categories(),
                        m.role(),
                        m.actor(),
                        m.createdAt(),
                        m.updatedAt(),
                        m.expiresAt(),
                        m.validFrom(),
                        m.validTo(),
                        m.provenance(),
                        m.embeddingModel(),
                        m.type()));
              }
              return out;
            });
  }

  private static Arbitrary<Memory> memory() {
    Arbitrary<Scope> scope =
        Combinators.combine(
                Arbitraries.of("u1", "u2").injectNull(0.4),
                Arbitraries.of("a1").injectNull(0.6),
                Arbitraries.of("r1").injectNull(0.7))
            .as(Scope::new);
    Arbitrary<Role> role = Arbitraries.of(Role.USER, Role.ASSISTANT).injectNull(0.3);
    Arbitrary<String> actor = Arbitraries.of(TEXTS).injectNull(0.4);
    Arbitrary<List<String>> categories = Arbitraries.of(TEXTS).list().ofMaxSize(3);
    Arbitrary<Map<String, Object>> metadata =
        Combinators.combine(
                metadataValue().injectNull(0.4),
                metadataValue().injectNull(0.4),
                metadataValue().injectNull(0.5))
            .as(
                (v1, v2, v3) -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  if (v1 != null) {
                    m.put("k1", v1);
                  }
                  if (v2 != null) {
                    m.put("k2", v2);
                  }
                  if (v3 != null) {
                    m.put("k.3", v3);
                  }
                  return m;
                });
    Arbitrary<Instant> time = Arbitraries.of(TIMES);
    Arbitrary<Instant> optionalTime = Arbitraries.of(TIMES).injectNull(0.5);
    Arbitrary<Instant[]> world =
        Combinators.combine(optionalTime, optionalTime, optionalTime)
            .as((expires, from, to) -> new Instant[] {expires, from, to});
    return Combinators.combine(
            scope,
            role,
            actor,
            categories,
            metadata,
            Combinators.combine(time, time, world).as((c, u, w) -> new Object[] {c, u, w}),
            Arbitraries.of(MemoryType.values()),
            Arbitraries.of(TEXTS))
        .as(
            (s, r, a, c, md, times, type, word) -> {
              Instant[] w = (Instant[]) times[2];
              return new Memory(
                  "tmp",
                  "memo " + word,
                  "h",
                  s,
                  md,
                  c,
                  r,
                  a,
                  (Instant) times[0],
                  (Instant) times[1],
                  w[0],
                  w[1],
                  w[2],
                  new Memory.Provenance("verbatim", List.of()),
                  TestMemories.MODEL,
                  type);
            });
  }

  private static Arbitrary<Object> scalar() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.of(TEXTS).map(o -> (Object) o)),
        Tuple.of(3, Arbitraries.of(NUMBERS)),
        Tuple.of(1, Arbitraries.of(true, false).map(o -> (Object) o)));
  }

  private static Arbitrary<Object> metadataValue() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, scalar()),
        Tuple.of(
            3,
            Arbitraries.frequencyOf(
                    Tuple.of(6, scalar()),
                    Tuple.of(1, Arbitraries.just((Object) Map.of("x", "a"))),
                    Tuple.of(1, Arbitraries.just((Object) List.of("a", 1L))))
                .list()
                .ofMaxSize(3)
                .map(l -> (Object) l)),
        Tuple.of(1, Arbitraries.just((Object) Map.of("a", List.of("a", 1L)))));
  }

  // ------------------------------------------------------------------------------ filters

  @Provide
  Arbitrary<List<ScopeFilter>> scopes() {
    Arbitrary<Scope> selector =
        Combinators.combine(
                Arbitraries.of("u1", "u2", "u3").injectNull(0.3),
                Arbitraries.of("a1").injectNull(0.6),
                Arbitraries.of("r1").injectNull(0.7))
            .as(Scope::new);
    Arbitrary<ScopeFilter> within =
        Combinators.combine(selector.filter(s -> !s.isTenantWide()), Arbitraries.of(true, false))
            .as(ScopeFilter.Within::new);
    Arbitrary<ScopeFilter> exact = selector.map(ScopeFilter.Exact::new);
    return Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.just((ScopeFilter) new ScopeFilter.Everything())),
            Tuple.of(2, within),
            Tuple.of(1, exact))
        .list()
        .ofMinSize(1)
        .ofMaxSize(4);
  }

  @Provide
  Arbitrary<List<FilterExpr>> filters() {
    return tree(3).list().ofMinSize(6).ofMaxSize(12);
  }

  private static Arbitrary<FilterExpr> tree(int depth) {
    if (depth == 0) {
      return leaf();
    }
    Arbitrary<FilterExpr> child = Arbitraries.lazy(() -> tree(depth - 1));
    return Arbitraries.frequencyOf(
        Tuple.of(6, leaf()),
        Tuple.of(2, child.list().ofMinSize(1).ofMaxSize(3).map(FilterExpr.And::new)),
        Tuple.of(2, child.list().ofMinSize(1).ofMaxSize(3).map(FilterExpr.Or::new)),
        Tuple.of(1, child.map(FilterExpr.Not::new)));
  }

  private static Arbitrary<Field> field() {
    return Arbitraries.frequencyOf(
        Tuple.of(5, Arbitraries.of("k1", "k2", "k.3", "k4").map(Field::metadata)),
        Tuple.of(6, Arbitraries.of(Kind.values()).filter(k -> k != Kind.METADATA).map(Field::of)));
  }

  private static Arbitrary<Value> value() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.of(TEXTS).map(Value.Text::new)),
        Tuple.of(
            1,
            Arbitraries.of("episodic", "semantic", "procedural", "user", "assistant")
                .map(Value.Text::new)),
        Tuple.of(
            3,
            Arbitraries.of(NUMBERS)
                .map(n -> new Value.Number(((Number) n).doubleValue()))
                .injectDuplicates(0.1)),
        Tuple.of(1, Arbitraries.just(new Value.Number(Double.NaN))),
        Tuple.of(1, Arbitraries.of(true, false).map(Value.Bool::new)),
        Tuple.of(2, Arbitraries.of(TIMES).map(Value.Time::new)));
  }

  private static Arbitrary<FilterExpr> leaf() {
    Arbitrary<FilterExpr> compare =
        Combinators.combine(field(), Arbitraries.of(Op.values()), value())
            .as(FilterExpr.Compare::new);
    Arbitrary<FilterExpr> in =
        Combinators.combine(
                field(), value().list().ofMinSize(1).ofMaxSize(4), Arbitraries.of(true, false))
            .as(FilterExpr.In::new);
    Arbitrary<FilterExpr> contains =
        Combinators.combine(field(), Arbitraries.of(TEXTS), Arbitraries.of(true, false))
            .as(FilterExpr.Contains::new);
    Arbitrary<FilterExpr> present = field().map(FilterExpr.Present::new);
    return Arbitraries.frequencyOf(
        Tuple.of(6, compare),
        Tuple.of(2, in),
        Tuple.of(2, contains),
        Tuple.of(1, present),
        Tuple.of(1, Arbitraries.just((FilterExpr) new FilterExpr.All())));
  }
}
