package io.mnemo4j.testing;

import io.mnemo4j.Memory;
import io.mnemo4j.MemoryType;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.filter.FilterEvaluator;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.filter.FilterExpr.Field;
import io.mnemo4j.filter.FilterExpr.Kind;
import io.mnemo4j.filter.FilterExpr.Op;
import io.mnemo4j.filter.FilterExpr.Value;
import io.mnemo4j.spi.ScopeFilter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import org.jspecify.annotations.Nullable;

/**
 * jqwik generators for checking a backend's compiled filters against {@link FilterEvaluator}:
 * memories and filter trees over one narrow vocabulary, so that filters both match and miss. The
 * trees cover every {@link Kind} (the optional world-time fields valid_from, valid_to and
 * expires_at are missing in about half the memories; memory_type and role take each of their
 * values) and are deliberately not typed the way the parser types them (a number against a text
 * field, {@code contains} on a time, NaN): a compiler must agree with the reference semantics on
 * those too. The texts hold what SQL and Lucene get wrong by default: case mapping beyond ASCII,
 * characters above U+FFFF against U+E000..U+FFFF (UTF-16 order), LIKE and wildcard characters;
 * numbers mix longs, doubles, -0.0 and a long a double cannot hold; times differ by a nanosecond.
 * Stateless and thread-safe.
 */
public final class FilterGenerators {
  /** Texts for categories, actors, metadata values and filter operands. */
  public static final List<String> TEXTS =
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

  /** Times for memory and filter times; two differ by a nanosecond. */
  public static final List<Instant> TIMES =
      List.of(
          Instant.parse("1500-01-01T00:00:00Z"),
          Instant.parse("2024-01-01T00:00:00Z"),
          Instant.parse("2024-01-01T00:00:00.000000001Z"),
          Instant.parse("2024-06-01T00:00:00Z"),
          Instant.parse("3000-01-01T00:00:00Z"));

  /** Numbers for metadata values and filter operands: longs and doubles, one beyond 2^53. */
  public static final List<Object> NUMBERS =
      List.of(-1L, 0L, 1L, 3L, -1.0, 0.0, -0.0, 1.0, 2.5, 1e300, 9007199254740993L);

  private static final List<String> WIRE_NAMES =
      Stream.concat(
              Stream.of(MemoryType.values()).map(MemoryType::wireName),
              Stream.of(Role.values()).map(Role::wireName))
          .toList();

  private FilterGenerators() {}

  // ------------------------------------------------------------------------------ memories

  /**
   * One to forty memories with ids {@code m-000001}, {@code m-000002}... in order (so id order is
   * list order) and texts {@code "memo <word> <id>"}, all embedded by {@code embeddingModel}.
   */
  public static Arbitrary<List<Memory>> memories(String embeddingModel) {
    return memory(embeddingModel)
        .list()
        .ofMinSize(1)
        .ofMaxSize(40)
        .map(
            list -> {
              List<Memory> out = new ArrayList<>();
              for (int i = 0; i < list.size(); i++) {
                out.add(numbered(list.get(i), i + 1));
              }
              return out;
            });
  }

  /**
   * One memory with id {@code tmp} and text {@code "memo <word>"}; every filterable field varies.
   */
  public static Arbitrary<Memory> memory(String embeddingModel) {
    Arbitrary<Scope> scope =
        Combinators.combine(
                Arbitraries.of("u1", "u2").injectNull(0.4),
                Arbitraries.of("a1").injectNull(0.6),
                Arbitraries.of("r1").injectNull(0.7))
            .as(Scope::new);
    Arbitrary<Role> role = Arbitraries.of(Role.values()).injectNull(0.3);
    Arbitrary<String> actor = Arbitraries.of(TEXTS).injectNull(0.4);
    Arbitrary<List<String>> categories = Arbitraries.of(TEXTS).list().ofMaxSize(3);
    Arbitrary<Instant> time = Arbitraries.of(TIMES);
    // The optional world-time fields are missing half the time: ne/nin/NOT must match those.
    Arbitrary<Instant> maybeTime = time.injectNull(0.5);
    Arbitrary<Times> times =
        Combinators.combine(time, time, maybeTime, maybeTime, maybeTime).as(Times::new);
    return Combinators.combine(
            scope,
            role,
            actor,
            categories,
            metadata(),
            times,
            Arbitraries.of(MemoryType.values()),
            Arbitraries.of(TEXTS))
        .as(
            (s, r, a, c, md, t, type, word) ->
                new Memory(
                    "tmp",
                    "memo " + word,
                    "h",
                    s,
                    md,
                    c,
                    r,
                    a,
                    t.created(),
                    t.updated(),
                    t.expires(),
                    t.validFrom(),
                    t.validTo(),
                    new Memory.Provenance(Memory.Provenance.VERBATIM, List.of()),
                    embeddingModel,
                    type));
  }

  /** Metadata under some of {@code k1}, {@code k2} and {@code k.3}: scalars, lists, objects. */
  public static Arbitrary<Map<String, Object>> metadata() {
    return Combinators.combine(
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
  }

  private static Memory numbered(Memory m, int n) {
    String id = String.format(Locale.ROOT, "m-%06d", n);
    return new Memory(
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
        m.type());
  }

  private record Times(
      Instant created,
      Instant updated,
      @Nullable Instant expires,
      @Nullable Instant validFrom,
      @Nullable Instant validTo) {}

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

  /** One to four scope filters: everything, within a scope (with or without shared), exact. */
  public static Arbitrary<List<ScopeFilter>> scopes() {
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

  /** Six to twelve filter trees, each at most three logical levels deep. */
  public static Arbitrary<List<FilterExpr>> filters() {
    return tree(3).list().ofMinSize(6).ofMaxSize(12);
  }

  /** A filter tree at most {@code depth} logical levels (and, or, not) deep. */
  public static Arbitrary<FilterExpr> tree(int depth) {
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

  /** A single condition of any operator on any field, or {@code All}. */
  public static Arbitrary<FilterExpr> leaf() {
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

  /**
   * Any field: every {@link Kind}, and metadata keys memories hold and {@code k4}, which none
   * holds.
   */
  public static Arbitrary<Field> field() {
    return Arbitraries.frequencyOf(
        Tuple.of(5, Arbitraries.of("k1", "k2", "k.3", "k4").map(Field::metadata)),
        Tuple.of(6, Arbitraries.of(Kind.values()).filter(k -> k != Kind.METADATA).map(Field::of)));
  }

  /**
   * Any operand: texts (including memory type and role wire names, so those fields match
   * something), numbers (and NaN), booleans and times, whatever the field.
   */
  public static Arbitrary<Value> value() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.of(TEXTS).map(Value.Text::new)),
        Tuple.of(2, Arbitraries.of(WIRE_NAMES).map(Value.Text::new)),
        Tuple.of(
            3,
            Arbitraries.of(NUMBERS)
                .map(n -> new Value.Number(((Number) n).doubleValue()))
                .injectDuplicates(0.1)),
        Tuple.of(1, Arbitraries.just(new Value.Number(Double.NaN))),
        Tuple.of(1, Arbitraries.of(true, false).map(Value.Bool::new)),
        Tuple.of(2, Arbitraries.of(TIMES).map(Value.Time::new)));
  }
}
