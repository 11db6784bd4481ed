package io.mnemo4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.InvalidRequestException;
import java.io.PrintStream;
import java.util.Map;

/**
 * The CLI's JSON shapes (snake_case, ISO-8601 UTC times) and its one mapper. Thread-safe
 * (stateless).
 */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** Prints {@code node} as the one JSON object of this invocation, followed by a newline. */
  static void print(PrintStream out, JsonNode node) {
    try {
      out.println(MAPPER.writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not write JSON", e);
    }
  }

  /** Parses a JSON object given on the command line, or fails naming {@code field}. */
  static Map<String, Object> parseObject(String field, String text) {
    JsonNode node;
    try {
      node = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException(
          field, field + " is not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new InvalidRequestException(field, field + " must be a JSON object");
    }
    return MAPPER.convertValue(node, new TypeReference<Map<String, Object>>() {});
  }
}
