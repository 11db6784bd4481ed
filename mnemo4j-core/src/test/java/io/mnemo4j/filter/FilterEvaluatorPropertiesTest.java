package io.mnemo4j.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.Memory;
import io.mnemo4j.filter.FilterArbitraries.Vocabulary;
import io.mnemo4j.filter.FilterExpr.And;
import io.mnemo4j.filter.FilterExpr.Compare;
import io.mnemo4j.filter.FilterExpr.Field;
import io.mnemo4j.filter.FilterExpr.In;
import io.mnemo4j.filter.FilterExpr.Not;
import io.mnemo4j.filter.FilterExpr.Op;
import io.mnemo4j.filter.FilterExpr.Or;
import io.mnemo4j.filter.FilterExpr.Value;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;

/**
 * Laws the reference evaluator obeys, on generated filters and memories. jqwik prints each
 * property's seed.
 */
class FilterEvaluatorPropertiesTest {
  private static final Vocabulary V = Vocabulary.narrow();

  static boolean eval(FilterExpr f, Memory m) {
    return FilterEvaluator.matches(f, m);
  }

  @Property(tries = 1000)
  void matches_doubleNegation_isIdentity(@ForAll("tree") FilterExpr f, @ForAll("memory") Memory m) {
    assertThat(eval(new Not(new Not(f)), m)).isEqualTo(eval(f, m));
    assertThat(eval(new Not(f), m)).isEqualTo(!eval(f, m));
  }

  @Property(tries = 1000)
  void matches_ne_isNotEq(
      @ForAll("fieldAndValue") Tuple2<Field, Value> fv, @ForAll("memory") Memory m) {
    FilterExpr eq = new Compare(fv.get1(), Op.EQ, fv.get2());
    assertThat(eval(new Compare(fv.get1(), Op.NE, fv.get2()), m)).isEqualTo(eval(new Not(eq), m));
  }

  @Property(tries = 1000)
  void matches_nin_isNotIn(
      @ForAll("fieldAndValues") Tuple2<Field, List<Value>> fv, @ForAll("memory") Memory m) {
    FilterExpr in = new In(fv.get1(), fv.get2(), false);
    assertThat(eval(new In(fv.get1(), fv.get2(), true), m)).isEqualTo(eval(new Not(in), m));
  }

  @Property(tries = 1000)
  void matches_in_isOrOfEq(
      @ForAll("fieldAndValues") Tuple2<Field, List<Value>> fv, @ForAll("memory") Memory m) {
    List<FilterExpr> eqs =
        fv.get2().stream().map(v -> (FilterExpr) new Compare(fv.get1(), Op.EQ, v)).toList();
    assertThat(eval(new In(fv.get1(), fv.get2(), false), m)).isEqualTo(eval(new Or(eqs), m));
  }

  /**
   * Booleans have equality but no order: {@code gte true} never matches, so they are left out here.
   */
  @Property(tries = 1000)
  void matches_gteAndLte_areStrictOrEqual(
      @ForAll("fieldAndValue") Tuple2<Field, Value> fv, @ForAll("memory") Memory m) {
    Field f = fv.get1();
    Value v = fv.get2();
    if (v instanceof Value.Bool) {
      for (Op op : List.of(Op.GT, Op.GTE, Op.LT, Op.LTE)) {
        assertThat(eval(new Compare(f, op, v), m)).isFalse();
      }
      return;
    }
    FilterExpr eq = new Compare(f, Op.EQ, v);
    assertThat(eval(new Compare(f, Op.GTE, v), m))
        .isEqualTo(eval(new Or(List.of(new Compare(f, Op.GT, v), eq)), m));
    assertThat(eval(new Compare(f, Op.LTE, v), m))
        .isEqualTo(eval(new Or(List.of(new Compare(f, Op.LT, v), eq)), m));
  }

  @Property(tries = 1000)
  void matches_deMorgan_holds(
      @ForAll("tree") FilterExpr a, @ForAll("tree") FilterExpr b, @ForAll("memory") Memory m) {
    assertThat(eval(new Not(new And(List.of(a, b))), m))
        .isEqualTo(eval(new Or(List.of(new Not(a), new Not(b))), m));
    assertThat(eval(new Not(new Or(List.of(a, b))), m))
        .isEqualTo(eval(new And(List.of(new Not(a), new Not(b))), m));
  }

  @Property(tries = 500)
  void matches_afterJsonRoundTrip_isUnchanged(
      @ForAll("tree") FilterExpr f, @ForAll("memory") Memory m) {
    assertThat(eval(FilterParser.parse(FilterParser.toJson(f)), m)).isEqualTo(eval(f, m));
  }

  @Provide
  Arbitrary<FilterExpr> tree() {
    return FilterArbitraries.tree(V, 3);
  }

  @Provide
  Arbitrary<Memory> memory() {
    return FilterArbitraries.memory();
  }

  @Provide
  Arbitrary<Tuple2<Field, Value>> fieldAndValue() {
    return FilterArbitraries.field(V)
        .flatMap(f -> FilterArbitraries.value(V, f).map(v -> Tuple.of(f, v)));
  }

  @Provide
  Arbitrary<Tuple2<Field, List<Value>>> fieldAndValues() {
    return FilterArbitraries.field(V)
        .flatMap(
            f ->
                FilterArbitraries.value(V, f)
                    .list()
                    .ofMinSize(1)
                    .ofMaxSize(3)
                    .map(vs -> Tuple.of(f, vs)));
  }
}
