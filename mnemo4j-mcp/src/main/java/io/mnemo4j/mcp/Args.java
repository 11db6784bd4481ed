package io.mnemo4j.mcp;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.InvalidRequestException;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The arguments of one tool call, read with the leniency of Mem0's server (pydantic's lax mode: a
 * JSON {@code null} is an absent argument, {@code "5"} is an integer, {@code "true"} a boolean, an
 * object may arrive as JSON text) and refused otherwise with an {@link InvalidRequestException}
 * naming the argument. Not thread-safe (one call).
 */
final class Args {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final String tool;
  private final ObjectNode node;

  private Args(String tool, ObjectNode node) {
    this.tool = tool;
    this.node = node;
  }

  /**
   * Reads {@code arguments} of {@code tool}; an argument outside {@code known} is refused, so a
   * misspelt name ({@code top_k} for {@code limit}) is reported instead of silently ignored.
   */
  static Args of(String tool, @Nullable Map<String, Object> arguments, Set<String> known) {
    ObjectNode node = arguments == null ? MAPPER.createObjectNode() : MAPPER.valueToTree(arguments);
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        throw new InvalidRequestException(
            clip(name),
            "unknown argument '"
                + clip(name)
                + "'; "
                + tool
                + (known.isEmpty() ? " takes no arguments" : " takes " + String.join(", ", known)));
      }
    }
    return new Args(tool, node);
  }

  private @Nullable JsonNode raw(String name) {
    JsonNode v = node.get(name);
    return v == null || v.isNull() ? null : v;
  }

  /** A required string, non-blank. */
  String requiredString(String name) {
    String s = string(name).orElse(null);
    if (s == null) {
      throw new InvalidRequestException(name, name + " is required");
    }
    if (s.isBlank()) {
      throw new InvalidRequestException(name, name + " must not be empty");
    }
    return s;
  }

  /** An optional string; an empty string counts as absent (as Mem0's clients send it). */
  Optional<String> string(String name) {
    JsonNode v = raw(name);
    if (v == null) {
      return Optional.empty();
    }
    if (!v.isTextual()) {
      throw new InvalidRequestException(name, name + " must be a string");
    }
    return v.asText().isEmpty() ? Optional.empty() : Optional.of(v.asText());
  }

  /** An optional integer from {@code min} to {@code max}. */
  Optional<Integer> integer(String name, int min, int max) {
    JsonNode v = raw(name);
    if (v == null) {
      return Optional.empty();
    }
    BigDecimal d = null;
    if (v.isNumber()) {
      d = v.isFloatingPointNumber() && !Double.isFinite(v.asDouble()) ? null : v.decimalValue();
    } else if (v.isTextual() && v.asText().strip().matches("[+-]?[0-9]{1,12}")) {
      d = new BigDecimal(v.asText().strip());
    }
    if (d == null || d.stripTrailingZeros().scale() > 0) {
      throw new InvalidRequestException(name, name + " must be an integer");
    }
    if (d.compareTo(BigDecimal.valueOf(min)) < 0 || d.compareTo(BigDecimal.valueOf(max)) > 0) {
      throw new InvalidRequestException(name, name + " must be " + min + " to " + max);
    }
    return Optional.of(d.intValueExact());
  }

  /** An optional boolean ({@code true}, {@code false}, or the same as text). */
  Optional<Boolean> bool(String name) {
    JsonNode v = raw(name);
    if (v == null) {
      return Optional.empty();
    }
    if (v.isBoolean()) {
      return Optional.of(v.asBoolean());
    }
    if (v.isTextual() && (v.asText().equals("true") || v.asText().equals("false"))) {
      return Optional.of(Boolean.parseBoolean(v.asText()));
    }
    throw new InvalidRequestException(name, name + " must be true or false");
  }

  /** An optional JSON object (or JSON text holding one). */
  Optional<ObjectNode> object(String name) {
    JsonNode v = raw(name);
    if (v == null) {
      return Optional.empty();
    }
    if (v.isTextual()) {
      String text = v.asText().strip();
      if (text.isEmpty()) {
        return Optional.empty();
      }
      try {
        v = MAPPER.readTree(text);
      } catch (JacksonException e) {
        throw new InvalidRequestException(name, name + " must be a JSON object");
      }
    }
    if (v == null || !v.isObject()) {
      throw new InvalidRequestException(name, name + " must be a JSON object");
    }
    return Optional.of((ObjectNode) v);
  }

  /** An optional JSON array. */
  Optional<JsonNode> array(String name) {
    JsonNode v = raw(name);
    if (v == null) {
      return Optional.empty();
    }
    if (!v.isArray()) {
      throw new InvalidRequestException(name, name + " must be an array");
    }
    return Optional.of(v);
  }

  /** The tool these arguments belong to. */
  String tool() {
    return tool;
  }

  // An unknown argument name is client input: echo at most 40 characters of it.
  static String clip(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && sb.length() < 40; i++) {
      char c = s.charAt(i);
      sb.append(Character.isISOControl(c) ? '?' : c);
    }
    return s.length() > 40 ? sb + "..." : sb.toString();
  }
}
