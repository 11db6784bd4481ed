package io.mnemo4j.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.InvalidRequestException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns a filter built from Java values (String, Number, Boolean, Map, List, arrays, JsonNode) into
 * a JSON tree, with the same error paths the parser uses. Bounded in depth (so a map containing
 * itself fails) and in size. One instance per conversion; not thread-safe.
 */
final class JavaValues {
  /** Most values converted; far more than any valid filter holds. */
  static final int MAX_VALUES = 100_000;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private int values;

  private JavaValues() {}

  /** The JSON tree of {@code map}. */
  static JsonNode toJson(Map<String, ?> map) {
    return new JavaValues().convert(map, FilterParser.ROOT, 1);
  }

  private JsonNode convert(@Nullable Object value, String path, int depth) {
    if (++values > MAX_VALUES) {
      throw new InvalidRequestException(path, "filters hold more than " + MAX_VALUES + " values");
    }
    if (depth > FilterParser.MAX_JSON_NESTING) {
      throw new InvalidRequestException(
          path, "filters are nested deeper than " + FilterParser.MAX_JSON_NESTING + " levels");
    }
    return switch (value) {
      case null -> NODES.nullNode();
      case String s -> NODES.textNode(s);
      case Boolean b -> NODES.booleanNode(b);
      case Integer i -> NODES.numberNode(i.longValue());
      case Long l -> NODES.numberNode(l);
      case Short s -> NODES.numberNode(s.longValue());
      case Byte b -> NODES.numberNode(b.longValue());
      case Double d -> NODES.numberNode(d);
      case Float f -> NODES.numberNode(f.doubleValue());
      case BigInteger b -> NODES.numberNode(b);
      case BigDecimal b -> NODES.numberNode(b);
      case JsonNode node -> node;
      case Map<?, ?> map -> {
        ObjectNode out = NODES.objectNode();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
          if (!(entry.getKey() instanceof String key)) {
            throw new InvalidRequestException(path, "filter keys must be strings");
          }
          out.set(key, convert(entry.getValue(), Wire.child(path, key), depth + 1));
        }
        yield out;
      }
      case Collection<?> list -> {
        ArrayNode out = NODES.arrayNode(list.size());
        int i = 0;
        for (Object element : list) {
          out.add(convert(element, Wire.element(path, i++), depth + 1));
        }
        yield out;
      }
      case Object[] array -> {
        ArrayNode out = NODES.arrayNode(array.length);
        for (int i = 0; i < array.length; i++) {
          out.add(convert(array[i], Wire.element(path, i), depth + 1));
        }
        yield out;
      }
      default ->
          throw new InvalidRequestException(
              path,
              "unsupported Java value of type "
                  + Wire.shorten(value.getClass().getSimpleName())
                  + "; use String, Number, Boolean, Map or List");
    };
  }
}
