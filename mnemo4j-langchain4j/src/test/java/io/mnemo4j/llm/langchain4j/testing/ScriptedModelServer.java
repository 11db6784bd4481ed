package io.mnemo4j.llm.langchain4j.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A local HTTP server that answers model calls from a script, in the OpenAI chat-completions format
 * (and Anthropic's messages format), and records every request. For tests that must never touch the
 * network. Thread-safe.
 *
 * <p>Responses are served in the order enqueued, one per request, whatever the path. Published in
 * this module's test-jar ({@code io.mnemo4j:mnemo4j-langchain4j:test-jar}) for other modules'
 * tests.
 *
 * <pre>{@code
 * try (ScriptedModelServer server = ScriptedModelServer.start()) {
 *   server.enqueueCompletion("{\"facts\":[]}", 12, 3);
 *   LanguageModel model = LanguageModels.create(
 *       LlmConfig.parse(Map.of("provider", "openai", "model", "m", "base_url", server.baseUrl())),
 *       name -> null);
 *   ...
 *   assertThat(server.requests().get(0).messages()).extracting(Message::role) ...
 * }
 * }</pre>
 */
public final class ScriptedModelServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MockWebServer server;
  private final List<Request> recorded = new ArrayList<>();
  private int completions;

  private ScriptedModelServer(MockWebServer server) {
    this.server = server;
  }

  /** Starts a server on a free port of the loopback interface. */
  public static ScriptedModelServer start() {
    MockWebServer server = new MockWebServer();
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the scripted model server", e);
    }
    return new ScriptedModelServer(server);
  }

  /** The OpenAI-style base URL, ending in {@code /v1} ({@code http://127.0.0.1:4711/v1}). */
  public String baseUrl() {
    return rootUrl() + "/v1";
  }

  /** The server's root URL, without a trailing slash (what an Ollama {@code base_url} names). */
  public String rootUrl() {
    String url = server.url("/").toString();
    return url.substring(0, url.length() - 1);
  }

  /** Answers the next request with a chat completion of {@code content} and the given usage. */
  public synchronized ScriptedModelServer enqueueCompletion(
      String content, int promptTokens, int completionTokens) {
    ObjectNode usage = JSON.createObjectNode();
    usage.put("prompt_tokens", promptTokens);
    usage.put("completion_tokens", completionTokens);
    usage.put("total_tokens", promptTokens + completionTokens);
    server.enqueue(json(200, completion(content, usage)).build());
    return this;
  }

  /** Answers the next request with a chat completion that reports no usage (as some servers do). */
  public synchronized ScriptedModelServer enqueueCompletionWithoutUsage(String content) {
    server.enqueue(json(200, completion(content, null)).build());
    return this;
  }

  /**
   * Answers the next request with a chat completion of {@code content} whose headers come only
   * after {@code delay}, to trigger a client timeout. Keep the delay short: closing the server
   * waits for it.
   */
  public synchronized ScriptedModelServer enqueueDelayed(String content, Duration delay) {
    server.enqueue(
        json(200, completion(content, null))
            .headersDelay(delay.toMillis(), TimeUnit.MILLISECONDS)
            .build());
    return this;
  }

  /** Answers the next request with {@code code}, extra {@code headers} and a raw {@code body}. */
  public synchronized ScriptedModelServer enqueueStatus(
      int code, Map<String, String> headers, String body) {
    MockResponse.Builder response =
        new MockResponse.Builder()
            .code(code)
            .addHeader("Content-Type", "application/json")
            .body(body);
    headers.forEach(response::addHeader);
    server.enqueue(response.build());
    return this;
  }

  /**
   * Answers the next request with an OpenAI-style error: {@code {"error":{"message","type",
   * "code"}}}.
   */
  public synchronized ScriptedModelServer enqueueError(
      int code, Map<String, String> headers, String type, String message) {
    ObjectNode error = JSON.createObjectNode();
    error.putObject("error").put("message", message).put("type", type).put("code", type);
    return enqueueStatus(code, headers, error.toString());
  }

  /** Answers the next request with an Anthropic messages-API response of {@code text}. */
  public synchronized ScriptedModelServer enqueueAnthropicMessage(
      String text, int inputTokens, int outputTokens) {
    ObjectNode body = JSON.createObjectNode();
    body.put("id", "msg_" + (++completions));
    body.put("type", "message");
    body.put("role", "assistant");
    body.put("model", "scripted");
    body.putArray("content").addObject().put("type", "text").put("text", text);
    body.put("stop_reason", "end_turn");
    body.putObject("usage").put("input_tokens", inputTokens).put("output_tokens", outputTokens);
    server.enqueue(json(200, body).build());
    return this;
  }

  /** How many requests reached the server so far, answered or not. */
  public int requestCount() {
    return server.getRequestCount();
  }

  /** Every request received so far, oldest first. */
  public synchronized List<Request> requests() {
    try {
      RecordedRequest next;
      while ((next = server.takeRequest(0, TimeUnit.MILLISECONDS)) != null) {
        recorded.add(Request.of(next));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading recorded requests", e);
    }
    return List.copyOf(recorded);
  }

  /** The only request received so far; fails when there were none or several. */
  public Request onlyRequest() {
    List<Request> all = requests();
    if (all.size() != 1) {
      throw new AssertionError("expected exactly one request, got " + all.size());
    }
    return all.get(0);
  }

  /** Stops the server. */
  @Override
  public void close() {
    server.close();
  }

  private synchronized ObjectNode completion(String content, ObjectNode usage) {
    ObjectNode body = JSON.createObjectNode();
    body.put("id", "chatcmpl-" + (++completions));
    body.put("object", "chat.completion");
    body.put("created", 1_700_000_000L);
    body.put("model", "scripted");
    ArrayNode choices = body.putArray("choices");
    ObjectNode choice = choices.addObject();
    choice.put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", content);
    choice.put("finish_reason", "stop");
    if (usage != null) {
      body.set("usage", usage);
    }
    return body;
  }

  private static MockResponse.Builder json(int code, JsonNode body) {
    return new MockResponse.Builder()
        .code(code)
        .addHeader("Content-Type", "application/json")
        .body(body.toString());
  }

  /**
   * One recorded request.
   *
   * @param method the HTTP method
   * @param path the request target ({@code /v1/chat/completions})
   * @param headers the headers, names in lower case (the first value of each)
   * @param body the body as text (empty when none)
   */
  public record Request(String method, String path, Map<String, String> headers, String body) {
    static Request of(RecordedRequest recorded) {
      Map<String, String> headers = new LinkedHashMap<>();
      for (String name : recorded.getHeaders().names()) {
        headers.put(name.toLowerCase(Locale.ROOT), recorded.getHeaders().get(name));
      }
      String body = recorded.getBody() == null ? "" : recorded.getBody().utf8();
      return new Request(recorded.getMethod(), recorded.getTarget(), Map.copyOf(headers), body);
    }

    /** The header {@code name} (case-insensitive), if sent. */
    public Optional<String> header(String name) {
      return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The body, parsed as JSON. */
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("request body is not JSON: " + body, e);
      }
    }

    /**
     * The prompt messages, in order: OpenAI's {@code messages}, or Anthropic's top-level {@code
     * system} followed by its {@code messages}; content blocks are joined.
     */
    public List<Message> messages() {
      JsonNode json = json();
      List<Message> messages = new ArrayList<>();
      if (json.hasNonNull("system")) {
        messages.add(new Message("system", text(json.get("system"))));
      }
      for (JsonNode message : json.path("messages")) {
        messages.add(new Message(message.path("role").asText(), text(message.path("content"))));
      }
      return messages;
    }

    /** OpenAI's {@code response_format}, if sent. */
    public Optional<JsonNode> responseFormat() {
      return Optional.ofNullable(json().get("response_format"));
    }

    private static String text(JsonNode content) {
      if (content.isTextual()) {
        return content.asText();
      }
      StringBuilder text = new StringBuilder();
      for (JsonNode block : content) {
        text.append(block.path("text").asText());
      }
      return text.toString();
    }
  }

  /**
   * One prompt message as sent.
   *
   * @param role {@code system}, {@code user} or {@code assistant}
   * @param content its text
   */
  public record Message(String role, String content) {}
}
