package io.mnemo4j.llm.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.llm.ChatMessage;
import io.mnemo4j.llm.Completion;
import io.mnemo4j.llm.CompletionRequest;
import io.mnemo4j.llm.LanguageModel;
import io.mnemo4j.llm.LanguageModelException;
import io.mnemo4j.llm.LanguageModelException.Failure;
import io.mnemo4j.llm.ResponseSchema;
import io.mnemo4j.llm.TokenUsage;
import io.mnemo4j.llm.langchain4j.testing.ScriptedModelServer;
import io.mnemo4j.llm.langchain4j.testing.ScriptedModelServer.Message;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Building models from configuration: keys, Ollama and Anthropic, against a scripted server. */
class LanguageModelsTest {
  private static final Function<String, String> NO_ENV = name -> null;
  private static final ResponseSchema SCHEMA =
      new ResponseSchema(
          "answer",
          "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},"
              + "\"required\":[\"a\"],\"additionalProperties\":false}");
  private static final CompletionRequest PROMPT =
      new CompletionRequest(
          List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hello")), null, "test");

  private ScriptedModelServer server;

  @BeforeEach
  void start() {
    server = ScriptedModelServer.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static Map<String, Object> block(Object... keysAndValues) {
    Map<String, Object> block = new HashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      block.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return block;
  }

  private static LanguageModel create(Map<String, Object> block, Function<String, String> env) {
    return LanguageModels.create(LlmConfig.parse(block), env);
  }

  @Test
  void create_keyFromFile_trimmedAndSentAsBearer(@TempDir Path dir) throws Exception {
    Path keyFile = dir.resolve("openai.key");
    Files.writeString(keyFile, "  sk-from-file-123\n");
    server.enqueueCompletion("ok", 1, 1);

    try (LanguageModel model =
        create(
            block(
                "provider",
                "openai",
                "base_url",
                server.baseUrl(),
                "model",
                "gpt-4o-mini",
                "api_key_file",
                keyFile.toString()),
            NO_ENV)) {
      model.complete(PROMPT);
    }

    assertThat(server.onlyRequest().header("Authorization")).contains("Bearer sk-from-file-123");
  }

  @Test
  void create_openAiWithoutKey_sendsNoAuthorization() {
    server.enqueueCompletion("ok", 1, 1);

    try (LanguageModel model =
        create(block("provider", "openai", "base_url", server.baseUrl(), "model", "m"), NO_ENV)) {
      assertThat(model.modelId()).isEqualTo("openai:m");
      model.complete(PROMPT);
    }

    assertThat(server.onlyRequest().header("Authorization")).isEmpty();
  }

  @Test
  void create_envVariableNotSet_namesField() {
    InvalidRequestException e =
        catchThrowableOfType(
            InvalidRequestException.class,
            () ->
                create(
                    block("provider", "openai", "model", "m", "api_key_env", "MISSING_KEY"),
                    NO_ENV));

    assertThat(e.field()).isEqualTo("llm.api_key_env");
    assertThat(e.getMessage()).contains("MISSING_KEY");
  }

  @Test
  void create_keyFileMissing_namesField(@TempDir Path dir) {
    InvalidRequestException e =
        catchThrowableOfType(
            InvalidRequestException.class,
            () ->
                create(
                    block(
                        "provider", "openai",
                        "model", "m",
                        "api_key_file", dir.resolve("nope.key").toString()),
                    NO_ENV));

    assertThat(e.field()).isEqualTo("llm.api_key_file");
  }

  @Test
  void create_keyFileEmpty_namesField(@TempDir Path dir) throws Exception {
    Path keyFile = Files.writeString(dir.resolve("empty.key"), " \n");

    InvalidRequestException e =
        catchThrowableOfType(
            InvalidRequestException.class,
            () ->
                create(
                    block("provider", "openai", "model", "m", "api_key_file", keyFile.toString()),
                    NO_ENV));

    assertThat(e.field()).isEqualTo("llm.api_key_file");
  }

  @Test
  void create_ollama_sendsToV1ChatCompletionsWithJsonModeAndSchemaInPrompt() {
    server.enqueueCompletion("{\"a\":\"b\"}", 3, 4);

    Completion completion;
    try (LanguageModel model =
        create(
            block("provider", "ollama", "base_url", server.rootUrl(), "model", "llama3.2"),
            NO_ENV)) {
      assertThat(model.modelId()).isEqualTo("ollama:llama3.2");
      completion = model.complete(new CompletionRequest(PROMPT.messages(), SCHEMA, "extract"));
    }

    assertThat(completion.text()).isEqualTo("{\"a\":\"b\"}");
    assertThat(completion.usage()).isEqualTo(TokenUsage.ofCall(3, 4));
    ScriptedModelServer.Request request = server.onlyRequest();
    assertThat(request.path()).isEqualTo("/v1/chat/completions");
    assertThat(request.header("Authorization")).isEmpty();
    assertThat(request.responseFormat().orElseThrow().path("type").asText())
        .isEqualTo("json_object");
    assertThat(request.messages().get(0).content())
        .startsWith("Be brief.")
        .contains("\"required\":[\"a\"]");
  }

  @Test
  void create_ollamaWithJsonSchemaAndMaxTokens_sendsSchemaAndMaxTokens() {
    server.enqueueCompletion("{}", 1, 1);

    try (LanguageModel model =
        create(
            block(
                "provider",
                "ollama",
                "base_url",
                server.baseUrl(), // already ends in /v1: not doubled
                "model",
                "qwen3",
                "json_schema",
                true,
                "max_tokens",
                100),
            NO_ENV)) {
      model.complete(new CompletionRequest(PROMPT.messages(), SCHEMA, "extract"));
    }

    ScriptedModelServer.Request request = server.onlyRequest();
    assertThat(request.path()).isEqualTo("/v1/chat/completions");
    assertThat(request.responseFormat().orElseThrow().path("type").asText())
        .isEqualTo("json_schema");
    assertThat(request.json().path("max_tokens").asInt()).isEqualTo(100);
  }

  @Test
  void create_anthropicWithoutKey_refused() {
    InvalidRequestException e =
        catchThrowableOfType(
            InvalidRequestException.class,
            () -> create(block("provider", "anthropic", "model", "claude-x"), NO_ENV));

    assertThat(e.field()).isEqualTo("llm.api_key_env");
    assertThat(e.getMessage()).contains("anthropic");
  }

  @Test
  void create_anthropic_sendsMessagesApiWithSchemaAndMapsUsage() {
    server.enqueueAnthropicMessage("{\"a\":\"b\"}", 21, 8);

    Completion completion;
    try (LanguageModel model = anthropic(block())) {
      assertThat(model.modelId()).isEqualTo("anthropic:claude-sonnet-4-5");
      completion =
          model.complete(
              new CompletionRequest(
                  List.of(
                      ChatMessage.system("Be brief."),
                      ChatMessage.user("Hello"),
                      ChatMessage.assistant("Hi"),
                      ChatMessage.user("Again")),
                  SCHEMA,
                  "extract"));
    }

    assertThat(completion.text()).isEqualTo("{\"a\":\"b\"}");
    assertThat(completion.usage()).isEqualTo(TokenUsage.ofCall(21, 8));
    ScriptedModelServer.Request request = server.onlyRequest();
    assertThat(request.path()).isEqualTo("/v1/messages");
    assertThat(request.header("x-api-key")).contains("sk-ant-test");
    assertThat(request.header("Authorization")).isEmpty();
    assertThat(request.messages())
        .containsExactly(
            new Message("system", "Be brief."),
            new Message("user", "Hello"),
            new Message("assistant", "Hi"),
            new Message("user", "Again"));
    JsonNode format = request.json().path("output_config").path("format");
    assertThat(format.path("type").asText()).isEqualTo("json_schema");
    assertThat(format.path("schema").path("required").get(0).asText()).isEqualTo("a");
  }

  @Test
  void create_anthropicWithoutJsonSchema_schemaInSystemPromptOnly() {
    server.enqueueAnthropicMessage("{\"a\":\"b\"}", 1, 1);

    try (LanguageModel model = anthropic(block("json_schema", false))) {
      model.complete(new CompletionRequest(PROMPT.messages(), SCHEMA, "extract"));
    }

    ScriptedModelServer.Request request = server.onlyRequest();
    assertThat(request.json().has("output_config")).isFalse();
    assertThat(request.messages().get(0).content()).contains("\"required\":[\"a\"]");
  }

  @Test
  void create_anthropicOverloaded_unavailableWithRetryAfterAndOneRequest() {
    server.enqueueStatus(
        529,
        Map.of("retry-after", "3"),
        "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");

    LanguageModelException e;
    try (LanguageModel model = anthropic(block())) {
      e = catchThrowableOfType(LanguageModelException.class, () -> model.complete(PROMPT));
    }

    assertThat(e.failure()).isEqualTo(Failure.UNAVAILABLE);
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(3));
    assertThat(e.getMessage()).contains("[overloaded_error]");
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void create_anthropicRateLimited_rateLimitedWithRetryAfter() {
    server.enqueueStatus(
        429,
        Map.of("retry-after", "2"),
        "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow\"}}");

    LanguageModelException e;
    try (LanguageModel model = anthropic(block())) {
      e = catchThrowableOfType(LanguageModelException.class, () -> model.complete(PROMPT));
    }

    assertThat(e.failure()).isEqualTo(Failure.RATE_LIMITED);
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(2));
    assertThat(server.requestCount()).isEqualTo(1);
  }

  private LanguageModel anthropic(Map<String, Object> overrides) {
    Map<String, Object> block =
        block(
            "provider", "anthropic",
            "base_url", server.baseUrl(),
            "model", "claude-sonnet-4-5",
            "api_key_env", "ANTHROPIC_API_KEY");
    block.putAll(overrides);
    return create(block, name -> name.equals("ANTHROPIC_API_KEY") ? "sk-ant-test" : null);
  }
}
