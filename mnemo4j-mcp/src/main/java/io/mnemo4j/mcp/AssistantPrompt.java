package io.mnemo4j.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;

/**
 * The {@code memory_assistant} prompt (as Mem0's server offers one): how to use the tools well with
 * this server's scoping rules. Stateless.
 */
final class AssistantPrompt {
  static final String NAME = "memory_assistant";

  private static final String TEXT =
      """
      You have long-term memory through the Mnemo4j MCP server.

      - add_memory: store facts, preferences and decisions worth keeping (one plain sentence in `text`).
      - search_memories: look up what you know before answering (a natural-language `query`).
      - get_memories: browse memories page by page with `filters`.
      - get_memory, update_memory, delete_memory: act on one memory by its memory_id, after the user confirms it.
      - delete_all_memories, delete_entities: remove a whole scope, only when the user asks for it.
      - list_entities: which users, agents and runs hold memories.

      Scoping: calls that name no user_id, agent_id or run_id act for this session's default user (and agent).
      Organisation memory (no user, agent or run) is shared by every user and appears in searches next to a
      user's own. Filters use Mem0's syntax, for example {"AND": [{"user_id": "alice"},
      {"created_at": {"gte": "2024-01-01"}}]}; "*" matches any value.

      A failed call answers {"error": {"code", "message", "field"}}: fix the argument named in `field`.
      """;

  private AssistantPrompt() {}

  static McpSchema.Prompt prompt() {
    return McpSchema.Prompt.builder(NAME)
        .description("How to use the memory tools and their scoping rules.")
        .build();
  }

  static McpSchema.GetPromptResult result() {
    return McpSchema.GetPromptResult.builder(
            List.of(
                McpSchema.PromptMessage.builder(
                        McpSchema.Role.USER, McpSchema.TextContent.builder(TEXT.strip()).build())
                    .build()))
        .description("How to use the memory tools")
        .build();
  }
}
