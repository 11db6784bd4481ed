package io.mnemo4j.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.Memory;
import io.mnemo4j.Metadata;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
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
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import org.jspecify.annotations.Nullable;

/**
 * Generators for the filter property tests: JSON-ish input, valid trees over a vocabulary, and
 * memories.
 */
final class FilterArbitraries {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private FilterArbitraries() {}

  // ---------------------------------------------------------------- JSON-ish input from a loose
  // grammar

  private static final List<String> KEYS =
      List.of(
          "AND",
          "OR",
          "NOT",
          "and",
          "Or",
          "$not",
          "user_id",
          "agent_id",
          "run_id",
          "created_at",
          "updated_at",
          "categories",
          "role",
          "actor",
          "metadata",
          "metadata.k",
          "metadata.",
          "metadata.user_id",
          "app_id",
          "keywords",
          "timestamp",
          "memory_ids",
          "eq",
          "ne",
          "gt",
          "gte",
          "lt",
          "lte",
          "in",
          "nin",
          "contains",
          "icontains",
          "EQ",
          "$gt",
          "foo",
          "");

  private static final List<String> TEXTS =
      List.of(
          "*",
          "u1",
          "user",
          "assistant",
          "tool",
          "boss",
          "",
          "2024-01-31",
          "2024-01-31T10:00:00Z",
          "2024-01-31T10:00:00+02:00",
          "2024-01-31T10:00:00",
          "2024-13-45",
          "+999999999-12-31",
          "-999999999-01-01T00:00:00Z",
          "yesterday",
          "1e400",
          "x".repeat(1100));

