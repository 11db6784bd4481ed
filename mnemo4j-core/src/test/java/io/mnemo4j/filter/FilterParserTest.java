package io.mnemo4j.filter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import io.mnemo4j.filter.FilterExpr.All;
import io.mnemo4j.filter.FilterExpr.And;
import io.mnemo4j.filter.FilterExpr.Compare;
import io.mnemo4j.filter.FilterExpr.Contains;
import io.mnemo4j.filter.FilterExpr.Field;
import io.mnemo4j.filter.FilterExpr.In;
import io.mnemo4j.filter.FilterExpr.Kind;
import io.mnemo4j.filter.FilterExpr.Not;
import io.mnemo4j.filter.FilterExpr.Op;
import io.mnemo4j.filter.FilterExpr.Or;
import io.mnemo4j.filter.FilterExpr.Present;
import io.mnemo4j.filter.FilterExpr.Value;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What valid filters parse to, and how trees render back. Errors are in {@link
 * FilterParserErrorTest}.
 */
class FilterParserTest {
  private static final Field USER = Field.of(Kind.USER_ID);
  private static final Field CREATED = Field.of(Kind.CREATED_AT);
  private static final Field CATEGORIES = Field.of(Kind.CATEGORIES);

  /** JSON with single quotes for readability. */
  static FilterExpr parse(String singleQuoted) {
    return FilterParser.parse(singleQuoted.replace('\'', '"'));
  }

  static Compare eq(Field field, Value value) {
    return new Compare(field, Op.EQ, value);
  }

  static Value.Text text(String s) {
    return new Value.Text(s);
  }

  @Test
  void parse_emptyObject_isAll() {
    assertThat(parse("{}")).isEqualTo(new All());
    assertThat(parse(" { } ")).isEqualTo(new All());
  }

  @Test
  void parse_nullInputs_areAll() {
    assertThat(FilterParser.parse("null")).isEqualTo(new All());
    assertThat(FilterParser.parse((String) null)).isEqualTo(new All());
    assertThat(FilterParser.parse((com.fasterxml.jackson.databind.JsonNode) null))
        .isEqualTo(new All());
    assertThat(FilterParser.parse(NullNode.getInstance())).isEqualTo(new All());
    assertThat(FilterParser.parse(JsonNodeFactory.instance.missingNode())).isEqualTo(new All());
    assertThat(FilterParser.parse((Map<String, ?>) null)).isEqualTo(new All());
    assertThat(FilterParser.parse(Map.of())).isEqualTo(new All());
  }

