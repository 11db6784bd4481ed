package io.mnemo4j.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.javalin.http.Context;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.MnemoException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's JSON: one strict mapper for native request DTOs (unknown fields, type coercion,
 * duplicate keys and trailing tokens are errors naming the field), one lenient mapper for
 * Mem0-compatible DTOs (unknown fields are ignored and their names logged at debug), and the writer
 * of every response body. Thread-safe (stateless).
 */
final class Json {
  private static final Logger LOG = LoggerFactory.getLogger(Json.class);

  /** Deepest JSON nesting accepted in a request body. */
  static final int MAX_NESTING = 64;

  /** Longest JSON string accepted in a request body, in characters. */
  static final int MAX_STRING = 256 * 1024;

  static final JsonMapper STRICT =
      base()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .withCoercionConfig(
              LogicalType.Textual,
              c ->
                  c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
          .withCoercionConfig(
              LogicalType.Boolean,
              c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
          .build();

  static final JsonMapper LENIENT =
      base().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  /** Writes responses; property order as built. */
  static final JsonMapper OUT = JsonMapper.builder().build();

  private static final java.util.regex.Pattern FIELD_NAME =
      java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,39}");

  private static final ClassValue<Set<String>> KNOWN_FIELDS =
      new ClassValue<>() {
        @Override
        protected Set<String> computeValue(Class<?> type) {
          Set<String> names = new LinkedHashSet<>();
          RecordComponent[] components = type.getRecordComponents();
          if (components != null) {
            for (RecordComponent c : components) {
              names.add(PropertyNamingStrategies.SnakeCaseStrategy.INSTANCE.translate(c.getName()));
            }
          }
          return Set.copyOf(names);
        }
      };

  private Json() {}

  private static JsonMapper.Builder base() {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING)
                    .maxStringLength(MAX_STRING)
                    .maxNumberLength(64)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    return JsonMapper.builder(factory)
        .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .disable(MapperFeature.AUTO_DETECT_FIELDS, MapperFeature.AUTO_DETECT_SETTERS);
  }

  /** Parses a native request body into {@code type}; every refusal is a 400 naming the field. */
  static <T> T strict(Context ctx, Class<T> type) {
    byte[] body = ctx.bodyAsBytes();
    if (isBlank(body)) {
      throw new InvalidRequestException("body", "request body is empty; send a JSON object");
    }
    try {
      T value = STRICT.readValue(body, type);
      if (value == null) {
        throw new InvalidRequestException("body", "request body must be a JSON object, not null");
      }
      return value;
    } catch (JacksonException e) {
      throw translate(e);
    } catch (java.io.IOException e) {
      throw new InvalidRequestException("body", "could not read the request body");
    }
  }

  /**
   * Parses a Mem0-compatible request body into {@code type}, ignoring fields it does not know
   * (their names are logged at debug: Mem0 clients send {@code output_format}, {@code version},
   * {@code org_id}...). An absent body counts as {@code {}}.
   */
  static <T> T lenient(Context ctx, Class<T> type) {
    byte[] body = ctx.bodyAsBytes();
    JsonNode node;
    try {
      node = isBlank(body) ? LENIENT.createObjectNode() : LENIENT.readTree(body);
    } catch (JacksonException e) {
      throw translate(e);
    } catch (java.io.IOException e) {
      throw new InvalidRequestException("body", "could not read the request body");
    }
    if (node == null || !node.isObject()) {
      throw new InvalidRequestException("body", "request body must be a JSON object");
    }
    if (LOG.isDebugEnabled()) {
      List<String> unknown = new ArrayList<>();
      Set<String> known = KNOWN_FIELDS.get(type);
      int[] odd = {0};
      node.fieldNames()
          .forEachRemaining(
              n -> {
                if (known.contains(n)) {
                  return;
                }
                // Field names are client text too: only identifier-like ones are logged.
                if (FIELD_NAME.matcher(n).matches()) {
                  unknown.add(n);
                } else {
                  odd[0]++;
                }
              });
      if (!unknown.isEmpty() || odd[0] > 0) {
        LOG.debug(
            "ignored Mem0 request fields on {}: {}{}",
            ServerMetrics.route(ctx),
            unknown,
            odd[0] == 0 ? "" : " and " + odd[0] + " field(s) with other names");
      }
    }
    try {
      T value = LENIENT.treeToValue(node, type);
      if (value == null) {
        throw new InvalidRequestException("body", "request body must be a JSON object");
      }
      return value;
    } catch (JacksonException e) {
      throw translate(e);
    }
  }

  /** Converts a JSON object node to a metadata map, or refuses naming {@code field}. */
  static Map<String, Object> object(String field, JsonNode node) {
    if (!node.isObject()) {
      throw new InvalidRequestException(field, field + " must be a JSON object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = OUT.convertValue(node, LinkedHashMap.class);
    return map;
  }

  /** Turns a Jackson failure into a 400 naming the JSON path, never echoing input values. */
  static InvalidRequestException translate(JacksonException e) {
    if (e instanceof ValueInstantiationException vie
        && vie.getCause() instanceof MnemoException m) {
      if (m instanceof InvalidRequestException ire) {
        return ire;
      }
      return new InvalidRequestException(path(vie), "invalid value");
    }
    if (e instanceof UnrecognizedPropertyException upe) {
      String name = upe.getPropertyName();
      String shown = name == null ? "?" : name.length() > 64 ? name.substring(0, 64) + "..." : name;
      String p = path(upe);
      return new InvalidRequestException(
          p.isEmpty() ? shown : p,
          "unknown field '" + shown + "'; allowed: " + upe.getKnownPropertyIds());
    }
    if (e instanceof StreamConstraintsException) {
      return new InvalidRequestException(
          "body",
          "request body exceeds the JSON limits (nesting "
              + MAX_NESTING
              + ", string length "
              + MAX_STRING
              + ", number length 64)");
    }
    if (e instanceof StreamReadException sre && !(e instanceof JsonMappingException)) {
      String where =
          sre.getLocation() == null
              ? ""
              : " at line "
                  + sre.getLocation().getLineNr()
                  + ", column "
                  + sre.getLocation().getColumnNr();
      String what =
          e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")
              ? "a duplicate field"
              : "malformed JSON";
      return new InvalidRequestException("body", "request body is not valid JSON: " + what + where);
    }
    if (e instanceof JsonMappingException jme) {
      String p = path(jme);
      if (p.isEmpty()) {
        return new InvalidRequestException(
            "body", "request body must be a JSON object of the documented shape");
      }
      return new InvalidRequestException(p, p + " has the wrong type or value");
    }
    return new InvalidRequestException("body", "request body is not valid JSON");
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (!sb.isEmpty()) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static boolean isBlank(byte[] body) {
    for (byte b : body) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return true;
  }

  static ObjectNode object() {
    return OUT.createObjectNode();
  }

  /** Writes {@code body} as the JSON response with {@code status}. */
  static void send(Context ctx, int status, Object body) {
    try {
      ctx.status(status).contentType("application/json").result(OUT.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not write a JSON response", e);
    }
  }

  /** Writes {@code body} as a 200 JSON response. */
  static void ok(Context ctx, Object body) {
    send(ctx, 200, body);
  }
}
