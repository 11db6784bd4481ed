/**
 * Mem0's MCP memory tools ({@code add_memory}, {@code search_memories}, {@code get_memories},
 * {@code get_memory}, {@code update_memory}, {@code delete_memory}, {@code delete_all_memories},
 * {@code delete_entities}, {@code list_entities}) over one tenant's memory, on the official MCP
 * Java SDK. {@link io.mnemo4j.mcp.MemoryTools} is the tool set, {@link io.mnemo4j.mcp.Caller} says
 * whose memory a call reaches, {@link io.mnemo4j.mcp.StdioServer} serves the tools over stdio and
 * {@link io.mnemo4j.mcp.StreamableHttpEndpoint} over Streamable HTTP behind a host's
 * authentication.
 */
@NullMarked
package io.mnemo4j.mcp;

import org.jspecify.annotations.NullMarked;
