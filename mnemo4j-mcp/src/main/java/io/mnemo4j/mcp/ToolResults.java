package io.mnemo4j.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.ConflictException;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.ModelException;
import io.mnemo4j.NotFoundException;
import io.mnemo4j.OverloadedException;
import io.mnemo4j.StoreUnavailableException;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tool's answer as an MCP result: JSON text plus the same object as structured content; a failure
 * is a result with {@code isError} true whose text is the REST API's error body, from the one
 * exception-to-error table below. Stateless and thread-safe.
 */
final class ToolResults {
  // The logger of the tool set, whose failures these are.
  private static final Logger LOG = LoggerFactory.getLogger(MemoryTools.class);

  private ToolResults() {}

  /** The code, message and argument of a failed call. */
  record Problem(String code, String message, @Nullable String field) {}

  /** A successful result: the answer as JSON text and as structured content. */
  static McpSchema.CallToolResult success(JsonNode answer) {
    return McpSchema.CallToolResult.builder()
        .content(List.of(McpSchema.TextContent.builder(json(answer)).build()))
        .structuredContent(Shapes.MAPPER.convertValue(answer, Map.class))
        .isError(false)
        .build();
  }

  /** A failed result ({@code isError}) carrying the REST API's error body. */
  static McpSchema.CallToolResult failure(Problem p) {
    ObjectNode root = Shapes.object();
    ObjectNode err = root.putObject("error");
    err.put("code", p.code());
    err.put("message", p.message());
    err.put("field", p.field());
    return McpSchema.CallToolResult.builder()
        .content(List.of(McpSchema.TextContent.builder(json(root)).build()))
        .structuredContent(Shapes.MAPPER.convertValue(root, Map.class))
        .isError(true)
        .build();
  }

  /** The one exception-to-error table of the tools, the same codes as the REST API's. */
  static Problem problem(Caller caller, String tool, RuntimeException e) {
    return switch (e) {
      case InvalidRequestException ire ->
          new Problem("invalid_request", ire.getMessage(), ire.field());
      case ToolException te -> new Problem(te.code(), te.getMessage(), te.field());
      case NotFoundException nf -> new Problem("not_found", nf.getMessage(), null);
      case ConflictException c -> new Problem("conflict", c.getMessage(), null);
      case OverloadedException o -> new Problem("overloaded", o.getMessage(), null);
      case StoreUnavailableException su -> {
        LOG.warn("store unavailable in tool {}: {}", tool, su.getMessage());
        yield new Problem("store_unavailable", "the store is unavailable; retry later", null);
      }
      case ModelException me -> {
        LOG.warn("model failure in tool {}: {}", tool, me.getMessage());
        yield me.retriable()
            ? new Problem("model_unavailable", "the model is unavailable; retry later", null)
            : new Problem("model_error", "the model failed", null);
      }
      default -> {
        String incident = UUID.randomUUID().toString();
        LOG.error(
            "internal error {} in tool {} (tenant {})",
            incident,
            tool,
            caller.memory().info().id().value(),
            e);
        yield new Problem("internal_error", "internal error; incident " + incident, null);
      }
    };
  }

  private static String json(JsonNode n) {
    try {
      return Shapes.MAPPER.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }
}