  @Test
  void parse_scalarOnEachTextField_isEq() {
    assertThat(parse("{'user_id':'u1'}")).isEqualTo(eq(USER, text("u1")));
    assertThat(parse("{'agent_id':'a1'}")).isEqualTo(eq(Field.of(Kind.AGENT_ID), text("a1")));
    assertThat(parse("{'run_id':'r1'}")).isEqualTo(eq(Field.of(Kind.RUN_ID), text("r1")));
    assertThat(parse("{'actor':'Bob'}")).isEqualTo(eq(Field.of(Kind.ACTOR), text("Bob")));
    assertThat(parse("{'categories':'food'}")).isEqualTo(eq(CATEGORIES, text("food")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"user", "assistant", "system", "tool"})
  void parse_roleWireName_isEqOnText(String role) {
    assertThat(parse("{'role':'" + role + "'}")).isEqualTo(eq(Field.of(Kind.ROLE), text(role)));
  }

  @Test
  void parse_metadataScalars_areTyped() {
    assertThat(parse("{'metadata.source':'email'}"))
        .isEqualTo(eq(Field.metadata("source"), text("email")));
    assertThat(parse("{'metadata.n':3}")).isEqualTo(eq(Field.metadata("n"), new Value.Number(3)));
    assertThat(parse("{'metadata.x':2.5}"))
        .isEqualTo(eq(Field.metadata("x"), new Value.Number(2.5)));
    assertThat(parse("{'metadata.x':-0.0}"))
        .isEqualTo(eq(Field.metadata("x"), new Value.Number(0.0)));
    assertThat(parse("{'metadata.ok':true}"))
        .isEqualTo(eq(Field.metadata("ok"), new Value.Bool(true)));
    assertThat(parse("{'metadata.big':123456789012345678901234567890}"))
        .isEqualTo(eq(Field.metadata("big"), new Value.Number(1.2345678901234568e29)));
  }

  @Test
  void parse_metadataObjectAndDottedForms_areEqual() {
    assertThat(parse("{'metadata':{'source':'email'}}"))
        .isEqualTo(parse("{'metadata.source':'email'}"));
    assertThat(parse("{'metadata':{'a':1,'b':'*'}}"))
        .isEqualTo(
            new And(
                List.of(
                    eq(Field.metadata("a"), new Value.Number(1)),
                    new Present(Field.metadata("b")))));
  }

  @Test
  void parse_dottedMetadataKey_isTakenVerbatim() {
    assertThat(parse("{'metadata.a.b':1}"))
        .isEqualTo(eq(Field.metadata("a.b"), new Value.Number(1)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "user_id",
        "agent_id",
        "run_id",
        "created_at",
        "updated_at",
        "categories",
        "role",
        "actor"
      })
  void parse_wildcardOnField_isPresent(String field) {
    assertThat(parse("{'" + field + "':'*'}")).isInstanceOf(Present.class);
    assertThat(((Present) parse("{'" + field + "':'*'}")).field().kind().name())
        .isEqualTo(field.toUpperCase());
  }

  @Test
  void parse_wildcardOnMetadata_isPresent() {
    assertThat(parse("{'metadata':{'k':'*'}}")).isEqualTo(new Present(Field.metadata("k")));
  }

  @Test
  void parse_eqOperatorWithStar_isLiteralText() {
    assertThat(parse("{'metadata.k':{'eq':'*'}}")).isEqualTo(eq(Field.metadata("k"), text("*")));
  }

  @Test
  void parse_eachComparisonOperator_isCompare() {
    Field n = Field.metadata("n");
    assertThat(parse("{'metadata.n':{'eq':1}}"))
        .isEqualTo(new Compare(n, Op.EQ, new Value.Number(1)));
    assertThat(parse("{'metadata.n':{'ne':1}}"))
        .isEqualTo(new Compare(n, Op.NE, new Value.Number(1)));
    assertThat(parse("{'metadata.n':{'gt':1}}"))
        .isEqualTo(new Compare(n, Op.GT, new Value.Number(1)));
    assertThat(parse("{'metadata.n':{'gte':1}}"))
        .isEqualTo(new Compare(n, Op.GTE, new Value.Number(1)));
    assertThat(parse("{'metadata.n':{'lt':1}}"))
        .isEqualTo(new Compare(n, Op.LT, new Value.Number(1)));
    assertThat(parse("{'metadata.n':{'lte':1}}"))
        .isEqualTo(new Compare(n, Op.LTE, new Value.Number(1)));
    assertThat(parse("{'user_id':{'ne':'u1'}}")).isEqualTo(new Compare(USER, Op.NE, text("u1")));
  }

  @Test
  void parse_inAndNin_areIn() {
    assertThat(parse("{'user_id':{'in':['u1','u2']}}"))
        .isEqualTo(new In(USER, List.of(text("u1"), text("u2")), false));
    assertThat(parse("{'categories':{'nin':['spam']}}"))
        .isEqualTo(new In(CATEGORIES, List.of(text("spam")), true));
    assertThat(parse("{'metadata.v':{'in':['a',1,true]}}"))
        .isEqualTo(
            new In(
                Field.metadata("v"),
                List.of(text("a"), new Value.Number(1), new Value.Bool(true)),
                false));
    assertThat(parse("{'created_at':{'in':['2024-01-31']}}"))
        .isEqualTo(
            new In(CREATED, List.of(new Value.Time(Instant.parse("2024-01-31T00:00:00Z"))), false));
  }

  @Test
  void parse_containsAndIcontains_areContains() {
    assertThat(parse("{'categories':{'contains':'fin'}}"))
        .isEqualTo(new Contains(CATEGORIES, "fin", false));
    assertThat(parse("{'actor':{'icontains':'BO'}}"))
        .isEqualTo(new Contains(Field.of(Kind.ACTOR), "BO", true));
    assertThat(parse("{'metadata.t':{'contains':''}}"))
        .isEqualTo(new Contains(Field.metadata("t"), "", false));
  }

  @Test
  void parse_dates_areInstants() {
    assertThat(parse("{'created_at':{'gte':'2024-01-31'}}"))
        .isEqualTo(
            new Compare(CREATED, Op.GTE, new Value.Time(Instant.parse("2024-01-31T00:00:00Z"))));
    assertThat(parse("{'created_at':{'lt':'2024-01-31T10:00:00Z'}}"))
        .isEqualTo(
            new Compare(CREATED, Op.LT, new Value.Time(Instant.parse("2024-01-31T10:00:00Z"))));
    assertThat(parse("{'updated_at':{'lte':'2024-01-31T12:00:00.5+02:00'}}"))
        .isEqualTo(
            new Compare(
                Field.of(Kind.UPDATED_AT),
                Op.LTE,
                new Value.Time(Instant.parse("2024-01-31T10:00:00.500Z"))));
    assertThat(parse("{'created_at':'2024-01-31T10:00:00Z'}"))
        .isEqualTo(eq(CREATED, new Value.Time(Instant.parse("2024-01-31T10:00:00Z"))));
  }

  @Test
  void parse_severalKeys_isAndInKeyOrder() {
    assertThat(parse("{'user_id':'u1','run_id':'*','metadata.n':{'gt':1,'lt':5}}"))
        .isEqualTo(
            new And(
                List.of(
                    eq(USER, text("u1")),
                    new Present(Field.of(Kind.RUN_ID)),
                    new And(
                        List.of(
                            new Compare(Field.metadata("n"), Op.GT, new Value.Number(1)),
                            new Compare(Field.metadata("n"), Op.LT, new Value.Number(5)))))));
  }

  @Test
  void parse_logicalOperators_nest() {
    assertThat(parse("{'AND':[{'user_id':'u1'}]}"))
        .isEqualTo(new And(List.of(eq(USER, text("u1")))));
    assertThat(parse("{'OR':[{'user_id':'u1'},{'run_id':'r1'}]}"))
        .isEqualTo(new Or(List.of(eq(USER, text("u1")), eq(Field.of(Kind.RUN_ID), text("r1")))));
    assertThat(parse("{'AND':[{}]}")).isEqualTo(new And(List.of(new All())));
  }

  @Test
  void parse_notWithObject_isNot() {
    assertThat(parse("{'NOT':{'categories':{'in':['spam']}}}"))
        .isEqualTo(new Not(new In(CATEGORIES, List.of(text("spam")), false)));
  }

  @Test
  void parse_notWithArray_isNotOfAnd() {
    assertThat(parse("{'NOT':[{'user_id':'u1'}]}")).isEqualTo(new Not(eq(USER, text("u1"))));
    assertThat(parse("{'NOT':[{'user_id':'u1'},{'categories':'spam'}]}"))
        .isEqualTo(new Not(new And(List.of(eq(USER, text("u1")), eq(CATEGORIES, text("spam"))))));
  }

  @Test
  void parse_mem0DocumentationExample_parses() {
    FilterExpr parsed =
        parse(
            """
        {'AND': [
          {'user_id': 'user_123'},
          {'created_at': {'gte': '2024-01-01T00:00:00Z'}},
          {'NOT': {'OR': [{'categories': {'in': ['spam']}}, {'categories': {'in': ['test']}}]}}
        ]}""");
    assertThat(parsed).isInstanceOf(And.class);
    assertThat(((And) parsed).operands()).hasSize(3);
  }

  @Test
  void parse_javaMap_matchesJson() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("user_id", "u1");
    map.put(
        "OR",
        List.of(
            Map.of("metadata.n", Map.of("gte", 2)),
            Map.of("categories", Map.of("in", new String[] {"a"}))));
    assertThat(FilterParser.parse(map))
        .isEqualTo(
            parse("{'user_id':'u1','OR':[{'metadata.n':{'gte':2}},{'categories':{'in':['a']}}]}"));
  }

  @Test
  void parse_javaMapNumbers_areNumbers() {
    assertThat(FilterParser.parse(Map.of("metadata.n", 1L)))
        .isEqualTo(eq(Field.metadata("n"), new Value.Number(1)));
    assertThat(FilterParser.parse(Map.of("metadata.n", 1.5f)))
        .isEqualTo(eq(Field.metadata("n"), new Value.Number(1.5)));
    assertThat(FilterParser.parse(Map.of("metadata.n", new java.math.BigDecimal("2.25"))))
        .isEqualTo(eq(Field.metadata("n"), new Value.Number(2.25)));
  }

  @Test
  void parse_limitsAtTheirMaximum_parse() {
    StringBuilder deep = new StringBuilder();
    for (int i = 1; i < FilterParser.MAX_DEPTH; i++) {
      deep.append("{'AND':[");
    }
    deep.append("{}").append("]}".repeat(FilterParser.MAX_DEPTH - 1));
    assertThat(parse(deep.toString())).isInstanceOf(And.class);

    String values = "'v',".repeat(FilterParser.MAX_IN_VALUES - 1) + "'v'";
    assertThat(parse("{'user_id':{'in':[" + values + "]}}")).isInstanceOf(In.class);

    String longest = "x".repeat(FilterParser.MAX_STRING_LENGTH);
    assertThat(parse("{'actor':'" + longest + "'}"))
        .isEqualTo(eq(Field.of(Kind.ACTOR), text(longest)));

    String nodes = "{'user_id':'u'},".repeat(FilterParser.MAX_NODES - 2) + "{'user_id':'u'}";
    assertThat(parse("{'OR':[" + nodes + "]}")).isInstanceOf(Or.class);
  }

  @Test
  void toJson_tree_rendersCanonicalSyntax() {
    FilterExpr tree =
        new And(
            List.of(
                eq(USER, text("u1")),
                new Not(new In(CATEGORIES, List.of(text("spam")), false)),
                new Compare(CREATED, Op.GTE, new Value.Time(Instant.parse("2024-01-01T00:00:00Z"))),
                new Or(
                    List.of(new Present(Field.metadata("k")), eq(Field.metadata("k"), text("*")))),
                new Compare(Field.metadata("n"), Op.LT, new Value.Number(2)),
                new Compare(Field.metadata("x"), Op.NE, new Value.Number(0.5)),
                new Contains(Field.of(Kind.ACTOR), "bo", true),
                new All()));
    String json = FilterParser.toJson(tree);
    assertThat(json)
        .isEqualTo(
            ("{'AND':[{'user_id':'u1'},{'NOT':[{'categories':{'in':['spam']}}]},"
                    + "{'created_at':{'gte':'2024-01-01T00:00:00Z'}},{'OR':[{'metadata.k':'*'},{'metadata.k':{'eq':'*'}}]},"
                    + "{'metadata.n':{'lt':2}},{'metadata.x':{'ne':0.5}},{'actor':{'icontains':'bo'}},{}]}")
                .replace('\'', '"'));
    assertThat(FilterParser.parse(json)).isEqualTo(tree);
  }

  @Test
  void toJson_nonFiniteNumber_isRefused() {
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(
            () -> FilterParser.toJson(eq(Field.metadata("n"), new Value.Number(Double.NaN))));
  }
}
