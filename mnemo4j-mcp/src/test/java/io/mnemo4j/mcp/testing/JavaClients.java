package io.mnemo4j.mcp.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Clients of the official MCP Java SDK for the end-to-end tests. Stateless. */
public final class JavaClients {
  private JavaClients() {}

  /**
   * A client of the Streamable HTTP endpoint at {@code baseUrl + "/mcp"}, sending {@code
   * authorization} as the {@code Authorization} header when not null. Not yet initialized.
   */
  public static McpSyncClient http(String baseUrl, @Nullable String authorization) {
    HttpRequest.Builder request = HttpRequest.newBuilder();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpClientStreamableHttpTransport transport =
        HttpClientStreamableHttpTransport.builder(baseUrl)
            .endpoint("/mcp")
            .jsonMapper(new JacksonMcpJsonMapper(new ObjectMapper()))
            .requestBuilder(request)
            .build();
    return McpClient.sync(transport)
        .clientInfo(McpSchema.Implementation.builder("mnemo4j-java-test-client", "1.0.0").build())
        .requestTimeout(Duration.ofSeconds(60))
        .initializationTimeout(Duration.ofSeconds(60))
        .build();
  }

  /** A client that starts {@code command args} with {@code env} and talks to it over stdio. */
  public static McpSyncClient stdio(String command, List<String> args, Map<String, String> env) {
    ServerParameters params = ServerParameters.builder(command).args(args).env(env).build();
    StdioClientTransport transport =
        new StdioClientTransport(params, new JacksonMcpJsonMapper(new ObjectMapper()));
    return McpClient.sync(transport)
        .clientInfo(McpSchema.Implementation.builder("mnemo4j-java-test-client", "1.0.0").build())
        .requestTimeout(Duration.ofSeconds(120))
        .initializationTimeout(Duration.ofSeconds(120))
        .build();
  }

  /** An SDK object (a tool list, a tool result...) as JSON, as it travelled. */
  public static JsonNode json(Object sdkValue) {
    return McpContract.JSON.valueToTree(sdkValue);
  }

  /** Calls {@code tool} with JSON arguments and returns the result as JSON. */
  public static JsonNode call(McpSyncClient client, String tool, JsonNode arguments) {
    @SuppressWarnings("unchecked")
    Map<String, Object> args = McpContract.JSON.convertValue(arguments, Map.class);
    return json(client.callTool(McpSchema.CallToolRequest.builder(tool).arguments(args).build()));
  }

  /** The path of this JVM's java binary (to start a child JVM on the same runtime). */
  public static String javaBinary() {
    return ProcessHandle.current().info().command().orElse("java");
  }
}