  /** A key: mostly from the vocabulary, sometimes random. */
  static Arbitrary<String> key() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.of(KEYS)),
        Tuple.of(1, Arbitraries.strings().all().ofMaxLength(60)),
        Tuple.of(1, Arbitraries.strings().alpha().ofMaxLength(130).map(s -> "metadata." + s)));
  }

  /**
   * A scalar of any JSON type, including ones the parser must refuse; {@code exotic} adds non-JSON
   * nodes.
   */
  static Arbitrary<JsonNode> scalar(boolean exotic) {
    Arbitrary<JsonNode> json = jsonScalar();
    return exotic
        ? Arbitraries.frequencyOf(
            Tuple.of(20, json),
            Tuple.of(1, Arbitraries.just(NODES.missingNode())),
            Tuple.of(1, Arbitraries.just(NODES.pojoNode(new Object()))))
        : json;
  }

  private static Arbitrary<JsonNode> jsonScalar() {
    return Arbitraries.frequencyOf(
        Tuple.of(5, Arbitraries.of(TEXTS).map(NODES::textNode)),
        Tuple.of(2, Arbitraries.strings().all().ofMaxLength(30).map(NODES::textNode)),
        Tuple.of(2, Arbitraries.longs().map(NODES::numberNode)),
        Tuple.of(2, Arbitraries.doubles().map(NODES::numberNode)),
        Tuple.of(
            1,
            Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, -0.0, Double.MIN_VALUE)
                .map(NODES::numberNode)),
        Tuple.of(
            1,
            Arbitraries.of(new BigDecimal("1e400"), new BigDecimal("-1e-400"))
                .map(NODES::numberNode)),
        Tuple.of(1, Arbitraries.of(BigInteger.TEN.pow(40)).map(NODES::numberNode)),
        Tuple.of(1, Arbitraries.of(true, false).map(NODES::booleanNode)),
        Tuple.of(1, Arbitraries.just(NODES.nullNode())));
  }

  /**
   * A JSON tree from a loose grammar: objects with filter-ish keys, arrays, scalars; at most {@code
   * depth} deep. {@code exotic} adds nodes JSON text cannot hold (missing, POJO).
   */
  static Arbitrary<JsonNode> jsonish(int depth, boolean exotic) {
    if (depth == 0) {
      return scalar(exotic);
    }
    Arbitrary<JsonNode> child = Arbitraries.lazy(() -> jsonish(depth - 1, exotic));
    Arbitrary<JsonNode> object =
        Combinators.combine(key(), child)
            .as(Map::entry)
            .list()
            .ofMaxSize(3)
            .map(
                entries -> {
                  ObjectNode out = NODES.objectNode();
                  entries.forEach(e -> out.set(e.getKey(), e.getValue()));
                  return out;
                });
    Arbitrary<JsonNode> array =
        child
            .list()
            .ofMaxSize(3)
            .map(
                elements -> {
                  ArrayNode out = NODES.arrayNode();
                  elements.forEach(out::add);
                  return out;
                });
    return Arbitraries.frequencyOf(
        Tuple.of(2, scalar(exotic)), Tuple.of(5, object), Tuple.of(2, array));
  }

  /** A Java map of the same shapes, for {@code parse(Map)}. */
  static Arbitrary<Map<String, Object>> javaMap() {
    return jsonish(4, true)
        .filter(JsonNode::isObject)
        .map(FilterArbitraries::toJava)
        .map(
            o -> {
              @SuppressWarnings("unchecked")
              Map<String, Object> map = (Map<String, Object>) o;
              return map;
            });
  }

  private static @Nullable Object toJava(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> out = new LinkedHashMap<>();
      node.properties().forEach(e -> out.put(e.getKey(), toJava(e.getValue())));
      return out;
    }
    if (node.isArray()) {
      List<Object> out = new ArrayList<>();
      node.forEach(e -> out.add(toJava(e)));
      return out;
    }
    if (node.isPojo() || node.isMissingNode()) {
      return Instant.EPOCH; // an unsupported Java type
    }
    return node.isNull()
        ? null
        : node.isNumber()
            ? node.numberValue()
            : node.isBoolean() ? node.booleanValue() : node.textValue();
  }

  /**
   * JSON text: serialised loose and valid trees, mutated ones, token soup, raw text and deep
   * nesting.
   */
  static Arbitrary<String> jsonText() {
    Arbitrary<String> serialised =
        Arbitraries.frequencyOf(
            Tuple.of(2, jsonish(5, false).map(FilterArbitraries::write)),
            Tuple.of(1, tree(Vocabulary.wide(), 3).map(FilterParser::toJson)));
    Arbitrary<String> mutated =
        Combinators.combine(
                serialised,
                Arbitraries.integers().between(0, 2_000),
                Arbitraries.strings().withChars("{}[]\",:*\\ 0e-.nt").ofMaxLength(3),
                Arbitraries.integers().between(0, 4))
            .as(
                (text, at, insert, cut) -> {
                  int i = Math.min(at, text.length());
                  int j = Math.min(text.length(), i + cut);
                  return text.substring(0, i) + insert + text.substring(j);
                });
    Arbitrary<String> soup =
        Arbitraries.strings()
            .withChars("{}[]\":,*0123456789.eE-+ \\ANDORTuser_idmetadata.gtin")
            .ofMaxLength(120);
    Arbitrary<String> raw = Arbitraries.strings().all().ofMaxLength(120);
    Arbitrary<String> deep =
        Combinators.combine(
                Arbitraries.of("[", "{\"NOT\":", "{\"AND\":[", "{\"OR\":[{}, ", "{\"a\":"),
                Arbitraries.integers().between(1, 5_000))
            .as((open, n) -> open.repeat(n) + "{}");
    return Arbitraries.frequencyOf(
        Tuple.of(6, serialised),
        Tuple.of(4, mutated),
        Tuple.of(2, soup),
        Tuple.of(1, raw),
        Tuple.of(1, deep));
  }

  static String write(JsonNode node) {
    try {
      return FilterParser.MAPPER.writeValueAsString(node);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  // ---------------------------------------------------------------- valid trees

  /**
   * The values a generated tree and memory draw from: wide for round trips, narrow so that laws see
   * matches.
   */
  record Vocabulary(
      Arbitrary<String> text,
      Arbitrary<String> metadataKey,
      Arbitrary<Instant> time,
      Arbitrary<Double> number) {
    static Vocabulary wide() {
      return new Vocabulary(
          Arbitraries.strings().all().ofMaxLength(25),
          Arbitraries.strings()
              .all()
              .ofMinLength(1)
              .ofMaxLength(Metadata.MAX_KEY_LENGTH)
              .filter(k -> !Metadata.IDENTITY_KEYS.contains(k)),
          Combinators.combine(
                  Arbitraries.longs()
                      .between(
                          Instant.parse("0001-01-01T00:00:00Z").getEpochSecond(),
                          Instant.parse("9999-12-31T23:59:59Z").getEpochSecond()),
                  Arbitraries.integers().between(0, 999_999_999))
              .as(Instant::ofEpochSecond),
          Arbitraries.frequencyOf(
                  Tuple.of(2, Arbitraries.doubles()),
                  Tuple.of(2, Arbitraries.longs().map(Long::doubleValue)),
                  Tuple.of(
                      1,
                      Arbitraries.of(
                          Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, 0.1, 1e-300)))
              .filter(Double::isFinite)
              .map(d -> d == 0 ? 0.0 : d));
    }

    static Vocabulary narrow() {
      return new Vocabulary(
          Arbitraries.of("a", "A", "b", "ab", "u1", "u2", "*"),
          Arbitraries.of("k1", "k2"),
          Arbitraries.of(
              Instant.parse("2024-01-01T00:00:00Z"),
              Instant.parse("2024-06-01T00:00:00Z"),
              Instant.parse("2025-01-01T00:00:00Z")),
          Arbitraries.of(-1.0, 0.0, 1.0, 2.5, 3.0));
    }
  }

  /** A tree {@code FilterParser.parse} can return, at most {@code depth} logical levels deep. */
  static Arbitrary<FilterExpr> tree(Vocabulary v, int depth) {
    if (depth == 0) {
      return Arbitraries.frequencyOf(
          Tuple.of(12, leaf(v)), Tuple.of(1, Arbitraries.just((FilterExpr) new All())));
    }
    Arbitrary<FilterExpr> child = Arbitraries.lazy(() -> tree(v, depth - 1));
    return Arbitraries.frequencyOf(
        Tuple.of(4, leaf(v)),
        Tuple.of(2, child.list().ofMinSize(1).ofMaxSize(3).map(l -> (FilterExpr) new And(l))),
        Tuple.of(2, child.list().ofMinSize(1).ofMaxSize(3).map(l -> (FilterExpr) new Or(l))),
        Tuple.of(2, child.map(x -> (FilterExpr) new Not(x))));
  }

  /** A single condition, typed the way the parser types it. */
  static Arbitrary<FilterExpr> leaf(Vocabulary v) {
    return field(v).flatMap(f -> leaf(v, f));
  }

  static Arbitrary<Field> field(Vocabulary v) {
    return Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.of(Kind.values()).filter(k -> k != Kind.METADATA).map(Field::of)),
        Tuple.of(4, v.metadataKey().map(Field::metadata)));
  }

  /** A value the parser accepts for {@code field} with {@code eq}. */
  static Arbitrary<Value> value(Vocabulary v, Field field) {
    return switch (field.kind()) {
      case CREATED_AT, UPDATED_AT, VALID_FROM, VALID_TO, EXPIRES_AT ->
          v.time().map(Value.Time::new);
      case MEMORY_TYPE ->
          Arbitraries.of(io.mnemo4j.MemoryType.values()).map(t -> new Value.Text(t.wireName()));
      case ROLE -> Arbitraries.of(Role.values()).map(r -> new Value.Text(r.wireName()));
      case METADATA ->
          Arbitraries.oneOf(
              v.text().map(Value.Text::new),
              v.number().map(Value.Number::new),
              Arbitraries.of(true, false).map(Value.Bool::new));
      default -> v.text().map(Value.Text::new);
    };
  }

  static Arbitrary<FilterExpr> leaf(Vocabulary v, Field field) {
    Arbitrary<Value> value = value(v, field);
    List<Tuple.Tuple2<Integer, Arbitrary<FilterExpr>>> choices = new ArrayList<>();
    choices.add(
        Tuple.of(
            3,
            Combinators.combine(Arbitraries.of(Op.EQ, Op.NE), value)
                .as((op, x) -> (FilterExpr) new Compare(field, op, x))));
    choices.add(
        Tuple.of(
            2,
            Combinators.combine(value.list().ofMinSize(1).ofMaxSize(4), Arbitraries.of(true, false))
                .as((xs, negated) -> (FilterExpr) new In(field, xs, negated))));
    choices.add(Tuple.of(1, Arbitraries.just((FilterExpr) new Present(field))));
    Arbitrary<Value> ordered =
        switch (field.kind()) {
          case CREATED_AT, UPDATED_AT, VALID_FROM, VALID_TO, EXPIRES_AT -> value;
          case METADATA -> v.number().map(Value.Number::new);
          default -> null;
        };
    if (ordered != null) {
      choices.add(
          Tuple.of(
              3,
              Combinators.combine(Arbitraries.of(Op.values()), ordered)
                  .as((op, x) -> (FilterExpr) new Compare(field, op, x))));
    }
    if (!field.kind().isTime() && field.kind() != Kind.ROLE && field.kind() != Kind.MEMORY_TYPE) {
      choices.add(
          Tuple.of(
              2,
              Combinators.combine(v.text(), Arbitraries.of(true, false))
                  .as((text, ignoreCase) -> (FilterExpr) new Contains(field, text, ignoreCase))));
    }
    return Arbitraries.frequencyOf(choices);
  }

  // ---------------------------------------------------------------- memories

  /**
   * Memories whose fields draw from the narrow vocabulary, so filters over it both match and miss.
   */
  static Arbitrary<Memory> memory() {
    Arbitrary<String> id = Arbitraries.of("u1", "u2", "a").injectNull(0.3);
    Arbitrary<Scope> scope = Combinators.combine(id, id, id).as(Scope::of);
    Arbitrary<Object> scalar =
        Arbitraries.oneOf(
            Arbitraries.of("a", "A", "b", "ab", "*", "u1"),
            Arbitraries.of(-1L, 0L, 1L, 3L),
            Arbitraries.of(-1.0, 0.0, 1.0, 2.5, -0.0),
            Arbitraries.of(true, false));
    Arbitrary<Object> metaValue =
        Arbitraries.frequencyOf(
            Tuple.of(4, scalar),
            Tuple.of(2, scalar.list().ofMaxSize(3).map(l -> (Object) l)),
            Tuple.of(1, Arbitraries.just(Map.of("nested", 1L))));
    Arbitrary<Map<String, Object>> metadata =
        Arbitraries.maps(Arbitraries.of("k1", "k2"), metaValue).ofMaxSize(2);
    Arbitrary<List<String>> categories =
        Arbitraries.of("a", "A", "b", "ab", "*").list().ofMaxSize(3);
    Arbitrary<Role> role = Arbitraries.of(Role.values()).injectNull(0.3);
    Arbitrary<String> actor = Arbitraries.of("a", "A", "ab", "u1").injectNull(0.3);
    Arbitrary<Instant> time = Vocabulary.narrow().time();
    Arbitrary<Instant> maybeTime = time.injectNull(0.5);
    Arbitrary<io.mnemo4j.MemoryType> type = Arbitraries.of(io.mnemo4j.MemoryType.values());
    Arbitrary<Memory> base =
        Combinators.combine(scope, metadata, categories, role, actor, time, time)
            .as(TestMemories::memory);
    return Combinators.combine(base, maybeTime, maybeTime, maybeTime, type)
        .as(
            (m, validFrom, validTo, expiresAt, t) ->
                new Memory(
                    m.id(),
                    m.text(),
                    m.hash(),
                    m.scope(),
                    m.metadata(),
                    m.categories(),
                    m.role(),
                    m.actor(),
                    m.createdAt(),
                    m.updatedAt(),
                    expiresAt,
                    validFrom,
                    validTo,
                    m.provenance(),
                    m.embeddingModel(),
                    t));
  }
}
