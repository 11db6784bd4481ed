package io.mnemo4j.mcp.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tool contract every transport must show, from the hand-written {@code expected-tools.json}
 * (Mem0's MCP server's names, arguments, required arguments and types), and readers of tool results
 * as clients receive them (JSON). Stateless.
 */
public final class McpContract {
  /** JSON for tests. */
  public static final ObjectMapper JSON = new ObjectMapper();

  private static final java.util.Comparator<JsonNode> NUMBERS_BY_VALUE =
      (a, b) ->
          a.isNumber() && b.isNumber()
              ? Double.compare(a.doubleValue(), b.doubleValue())
              : a.equals(b) ? 0 : 1;

  private McpContract() {}

  /** The expected contract. */
  public static JsonNode expected() {
    try (InputStream in = McpContract.class.getResourceAsStream("expected-tools.json")) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The tool names in order, as expected. */
  public static List<String> expectedNames() {
    List<String> names = new ArrayList<>();
    expected().get("tools").forEach(t -> names.add(t.get("name").asText()));
    return names;
  }

  /**
   * Asserts that {@code tools} (the {@code tools} array of a {@code tools/list} answer, as JSON)
   * holds exactly the expected tools, in order, each with exactly the expected arguments, types and
   * required arguments, a description, and {@code additionalProperties: false}.
   */
  public static void assertToolList(JsonNode tools) {
    JsonNode expected = expected();
    List<String> names = new ArrayList<>();
    tools.forEach(t -> names.add(t.get("name").asText()));
    assertThat(names).as("tool names").containsExactlyElementsOf(expectedNames());
    for (int i = 0; i < tools.size(); i++) {
      JsonNode tool = tools.get(i);
      JsonNode want = expected.get("tools").get(i);
      String name = want.get("name").asText();
      assertThat(tool.path("description").asText()).as("description of %s", name).isNotBlank();
      JsonNode schema = tool.get("inputSchema");
      assertThat(schema.get("type").asText()).as("%s type", name).isEqualTo("object");
      assertThat(schema.path("additionalProperties").asBoolean(true))
          .as("%s additionalProperties", name)
          .isFalse();
      assertThat(types(schema.get("properties")))
          .as("arguments of %s", name)
          .isEqualTo(types(want.get("properties")));
      assertThat(fieldOrder(schema.get("properties")))
          .as("argument order of %s", name)
          .containsExactlyElementsOf(fieldOrder(want.get("properties")));
      assertThat(strings(schema.path("required")))
          .as("required arguments of %s", name)
          .containsExactlyInAnyOrderElementsOf(strings(want.get("required")));
    }
    JsonNode item = tools.get(0).get("inputSchema").get("properties").get("messages").get("items");
    JsonNode wantItem = expected.get("message_item");
    assertThat(types(item.get("properties"))).isEqualTo(types(wantItem.get("properties")));
    assertThat(strings(item.get("required")))
        .containsExactlyInAnyOrderElementsOf(strings(wantItem.get("required")));
  }

  private static Map<String, String> types(JsonNode properties) {
    Map<String, String> out = new java.util.TreeMap<>();
    for (Map.Entry<String, JsonNode> e : properties.properties()) {
      JsonNode v = e.getValue();
      out.put(e.getKey(), v.isTextual() ? v.asText() : v.path("type").asText());
    }
    return out;
  }

  private static List<String> fieldOrder(JsonNode obj) {
    List<String> out = new ArrayList<>();
    obj.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      array.forEach(n -> out.add(n.asText()));
    }
    return out;
  }

  /**
   * The JSON answer of one tool result as a client received it ({@code content[0].text}), after
   * checking that {@code isError} is as expected and that {@code structuredContent} says the same.
   */
  public static JsonNode answer(JsonNode callToolResult, boolean expectError) {
    assertThat(callToolResult.path("isError").asBoolean(false))
        .as("isError of %s", callToolResult)
        .isEqualTo(expectError);
    JsonNode content = callToolResult.get("content");
    assertThat(content).as("content of %s", callToolResult).hasSize(1);
    assertThat(content.get(0).get("type").asText()).isEqualTo("text");
    JsonNode answer;
    try {
      answer = JSON.readTree(content.get(0).get("text").asText());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (callToolResult.has("structuredContent")) {
      // Numbers compare by value: a JavaScript client prints 1.0 as 1.
      assertThat(callToolResult.get("structuredContent").equals(NUMBERS_BY_VALUE, answer))
          .as(
              "structuredContent %s equals the text %s",
              callToolResult.get("structuredContent"), answer)
          .isTrue();
    }
    return answer;
  }

  /** The error object of a failed tool result, after checking its code. */
  public static JsonNode toolError(JsonNode callToolResult, String code) {
    JsonNode err = answer(callToolResult, true).get("error");
    assertThat(err).as("error of %s", callToolResult).isNotNull();
    assertThat(err.get("code").asText()).as("%s", err).isEqualTo(code);
    assertThat(err.get("message").asText()).isNotBlank();
    assertThat(err.has("field")).isTrue();
    return err;
  }

  /** A JSON object from alternating keys and values. */
  public static ObjectNode obj(Object... kv) {
    ObjectNode n = JSON.createObjectNode();
    for (int i = 0; i < kv.length; i += 2) {
      n.set((String) kv[i], JSON.valueToTree(kv[i + 1]));
    }
    return n;
  }

  /** A JSON array of the given values. */
  public static ArrayNode arr(Object... values) {
    ArrayNode a = JSON.createArrayNode();
    for (Object v : values) {
      a.add(JSON.<JsonNode>valueToTree(v));
    }
    return a;
  }
}
