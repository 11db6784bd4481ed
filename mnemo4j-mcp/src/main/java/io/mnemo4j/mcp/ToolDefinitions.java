package io.mnemo4j.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The names, descriptions, input schemas and hints of the memory tools. Names and argument names
 * (and which arguments are required) are those of Mem0's MCP server, so prompts written for it work
 * unchanged; every schema also says {@code additionalProperties: false}, because an unknown
 * argument is refused rather than ignored. Stateless.
 */
final class ToolDefinitions {
  static final String ADD_MEMORY = "add_memory";
  static final String SEARCH_MEMORIES = "search_memories";
  static final String GET_MEMORIES = "get_memories";
  static final String GET_MEMORY = "get_memory";
  static final String UPDATE_MEMORY = "update_memory";
  static final String DELETE_MEMORY = "delete_memory";
  static final String DELETE_ALL_MEMORIES = "delete_all_memories";
  static final String DELETE_ENTITIES = "delete_entities";
  static final String LIST_ENTITIES = "list_entities";

  /** Default and largest number of search results. */
  static final int DEFAULT_LIMIT = 10;

  /** Default page size of {@code get_memories}. */
  static final int DEFAULT_PAGE_SIZE = 10;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static final String FILTERS_HELP =
      "Filters use Mem0's syntax: {\"user_id\": \"alice\"}, {\"AND\": [{\"agent_id\": \"planner\"},"
          + " {\"created_at\": {\"gte\": \"2024-01-01\"}}]}, {\"categories\": {\"in\": [\"work\"]}},"
          + " {\"metadata\": {\"topic\": \"travel\"}}; operators eq ne gt gte lt lte in nin contains"
          + " icontains, AND/OR/NOT, \"*\" for any value. A top-level user_id, agent_id or run_id is"
          + " the scope searched; without one the session's default user (else its default agent) is"
          + " used, and with neither only organisation (tenant-wide) memory. Organisation memory is"
          + " always included next to a user's or agent's own; {\"user_id\": \"*\"} reaches every"
          + " user.";

  private ToolDefinitions() {}

  /** Every tool, in the order Mem0's server lists them. */
  static List<McpSchema.Tool> all() {
    List<McpSchema.Tool> tools = new ArrayList<>();
    tools.add(
        tool(
            ADD_MEMORY,
            "Remember a fact, preference or piece of conversation. `text` is what to store (one"
                + " user message); with `messages` (role/content turns) the conversation is stored"
                + " instead. The memory lands in the scope named by user_id, agent_id and run_id;"
                + " naming none uses the session's default user and agent, and with no default it"
                + " becomes organisation (tenant-wide) memory. With a language model configured the"
                + " server extracts and reconciles facts; otherwise the text is kept verbatim, and"
                + " something already remembered is not stored twice.",
            schema()
                .string("text", "What to remember, as one plain sentence. Required.")
                .messages()
                .string(
                    "user_id", "The user this memory is about (defaults to the session's user).")
                .string("agent_id", "The agent this memory belongs to.")
                .string(
                    "app_id",
                    "Not supported by Mnemo4j (refused): use user_id, agent_id or run_id.")
                .string("run_id", "The run or session this memory belongs to.")
                .object("metadata", "A JSON object stored with the memory (filterable later).")
                .bool("enable_graph", "Accepted for compatibility; graph memory is not built.")
                .required("text"),
            hints(false, false, false)));
    tools.add(
        tool(
            SEARCH_MEMORIES,
            "Find the memories most relevant to a natural-language query (semantic and keyword"
                + " search together), best first. "
                + FILTERS_HELP,
            schema()
                .string("query", "What to look for, in natural language. Required.")
                .object("filters", "Narrows the search; see the tool description.")
                .integer("limit", "How many memories to return, 1 to 1000 (default 10).", 1, 1000)
                .bool("enable_graph", "Accepted for compatibility; graph memory is not built.")
                .required("query"),
            hints(true, false, true)));
    tools.add(
        tool(
            GET_MEMORIES,
            "List memories page by page, oldest first, selected by filters instead of a query. "
                + FILTERS_HELP
                + " `next` and `previous` in the result are page numbers (or null).",
            schema()
                .object("filters", "Selects the memories; see the tool description.")
                .integer("page", "The page to return, from 1 (default 1).", 1, 100_000)
                .integer("page_size", "Memories per page, 1 to 1000 (default 10).", 1, 1000)
                .bool("enable_graph", "Accepted for compatibility; graph memory is not built."),
            hints(true, false, true)));
    tools.add(
        tool(
            GET_MEMORY,
            "Read one memory by its memory_id (from a search or listing).",
            schema().string("memory_id", "The memory's id. Required.").required("memory_id"),
            hints(true, false, true)));
    tools.add(
        tool(
            UPDATE_MEMORY,
            "Replace the text of one memory, once the user has confirmed which memory_id. The old"
                + " text stays in the memory's history.",
            schema()
                .string("memory_id", "The memory's id. Required.")
                .string("text", "The new text. Required.")
                .required("memory_id", "text"),
            hints(false, true, true)));
    tools.add(
        tool(
            DELETE_MEMORY,
            "Delete one memory, once the user has confirmed its memory_id.",
            schema().string("memory_id", "The memory's id. Required.").required("memory_id"),
            hints(false, true, true)));
    tools.add(
        tool(
            DELETE_ALL_MEMORIES,
            "Delete every memory in one scope: user_id (defaults to the session's user), narrowed"
                + " by agent_id and run_id when given. Without any scope nothing is deleted;"
                + " user_id \"*\" deletes every memory of the organisation, which needs a key for the"
                + " whole tenant.",
            schema()
                .string("user_id", "The user whose memories go (defaults to the session's user).")
                .string("agent_id", "Only the memories of this agent.")
                .string(
                    "app_id",
                    "Not supported by Mnemo4j (refused): use user_id, agent_id or run_id.")
                .string("run_id", "Only the memories of this run."),
            hints(false, true, true)));
    tools.add(
        tool(
            DELETE_ENTITIES,
            "Forget a user, an agent or a run: deletes all of its memories. Each id given is an"
                + " entity to forget; at least one is required.",
            schema()
                .string("user_id", "Forget this user.")
                .string("agent_id", "Forget this agent.")
                .string(
                    "app_id",
                    "Not supported by Mnemo4j (refused): use user_id, agent_id or run_id.")
                .string("run_id", "Forget this run."),
            hints(false, true, true)));
    tools.add(
        tool(
            LIST_ENTITIES,
            "List the users, agents and runs that hold memories, with how many each.",
            schema(),
            hints(true, false, true)));
    return List.copyOf(tools);
  }

