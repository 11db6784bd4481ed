package io.mnemo4j.mcp;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;

/**
 * The memory tools over MCP's Streamable HTTP transport, for a host that authenticates each request
 * itself (Mnemo4j's server: tenant keys) and hands over the {@link Caller}.
 *
 * <p>The endpoint is stateless: every {@code POST} carries one JSON-RPC request or notification and
 * is answered with one JSON body; no {@code Mcp-Session-Id} is issued, so nothing about a client is
 * kept between requests and each request acts only with its own key (a session id cannot be
 * replayed under another key, and a restart loses nothing). {@code GET} (a server-to-client stream)
 * has nothing to offer here; the host answers it with 405, which clients accept.
 *
 * <pre>{@code
 * StreamableHttpEndpoint mcp = StreamableHttpEndpoint.create(MemoryTools.create(), 1 << 20);
 * // in the host's servlet, after authenticating the request:
 * mcp.service(Caller.key(tenantMemory, keyUser, keyId), request, response);
 * }</pre>
 *
 * Thread-safe.
 */
public final class StreamableHttpEndpoint implements AutoCloseable {
  /** The path MCP clients are pointed at. */
  public static final String PATH = "/mcp";

  private static final String CALLER = "io.mnemo4j.mcp.caller";

  private final HttpServletStatelessServerTransport transport;
  private final McpStatelessSyncServer server;

  private StreamableHttpEndpoint(MemoryTools tools, int maxRequestBytes) {
    transport =
        HttpServletStatelessServerTransport.builder()
            .jsonMapper(ServerInfo.jsonMapper())
            .messageEndpoint(PATH)
            .maxRequestSize(maxRequestBytes)
            .contextExtractor(
                request -> McpTransportContext.create(Map.of(CALLER, callerOf(request))))
            .build();
    server =
        McpServer.sync(transport)
            .serverInfo(ServerInfo.NAME, ServerInfo.VERSION)
            .instructions(ServerInfo.INSTRUCTIONS)
            .capabilities(ServerInfo.capabilities())
            .jsonMapper(ServerInfo.jsonMapper())
            .validateToolInputs(false)
            // The servlet transport blocks its request thread anyway: run tools on it.
            .immediateExecution(true)
            .tools(tools.forRequests(ctx -> (Caller) ctx.get(CALLER)))
            .prompts(
                new McpStatelessServerFeatures.SyncPromptSpecification(
                    AssistantPrompt.prompt(), (ctx, req) -> AssistantPrompt.result()))
            .build();
  }

  /** An endpoint for {@code tools}, refusing request bodies over {@code maxRequestBytes} (413). */
  public static StreamableHttpEndpoint create(MemoryTools tools, int maxRequestBytes) {
    Objects.requireNonNull(tools, "tools");
    if (maxRequestBytes < 1) {
      throw new IllegalArgumentException(
          "maxRequestBytes must be positive, got " + maxRequestBytes);
    }
    return new StreamableHttpEndpoint(tools, maxRequestBytes);
  }

  /**
   * Serves one request of the endpoint ({@code POST}: a JSON-RPC message) on behalf of {@code
   * caller}, whom the host has authenticated.
   */
  public void service(Caller caller, HttpServletRequest request, HttpServletResponse response)
      throws IOException, ServletException {
    request.setAttribute(CALLER, Objects.requireNonNull(caller, "caller"));
    transport.service(request, response);
  }

  /** Refuses further requests (503) and releases the server. Idempotent. */
  @Override
  public void close() {
    server.closeGracefully();
  }

  private static Caller callerOf(HttpServletRequest request) {
    Object c = request.getAttribute(CALLER);
    if (c instanceof Caller caller) {
      return caller;
    }
    throw new IllegalStateException("a request reached the MCP endpoint without a Caller");
  }
}
