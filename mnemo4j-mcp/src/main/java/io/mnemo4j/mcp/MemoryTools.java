package io.mnemo4j.mcp;

import static io.mnemo4j.mcp.ToolDefinitions.ADD_MEMORY;
import static io.mnemo4j.mcp.ToolDefinitions.DELETE_ALL_MEMORIES;
import static io.mnemo4j.mcp.ToolDefinitions.DELETE_ENTITIES;
import static io.mnemo4j.mcp.ToolDefinitions.DELETE_MEMORY;
import static io.mnemo4j.mcp.ToolDefinitions.GET_MEMORIES;
import static io.mnemo4j.mcp.ToolDefinitions.GET_MEMORY;
import static io.mnemo4j.mcp.ToolDefinitions.LIST_ENTITIES;
import static io.mnemo4j.mcp.ToolDefinitions.SEARCH_MEMORIES;
import static io.mnemo4j.mcp.ToolDefinitions.UPDATE_MEMORY;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo4j.EventType;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory tools of Mem0's MCP server, over one tenant's memory per {@link Caller}: {@code
 * add_memory}, {@code search_memories}, {@code get_memories}, {@code get_memory}, {@code
 * update_memory}, {@code delete_memory}, {@code delete_all_memories}, {@code delete_entities} and
 * {@code list_entities}, with Mem0's argument names and answer shapes (JSON text, also given as
 * structured content).
 *
 * <p>Every failure is a tool result with {@code isError: true} whose text is {@code
 * {"error":{"code","message","field"}}}, the REST API's error shape: {@code field} names the
 * argument ({@code limit}, {@code filters.AND[1].created_at}, {@code messages[0].role}). A call
 * never throws and never ends the session.
 *
 * <p>This class lists and dispatches the tools; {@link AddMemoryTool}, {@link ReadTools} and {@link
 * WriteTools} run them and {@link ToolResults} turns answers and failures into results.
 * Thread-safe.
 */
public final class MemoryTools {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryTools.class);

  private final List<McpSchema.Tool> tools = ToolDefinitions.all();
  private final Map<String, Set<String>> arguments = new LinkedHashMap<>();
  private final ToolListener listener;

  private MemoryTools(ToolListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    for (McpSchema.Tool t : tools) {
      arguments.put(t.name(), new LinkedHashSet<>(ToolDefinitions.argumentNames(t)));
    }
  }

  /** The tool set, reporting to no one. */
  public static MemoryTools create() {
    return new MemoryTools(ToolListener.NONE);
  }

  /** The tool set, reporting every finished call to {@code listener}. */
  public static MemoryTools create(ToolListener listener) {
    return new MemoryTools(listener);
  }

  /** The tools as listed by {@code tools/list}: names, descriptions, input schemas and hints. */
  public List<McpSchema.Tool> tools() {
    return tools;
  }

  /**
   * Runs one tool for {@code caller}. Never throws: failures are results with {@code isError} true.
   */
  public McpSchema.CallToolResult call(
      Caller caller, String tool, @Nullable Map<String, Object> args) {
    long t0 = System.nanoTime();
    List<EventType> events = new ArrayList<>();
    String errorCode = null;
    McpSchema.CallToolResult result;
    try {
      result = ToolResults.success(run(caller, tool, args, events));
    } catch (RuntimeException e) {
      ToolResults.Problem p = ToolResults.problem(caller, tool, e);
      errorCode = p.code();
      result = ToolResults.failure(p);
    }
    ToolCall call =
        new ToolCall(
            tool,
            caller.memory().info().id(),
            caller.principal(),
            errorCode,
            events,
            Duration.ofNanos(System.nanoTime() - t0));
    try {
      listener.called(call);
    } catch (RuntimeException e) {
      LOG.warn("tool listener failed on {}: {}", tool, e.toString());
    }
    LOG.debug(
        "tool={} tenant={} caller={} error={} ms={}",
        tool,
        call.tenant().value(),
        call.principal(),
        errorCode == null ? "-" : errorCode,
        call.took().toMillis());
    return result;
  }

  /** The tools bound to one caller, for a session (stdio) server. */
  List<McpServerFeatures.SyncToolSpecification> forSession(Caller caller) {
    return tools.stream()
        .map(
            t ->
                McpServerFeatures.SyncToolSpecification.builder()
                    .tool(t)
                    .callHandler((exchange, req) -> call(caller, t.name(), req.arguments()))
                    .build())
        .toList();
  }

  /** The tools resolving their caller from each request's transport context (stateless HTTP). */
  List<McpStatelessServerFeatures.SyncToolSpecification> forRequests(
      Function<McpTransportContext, Caller> callers) {
    return tools.stream()
        .map(
            t ->
                McpStatelessServerFeatures.SyncToolSpecification.builder()
                    .tool(t)
                    .callHandler((ctx, req) -> call(callers.apply(ctx), t.name(), req.arguments()))
                    .build())
        .toList();
  }

  private JsonNode run(
      Caller caller, String tool, @Nullable Map<String, Object> raw, List<EventType> events) {
    Set<String> known = arguments.get(tool);
    if (known == null) {
      throw new ToolException("not_found", "no tool named '" + Args.clip(tool) + "'", "name");
    }
    Args args = Args.of(tool, raw, known);
    return switch (tool) {
      case ADD_MEMORY -> AddMemoryTool.run(caller, args, events);
      case SEARCH_MEMORIES -> ReadTools.searchMemories(caller, args);
      case GET_MEMORIES -> ReadTools.getMemories(caller, args);
      case GET_MEMORY -> ReadTools.getMemory(caller, args);
      case UPDATE_MEMORY -> WriteTools.updateMemory(caller, args);
      case DELETE_MEMORY -> WriteTools.deleteMemory(caller, args);
      case DELETE_ALL_MEMORIES -> WriteTools.deleteAllMemories(caller, args);
      case DELETE_ENTITIES -> WriteTools.deleteEntities(caller, args);
      case LIST_ENTITIES -> ReadTools.listEntities(caller);
      default -> throw new IllegalStateException("tool without implementation: " + tool);
    };
  }
}