  /** The argument names of a tool, in schema order. */
  static List<String> argumentNames(McpSchema.Tool tool) {
    Object props = tool.inputSchema().get("properties");
    if (props instanceof Map<?, ?> m) {
      return m.keySet().stream().map(Object::toString).toList();
    }
    return List.of();
  }

  private static McpSchema.Tool tool(
      String name, String description, SchemaBuilder schema, McpSchema.ToolAnnotations hints) {
    return McpSchema.Tool.builder(name, schema.toMap())
        .description(description)
        .annotations(hints)
        .build();
  }

  private static McpSchema.ToolAnnotations hints(
      boolean readOnly, boolean destructive, boolean idempotent) {
    McpSchema.ToolAnnotations.Builder b =
        McpSchema.ToolAnnotations.builder().readOnlyHint(readOnly).openWorldHint(false);
    if (!readOnly) {
      b.destructiveHint(destructive).idempotentHint(idempotent);
    }
    return b.build();
  }

  private static SchemaBuilder schema() {
    return new SchemaBuilder();
  }

  /** Builds one object schema. Not thread-safe. */
  private static final class SchemaBuilder {
    private final ObjectNode root = MAPPER.createObjectNode();
    private final ObjectNode properties;

    SchemaBuilder() {
      root.put("type", "object");
      properties = root.putObject("properties");
    }

    SchemaBuilder string(String name, String description) {
      properties.putObject(name).put("type", "string").put("description", description);
      return this;
    }

    SchemaBuilder integer(String name, String description, int min, int max) {
      properties
          .putObject(name)
          .put("type", "integer")
          .put("minimum", min)
          .put("maximum", max)
          .put("description", description);
      return this;
    }

    SchemaBuilder bool(String name, String description) {
      properties.putObject(name).put("type", "boolean").put("description", description);
      return this;
    }

    SchemaBuilder object(String name, String description) {
      properties.putObject(name).put("type", "object").put("description", description);
      return this;
    }

    SchemaBuilder messages() {
      ObjectNode m = properties.putObject("messages");
      m.put("type", "array");
      m.put(
          "description",
          "The conversation to remember, as role/content turns (stored instead of `text`).");
      ObjectNode item = m.putObject("items");
      item.put("type", "object");
      ObjectNode p = item.putObject("properties");
      p.putObject("role")
          .put("type", "string")
          .put("description", "user, assistant, system or tool")
          .putArray("enum")
          .add("user")
          .add("assistant")
          .add("system")
          .add("tool");
      p.putObject("content").put("type", "string").put("description", "What was said.");
      p.putObject("name").put("type", "string").put("description", "Who said it (optional).");
      item.putArray("required").add("role").add("content");
      item.put("additionalProperties", false);
      return this;
    }

    SchemaBuilder required(String... names) {
      ArrayNode r = root.putArray("required");
      for (String n : names) {
        r.add(n);
      }
      return this;
    }

    Map<String, Object> toMap() {
      root.put("additionalProperties", false);
      @SuppressWarnings("unchecked")
      Map<String, Object> map = MAPPER.convertValue(root, Map.class);
      return map;
    }
  }
}
