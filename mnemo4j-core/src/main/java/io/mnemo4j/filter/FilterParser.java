package io.mnemo4j.filter;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.MemoryType;
import io.mnemo4j.Metadata;
import io.mnemo4j.Role;
import io.mnemo4j.TimeRange;
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
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Parses Mem0's v2 filter syntax into a {@link FilterExpr}, and renders a tree back to that syntax.
 * Stateless and thread-safe.
 *
 * <p>A filter is a JSON object; several keys are an implicit AND. Keys are the logical operators
 * {@code AND}, {@code OR} (non-empty arrays of filters) and {@code NOT} (an array, meaning NOT of
 * the AND of its elements, or a single filter), the fields {@code user_id agent_id run_id
 * created_at updated_at valid_from valid_to expires_at memory_type categories role actor}, {@code
 * metadata} (an object of metadata key to condition) and {@code metadata.<key>} (a top-level
 * metadata key, taken verbatim). A condition is a scalar ({@code eq}), {@code "*"} (present) or an
 * object of operators {@code eq ne gt gte lt lte in nin contains icontains} (several are an AND).
 * Logical operators are upper case and operators lower case, as in Mem0; anything else, including
 * Mem0's {@code app_id}, {@code keywords}, {@code timestamp} and {@code memory_ids}, is refused,
 * never ignored.
 *
 * <p>Types: scope ids, actor and categories take strings; role takes {@code user assistant system
 * tool}; the time fields take ISO-8601 dates ({@code 2024-01-31}, the start of that day in UTC) or
 * date-times with an offset ({@code 2024-01-31T10:00:00Z}); metadata takes strings, finite numbers
 * and booleans. Order operators ({@code gt gte lt lte}) apply to the two time fields and to numeric
 * metadata only; {@code contains}/{@code icontains} take a string and do not apply to times or
 * role. A metadata key is 1 to 128 characters and never an identity key ({@link
 * Metadata#IDENTITY_KEYS}: metadata never holds one, so such a filter is a mistake). Limits: {@link
 * #MAX_DEPTH}, {@link #MAX_NODES}, {@link #MAX_IN_VALUES}, {@link #MAX_STRING_LENGTH}, {@link
 * #MAX_JSON_BYTES}.
 *
 * <p>Every refusal is an {@link InvalidRequestException} whose {@code field()} is a JSON path from
 * {@code filters} (such as {@code filters.AND[1].created_at.gte}) and whose message echoes at most
 * 40 characters of a key or operator, never a value.
 */
public final class FilterParser {
  /** Deepest nesting of filter objects; the root object is level 1. */
  public static final int MAX_DEPTH = 16;

  /** Most nodes in a parsed tree (logical operators and conditions). */
  public static final int MAX_NODES = 256;

  /** Most values in one {@code in} or {@code nin} list. */
  public static final int MAX_IN_VALUES = 1000;

  /** Longest string value, in characters. */
  public static final int MAX_STRING_LENGTH = 1024;

  /** Largest JSON text, in UTF-8 bytes. */
  public static final int MAX_JSON_BYTES = 64 * 1024;

  /** The root of every error path. */
  static final String ROOT = "filters";

  /** Raw JSON nesting accepted by the reader; deeper than any valid filter needs. */
  static final int MAX_JSON_NESTING = 4 * MAX_DEPTH + 8;

  static final JsonMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_NESTING).build())
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private static final String OPERATORS = "eq, ne, gt, gte, lt, lte, in, nin, contains, icontains";
  private static final Set<String> OPERATOR_NAMES =
      Set.of("eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "contains", "icontains");
  private static final String TIME_FORMAT =
      "an ISO-8601 date (2024-01-31) or date-time with offset (2024-01-31T10:00:00Z)";

  private int nodes;

  private FilterParser() {}

  /** Parses JSON text; {@code null} and the JSON literal {@code null} mean {@link All}. */
  public static FilterExpr parse(@Nullable String json) {
    if (json == null) {
      return new All();
    }
    if (json.length() > MAX_JSON_BYTES || utf8Length(json) > MAX_JSON_BYTES) {
      throw new InvalidRequestException(
          ROOT, "filters JSON is larger than " + MAX_JSON_BYTES + " bytes");
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(json);
    } catch (StreamConstraintsException e) {
      throw new InvalidRequestException(
          ROOT,
          "filters JSON is nested deeper than "
              + MAX_JSON_NESTING
              + " levels or holds an overlong number");
    } catch (JacksonException e) {
      throw new InvalidRequestException(ROOT, "filters is not valid JSON" + where(e.getLocation()));
    }
    if (node == null || node.isMissingNode()) {
      throw new InvalidRequestException(ROOT, "filters is empty; send {} to match every memory");
    }
    return parse(node);
  }

  /** Parses a JSON tree; {@code null}, a null node and a missing node mean {@link All}. */
  public static FilterExpr parse(@Nullable JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return new All();
    }
    return new FilterParser().filter(node, ROOT, 1);
  }

  /**
   * Parses a filter built in Java from JSON-like values (String, Number, Boolean, Map with String
   * keys, List, arrays, JsonNode) under the same rules; {@code null} means {@link All}.
   */
  public static FilterExpr parse(@Nullable Map<String, ?> map) {
    if (map == null) {
      return new All();
    }
    return parse(JavaValues.toJson(map));
  }

  /**
   * Renders a tree in the canonical JSON syntax; {@code parse(toJson(e)).equals(e)} for every tree
   * {@code parse} can return. Trees {@code parse} cannot return (an empty AND, text compared with
   * {@code gt}...) render as JSON that {@code parse} refuses.
   *
   * @throws IllegalArgumentException for a number that is not finite
   */
  public static String toJson(FilterExpr filter) {
    return FilterWriter.write(filter);
  }

  private FilterExpr filter(JsonNode node, String path, int depth) {
    if (depth > MAX_DEPTH) {
      throw new InvalidRequestException(
          path, "filters are nested deeper than " + MAX_DEPTH + " levels");
    }
    if (!node.isObject()) {
      throw new InvalidRequestException(path, "a filter must be a JSON object, got " + kind(node));
    }
    if (node.isEmpty()) {
      return count(new All(), path);
    }
    List<FilterExpr> parts = new ArrayList<>();
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      parts.add(entry(entry.getKey(), entry.getValue(), path, depth));
    }
    return and(parts, path);
  }

  private FilterExpr entry(String key, JsonNode value, String path, int depth) {
    String here = Wire.child(path, key);
    return switch (key) {
      case "AND" -> count(new And(filters(value, here, depth, "AND")), here);
      case "OR" -> count(new Or(filters(value, here, depth, "OR")), here);
      case "NOT" -> not(value, here, depth);
      case "metadata" -> metadata(value, here);
      default -> {
        if (key.startsWith(Wire.METADATA_PREFIX)) {
          yield condition(
              metadataField(key.substring(Wire.METADATA_PREFIX.length()), here), value, here);
        }
        Kind kind = Wire.builtIn(key).orElseThrow(() -> unknownField(key, here));
        yield condition(Field.of(kind), value, here);
      }
    };
  }

  private List<FilterExpr> filters(JsonNode value, String path, int depth, String name) {
    if (!value.isArray() || value.isEmpty()) {
      throw new InvalidRequestException(
          path, name + " needs a non-empty array of filters, got " + kind(value));
    }
    if (value.size() > MAX_NODES) {
      throw tooManyNodes(path);
    }
    List<FilterExpr> out = new ArrayList<>(value.size());
    for (int i = 0; i < value.size(); i++) {
      out.add(filter(value.get(i), Wire.element(path, i), depth + 1));
    }
    return out;
  }

  private FilterExpr not(JsonNode value, String path, int depth) {
    if (value.isObject()) {
      return count(new Not(filter(value, path, depth + 1)), path);
    }
    if (!value.isArray() || value.isEmpty()) {
      throw new InvalidRequestException(
          path, "NOT needs a filter object or a non-empty array of filters, got " + kind(value));
    }
    List<FilterExpr> operands = filters(value, path, depth, "NOT");
    return count(
        new Not(operands.size() == 1 ? operands.get(0) : count(new And(operands), path)), path);
  }

  private FilterExpr metadata(JsonNode value, String path) {
    if (!value.isObject() || value.isEmpty()) {
      throw new InvalidRequestException(
          path,
          "metadata needs an object of metadata key to condition, such as "
              + "{\"metadata\": {\"source\": \"email\"}}, got "
              + kind(value));
    }
    List<FilterExpr> parts = new ArrayList<>();
    for (Map.Entry<String, JsonNode> entry : value.properties()) {
      String here = Wire.child(path, entry.getKey());
      parts.add(condition(metadataField(entry.getKey(), here), entry.getValue(), here));
    }
    return and(parts, path);
  }

  private static Field metadataField(String key, String path) {
    if (key.isEmpty()) {
      throw new InvalidRequestException(path, "a metadata key must not be empty");
    }
    if (key.length() > Metadata.MAX_KEY_LENGTH) {
      throw new InvalidRequestException(
          path, "a metadata key is longer than " + Metadata.MAX_KEY_LENGTH + " characters");
    }
    if (Metadata.IDENTITY_KEYS.contains(key)) {
      String hint = Wire.builtIn(key).isPresent() ? "; filter on " + key + " itself" : "";
      throw new InvalidRequestException(
          path,
          "metadata key '"
              + key
              + "' names an identity and is never stored "
              + "in metadata"
              + hint);
    }
    return Field.metadata(key);
  }

  private FilterExpr condition(Field field, JsonNode value, String path) {
    if (value.isObject()) {
      if (value.isEmpty()) {
        throw new InvalidRequestException(
            path, "a condition object needs at least one operator: " + OPERATORS);
      }
      List<FilterExpr> parts = new ArrayList<>();
      for (Map.Entry<String, JsonNode> entry : value.properties()) {
        parts.add(
            operator(field, entry.getKey(), entry.getValue(), Wire.child(path, entry.getKey())));
      }
      return and(parts, path);
    }
    if (value.isArray()) {
      throw new InvalidRequestException(
          path,
          "an array is not a condition; use {\"in\": [...]} to match any of " + "several values");
    }
    if (value.isTextual() && value.textValue().equals("*")) {
      return count(new Present(field), path);
    }
    return count(new Compare(field, Op.EQ, value(field, value, path)), path);
  }

  private FilterExpr operator(Field field, String op, JsonNode value, String path) {
    String name = Wire.name(field);
    return switch (op) {
      case "eq" -> count(new Compare(field, Op.EQ, value(field, value, path)), path);
      case "ne" -> count(new Compare(field, Op.NE, value(field, value, path)), path);
      case "gt" -> order(field, Op.GT, value, path);
      case "gte" -> order(field, Op.GTE, value, path);
      case "lt" -> order(field, Op.LT, value, path);
      case "lte" -> order(field, Op.LTE, value, path);
      case "in" -> count(new In(field, values(field, value, path, op), false), path);
      case "nin" -> count(new In(field, values(field, value, path, op), true), path);
      case "contains", "icontains" -> {
        Kind kind = field.kind();
        if (kind.isTime() || kind == Kind.ROLE || kind == Kind.MEMORY_TYPE) {
          throw new InvalidRequestException(
              path, "operator '" + op + "' is not supported on " + name);
        }
        yield count(new Contains(field, string(value, path, op), op.equals("icontains")), path);
      }
      default -> throw unknownOperator(field, op, path);
    };
  }

  private FilterExpr order(Field field, Op op, JsonNode value, String path) {
    String opName = Wire.name(op);
    Value parsed =
        switch (field.kind()) {
          case CREATED_AT, UPDATED_AT, VALID_FROM, VALID_TO, EXPIRES_AT ->
              value(field, value, path);
          case METADATA -> {
            Value v = value(field, value, path);
            if (!(v instanceof Value.Number)) {
              throw new InvalidRequestException(
                  path, "operator '" + opName + "' on metadata needs a number, got " + kind(value));
            }
            yield v;
          }
          default ->
              throw new InvalidRequestException(
                  path,
                  "operator '"
                      + opName
                      + "' is not supported on "
                      + Wire.name(field)
                      + "; it compares created_at, updated_at, valid_from, valid_to, expires_at"
                      + " and numeric metadata");
        };
    return count(new Compare(field, op, parsed), path);
  }

  private static List<Value> values(Field field, JsonNode value, String path, String op) {
    if (!value.isArray() || value.isEmpty()) {
      throw new InvalidRequestException(
          path, "operator '" + op + "' needs a non-empty array of values, got " + kind(value));
    }
    if (value.size() > MAX_IN_VALUES) {
      throw new InvalidRequestException(
          path, "operator '" + op + "' takes at most " + MAX_IN_VALUES + " values");
    }
    List<Value> out = new ArrayList<>(value.size());
    for (int i = 0; i < value.size(); i++) {
      out.add(value(field, value.get(i), Wire.element(path, i)));
    }
    return out;
  }

  /** One literal, typed by the field it is compared with. */
  private static Value value(Field field, JsonNode node, String path) {
    String name = Wire.name(field);
    return switch (field.kind()) {
      case CREATED_AT, UPDATED_AT, VALID_FROM, VALID_TO, EXPIRES_AT ->
          new Value.Time(time(string(node, path, name), path, name));
      case MEMORY_TYPE -> {
        String type = string(node, path, name);
        for (MemoryType t : MemoryType.values()) {
          if (t.wireName().equals(type)) {
            yield new Value.Text(type);
          }
        }
        throw new InvalidRequestException(
            path, "memory_type must be one of episodic, semantic, procedural");
      }
      case ROLE -> {
        String role = string(node, path, name);
        for (Role r : Role.values()) {
          if (r.wireName().equals(role)) {
            yield new Value.Text(role);
          }
        }
        throw new InvalidRequestException(
            path, "role must be one of user, assistant, system, tool");
      }
      case USER_ID, AGENT_ID, RUN_ID, ACTOR, CATEGORIES -> new Value.Text(string(node, path, name));
      case METADATA -> {
        if (node.isTextual()) {
          yield new Value.Text(string(node, path, name));
        }
        if (node.isBoolean()) {
          yield new Value.Bool(node.booleanValue());
        }
        if (node.isNumber()) {
          double d = node.doubleValue();
          if (!Double.isFinite(d)) {
            throw new InvalidRequestException(path, "a metadata number must be finite");
          }
          yield new Value.Number(d == 0 ? 0.0 : d); // one zero: -0.0 and 0.0 compare equal anyway
        }
        throw new InvalidRequestException(
            path, name + " takes a string, number or boolean, got " + kind(node));
      }
    };
  }

  private static String string(JsonNode node, String path, String what) {
    if (!node.isTextual()) {
      throw new InvalidRequestException(path, what + " takes a string, got " + kind(node));
    }
    String s = node.textValue();
    if (s.length() > MAX_STRING_LENGTH) {
      throw new InvalidRequestException(
          path, "a string value is longer than " + MAX_STRING_LENGTH + " characters");
    }
    return s;
  }

  private static java.time.Instant time(String text, String path, String name) {
    java.time.Instant t;
    try {
      if (text.indexOf('T') < 0 && text.indexOf('t') < 0) {
        t =
            LocalDate.parse(text, DateTimeFormatter.ISO_LOCAL_DATE)
                .atStartOfDay(ZoneOffset.UTC)
                .toInstant();
      } else {
        t = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
      }
    } catch (DateTimeException e) {
      throw new InvalidRequestException(path, name + " takes " + TIME_FORMAT);
    }
    // A year such as +999999999 parses, but overflows what stores and indexes encode.
    if (!TimeRange.contains(t)) {
      throw new InvalidRequestException(
          path, name + " takes a time between the years 0001 and 9999 (UTC)");
    }
    return t;
  }

  private FilterExpr and(List<FilterExpr> parts, String path) {
    return parts.size() == 1 ? parts.get(0) : count(new And(parts), path);
  }

  private FilterExpr count(FilterExpr node, String path) {
    if (++nodes > MAX_NODES) {
      throw tooManyNodes(path);
    }
    return node;
  }

  private static InvalidRequestException tooManyNodes(String path) {
    return new InvalidRequestException(
        path, "filters have more than " + MAX_NODES + " conditions and operators");
  }

  private static InvalidRequestException unknownField(String key, String path) {
    String shown = Wire.shorten(key);
    String upper = key.toUpperCase(Locale.ROOT);
    if (upper.equals("AND")
        || upper.equals("OR")
        || upper.equals("NOT")
        || upper.equals("$AND")
        || upper.equals("$OR")
        || upper.equals("$NOT")) {
      return new InvalidRequestException(
          path, "unknown key '" + shown + "'; logical operators are spelled AND, OR, " + "NOT");
    }
    String message =
        switch (key) {
          case "app_id" ->
              "unsupported field 'app_id': Mnemo4j has no app scope; store it in metadata and use "
                  + "metadata.app_id";
          case "keywords" ->
              "unsupported field 'keywords': put the words in the search query, not in filters";
          case "timestamp" -> "unsupported field 'timestamp'; use created_at or updated_at";
          case "memory_ids" -> "unsupported field 'memory_ids'; get memories by id instead";
          default ->
              "unknown field '"
                  + shown
                  + "'; use metadata."
                  + shown
                  + " for metadata (fields are user_id, "
                  + "agent_id, run_id, created_at, updated_at, valid_from, valid_to, expires_at, "
                  + "memory_type, categories, role, actor, metadata)";
        };
    return new InvalidRequestException(path, message);
  }

  private static InvalidRequestException unknownOperator(Field field, String op, String path) {
    String hint;
    if (op.startsWith("$") && OPERATOR_NAMES.contains(op.substring(1))) {
      hint = "; operators are spelled without '$'";
    } else if (OPERATOR_NAMES.contains(op.toLowerCase(Locale.ROOT))) {
      hint = "; operators are lower case";
    } else if (field.kind() == Kind.METADATA) {
      hint = "; operators are " + OPERATORS + " (only top-level metadata keys can be filtered)";
    } else {
      hint = "; operators are " + OPERATORS;
    }
    return new InvalidRequestException(
        path,
        "unknown operator '" + Wire.shorten(op) + "' on " + Wire.shorten(Wire.name(field)) + hint);
  }

  private static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case MISSING -> "nothing";
      case BINARY, POJO -> "an unsupported value";
    };
  }

  private static String where(@Nullable JsonLocation location) {
    if (location == null || location.getLineNr() < 1) {
      return "";
    }
    return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
  }

  private static long utf8Length(String s) {
    long bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
