package io.mnemo4j.filter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.filter.FilterExpr.All;
import io.mnemo4j.filter.FilterExpr.And;
import io.mnemo4j.filter.FilterExpr.Compare;
import io.mnemo4j.filter.FilterExpr.Contains;
import io.mnemo4j.filter.FilterExpr.In;
import io.mnemo4j.filter.FilterExpr.Not;
import io.mnemo4j.filter.FilterExpr.Op;
import io.mnemo4j.filter.FilterExpr.Or;
import io.mnemo4j.filter.FilterExpr.Present;
import io.mnemo4j.filter.FilterExpr.Value;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Renders a tree in the canonical syntax {@link FilterParser} reads: {@code {}}, {@code {"AND":
 * [...]}}, {@code {"OR": [...]}}, {@code {"NOT": [x]}}, and one field per leaf ({@code
 * "metadata.<key>"} for metadata), equality as a bare scalar unless the value is {@code "*"}.
 * Stateless and thread-safe.
 */
final class FilterWriter {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /**
   * Integral numbers up to this magnitude are written without a fraction; all are exact doubles.
   */
  private static final double MAX_EXACT_INTEGER = 9_007_199_254_740_992.0; // 2^53

  private FilterWriter() {}

  static String write(FilterExpr filter) {
    try {
      return FilterParser.MAPPER.writeValueAsString(node(filter));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e); // writing a tree of plain nodes to a String does not fail
    }
  }

  private static ObjectNode node(FilterExpr filter) {
    ObjectNode out = NODES.objectNode();
    switch (filter) {
      case All all -> {}
      case And and -> out.set("AND", list(and.operands()));
      case Or or -> out.set("OR", list(or.operands()));
      case Not not -> out.set("NOT", list(List.of(not.operand())));
      case Compare c -> {
        boolean bare =
            c.op() == Op.EQ && !(c.value() instanceof Value.Text t && t.value().equals("*"));
        out.set(
            Wire.name(c.field()),
            bare ? value(c.value()) : operator(Wire.name(c.op()), value(c.value())));
      }
      case In in -> {
        ArrayNode values = NODES.arrayNode(in.values().size());
        in.values().forEach(v -> values.add(value(v)));
        out.set(Wire.name(in.field()), operator(in.negated() ? "nin" : "in", values));
      }
      case Contains c ->
          out.set(
              Wire.name(c.field()),
              operator(c.ignoreCase() ? "icontains" : "contains", NODES.textNode(c.text())));
      case Present p -> out.put(Wire.name(p.field()), "*");
    }
    return out;
  }

  private static ArrayNode list(List<FilterExpr> operands) {
    ArrayNode out = NODES.arrayNode(operands.size());
    operands.forEach(o -> out.add(node(o)));
    return out;
  }

  private static ObjectNode operator(String op, JsonNode value) {
    ObjectNode out = NODES.objectNode();
    out.set(op, value);
    return out;
  }

  private static JsonNode value(Value value) {
    return switch (value) {
      case Value.Text t -> NODES.textNode(t.value());
      case Value.Bool b -> NODES.booleanNode(b.value());
      case Value.Time t -> NODES.textNode(t.value().toString());
      case Value.Number n -> {
        double d = n.value();
        if (!Double.isFinite(d)) {
          throw new IllegalArgumentException("a filter number must be finite");
        }
        yield d == Math.rint(d) && Math.abs(d) <= MAX_EXACT_INTEGER
            ? NODES.numberNode((long) d)
            : NODES.numberNode(d);
      }
    };
  }
}
