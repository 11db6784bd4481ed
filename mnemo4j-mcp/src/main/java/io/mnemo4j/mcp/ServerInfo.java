package io.mnemo4j.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;

/** What both transports announce at {@code initialize}, and their JSON mapper. Stateless. */
final class ServerInfo {
  static final String NAME = "mnemo4j";
  static final String VERSION = "0.1.0-SNAPSHOT";

  static final String INSTRUCTIONS =
      "Long-term memory for this conversation's user, shared with their organisation. Search"
          + " memories before answering questions about the user, their preferences or their"
          + " organisation; add a memory when they tell you something worth keeping. Calls naming"
          + " no user_id, agent_id or run_id act for this session's default user. The"
          + " memory_assistant prompt explains the tools.";

  private ServerInfo() {}

  static McpJsonMapper jsonMapper() {
    return new JacksonMcpJsonMapper(new ObjectMapper());
  }

  static McpSchema.ServerCapabilities capabilities() {
    return McpSchema.ServerCapabilities.builder().tools(false).prompts(false).build();
  }
}
