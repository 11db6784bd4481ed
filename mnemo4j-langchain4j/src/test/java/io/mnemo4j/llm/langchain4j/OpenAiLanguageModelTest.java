package io.mnemo4j.llm.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The OpenAI chat-completions path end to end, against a scripted server. */
class OpenAiLanguageModelTest {
  private static final String KEY = "sk-test-0123456789abcdef";
  private static final String SECRET_PROMPT = "my secret diary entry about Atlas";
  private static final ResponseSchema FACTS =
      new ResponseSchema(
          "facts",
          """
          {"type":"object","properties":{"facts":{"type":"array","items":{"type":"string"}}},\
          "required":["facts"],"additionalProperties":false}""");

  private ScriptedModelServer server;
  private LanguageModel model;

  @BeforeEach
  void start() {
    server = ScriptedModelServer.start();
    model = openAi(Map.of());
  }

  @AfterEach
  void stop() {
    model.close();
    server.close();
  }

  private LanguageModel openAi(Map<String, Object> overrides) {
    Map<String, Object> block = new HashMap<>();
    block.put("provider", "openai");
    block.put("base_url", server.baseUrl());
    block.put("model", "gpt-4o-mini");
    block.put("api_key_env", "OPENAI_API_KEY");
    block.put("timeout", "300ms");
    block.putAll(overrides);
    return LanguageModels.create(
        LlmConfig.parse(block), name -> name.equals("OPENAI_API_KEY") ? KEY : null);
  }

  private static CompletionRequest prompt(ResponseSchema schema) {
    return new CompletionRequest(
        List.of(
            ChatMessage.system("Extract facts."),
            ChatMessage.user(SECRET_PROMPT),
            ChatMessage.assistant("{\"facts\":[]}"),
            ChatMessage.user("Try again.")),
        schema,
        "extract");
  }

  @Test
  void complete_messages_sentInOrderWithRoles() {
    server.enqueueCompletion("{\"facts\":[\"CRM is Atlas\"]}", 10, 5);

    Completion completion = model.complete(prompt(null));

    assertThat(completion.text()).isEqualTo("{\"facts\":[\"CRM is Atlas\"]}");
    ScriptedModelServer.Request request = server.onlyRequest();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/v1/chat/completions");
    assertThat(request.messages())
        .containsExactly(
            new Message("system", "Extract facts."),
            new Message("user", SECRET_PROMPT),
            new Message("assistant", "{\"facts\":[]}"),
            new Message("user", "Try again."));
    assertThat(request.json().path("model").asText()).isEqualTo("gpt-4o-mini");
    assertThat(request.json().path("temperature").asDouble(-1)).isEqualTo(0.0);
    assertThat(request.responseFormat()).isEmpty();
  }

  @Test
  void complete_plainHttp_noH2cUpgradeOffered() {
    server.enqueueCompletion("ok", 1, 1);

    model.complete(prompt(null));

    // vLLM and LM Studio drop the body or hang on the JDK's default "Upgrade: h2c".
    ScriptedModelServer.Request request = server.onlyRequest();
    assertThat(request.header("Upgrade")).isEmpty();
    assertThat(request.header("HTTP2-Settings")).isEmpty();
  }

  @Test
  void complete_withSchema_sendsStrictJsonSchemaResponseFormat() {
    server.enqueueCompletion("{\"facts\":[]}", 1, 1);

    model.complete(prompt(FACTS));

    JsonNode format = server.onlyRequest().responseFormat().orElseThrow();
    assertThat(format.path("type").asText()).isEqualTo("json_schema");
    assertThat(format.path("json_schema").path("name").asText()).isEqualTo("facts");
    assertThat(format.path("json_schema").path("strict").asBoolean()).isTrue();
    assertThat(format.path("json_schema").path("schema").path("required").get(0).asText())
        .isEqualTo("facts");
    assertThat(
            format.path("json_schema").path("schema").path("additionalProperties").asBoolean(true))
        .isFalse();
    // The schema is enforced by the provider, so the prompt is sent untouched.
    assertThat(server.requests().get(0).messages().get(0).content()).isEqualTo("Extract facts.");
  }

  @Test
  void complete_withSchemaAndJsonSchemaOff_sendsJsonModeAndSchemaInSystemMessage() {
    model.close();
    model = openAi(Map.of("json_schema", false));
    server.enqueueCompletion("{\"facts\":[]}", 1, 1);

    model.complete(prompt(FACTS));

    ScriptedModelServer.Request request = server.onlyRequest();
    assertThat(request.responseFormat().orElseThrow().path("type").asText())
        .isEqualTo("json_object");
    String system = request.messages().get(0).content();
    assertThat(system).startsWith("Extract facts.").contains("\"additionalProperties\":false");
    assertThat(request.messages()).hasSize(4);
  }

  @Test
  void complete_usage_mapped() {
    server.enqueueCompletion("ok", 123, 45);

    assertThat(model.complete(prompt(null)).usage()).isEqualTo(new TokenUsage(123, 45, 1));
  }

  @Test
  void complete_noUsageInResponse_zeroTokensOneCall() {
    server.enqueueCompletionWithoutUsage("ok");

    assertThat(model.complete(prompt(null)).usage()).isEqualTo(new TokenUsage(0, 0, 1));
  }

  @Test
  void complete_maxTokens_sentAsMaxCompletionTokens() {
    model.close();
    model = openAi(Map.of("max_tokens", 256, "temperature", 0.5));
    server.enqueueCompletion("ok", 1, 1);

    model.complete(prompt(null));

    JsonNode body = server.onlyRequest().json();
    assertThat(body.path("max_completion_tokens").asInt()).isEqualTo(256);
    assertThat(body.has("max_tokens")).isFalse();
    assertThat(body.path("temperature").asDouble()).isEqualTo(0.5);
  }

  @Test
  void complete_keyFromEnvironment_sentAsBearer() {
    server.enqueueCompletion("ok", 1, 1);

    model.complete(prompt(null));

    assertThat(server.onlyRequest().header("Authorization")).contains("Bearer " + KEY);
  }

  @Test
  void complete_429WithRetryAfterSeconds_rateLimitedWithRetryAfter() {
    server.enqueueError(429, Map.of("Retry-After", "2"), "rate_limit_exceeded", "Slow down");

    LanguageModelException e = failure();

    assertThat(e.failure()).isEqualTo(Failure.RATE_LIMITED);
    assertThat(e.retriable()).isTrue();
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(2));
    assertThat(e.getMessage()).contains("openai:gpt-4o-mini", "extract", "429");
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void complete_429WithRetryAfterDate_retryAfterUntilThatDate() {
    String date =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30));
    server.enqueueStatus(429, Map.of("Retry-After", date), "{}");

    LanguageModelException e = failure();

    assertThat(e.failure()).isEqualTo(Failure.RATE_LIMITED);
    // HTTP-dates have whole seconds: allow for the truncation and the test's own run time.
    assertThat(e.retryAfter().orElseThrow())
        .isBetween(Duration.ofSeconds(25), Duration.ofSeconds(30));
  }

  @Test
  void complete_429WithRetryAfterMs_preferredOverRetryAfter() {
    server.enqueueStatus(429, Map.of("retry-after-ms", "1500", "Retry-After", "2"), "{}");

    assertThat(failure().retryAfter()).contains(Duration.ofMillis(1500));
  }

  @Test
  void complete_503WithRetryAfter_unavailableWithRetryAfter() {
    server.enqueueStatus(503, Map.of("Retry-After", "7"), "<html>busy</html>");

    LanguageModelException e = failure();

    assertThat(e.failure()).isEqualTo(Failure.UNAVAILABLE);
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @CsvSource({
    "429, RATE_LIMITED",
    "500, UNAVAILABLE",
    "502, UNAVAILABLE",
    "503, UNAVAILABLE",
    "401, AUTHENTICATION",
    "403, AUTHENTICATION",
    "400, REJECTED",
    "404, REJECTED",
    "422, REJECTED",
    "408, TIMEOUT"
  })
  void complete_httpError_classifiedAndSentOnce(int status, Failure expected) {
    server.enqueueError(status, Map.of(), "some_error", "it failed");

    LanguageModelException e = failure();

    assertThat(e.failure()).isEqualTo(expected);
    assertThat(e.getMessage()).contains("HTTP " + status, "[some_error]");
    assertThat(e.retryAfter()).isEmpty();
    // LangChain4j would retry 5xx and 429 twice by default; the pipeline owns retries.
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void complete_401EchoingKeyAndPrompt_messageHasNeither() {
    server.enqueueError(
        401,
        Map.of(),
        "invalid_api_key",
        "Incorrect API key provided: " + KEY + " for input " + SECRET_PROMPT);

    LanguageModelException e = failure();

    assertThat(e.failure()).isEqualTo(Failure.AUTHENTICATION);
    assertThat(e.getMessage()).contains("[invalid_api_key]").doesNotContain(KEY, SECRET_PROMPT);
    assertThat(e.getCause()).isNull();
  }

  @Test
  void complete_400_rejectedWithProviderMessageAndMaskedKey() {
    server.enqueueError(
        400, Map.of(), "invalid_request_error", "Invalid schema for response_format; key " + KEY);

    LanguageModelException e = failure();

    assertThat(e.failure()).isEqualTo(Failure.REJECTED);
    assertThat(e.retriable()).isFalse();
    assertThat(e.getMessage())
        .contains("Invalid schema for response_format", "sk-***")
        .doesNotContain(KEY, SECRET_PROMPT);
  }

  @Test
  void complete_slowerThanTimeout_timeoutAfterOneRequest() {
    server.enqueueDelayed("late", Duration.ofMillis(1500));

    long start = System.nanoTime();
    LanguageModelException e = failure();
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(e.failure()).isEqualTo(Failure.TIMEOUT);
    assertThat(e.retriable()).isTrue();
    assertThat(took).isLessThan(Duration.ofMillis(1400));
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void complete_serverGone_unavailable() {
    String url = server.baseUrl();
    server.close();
    model.close();
    model =
        LanguageModels.create(
            LlmConfig.parse(
                Map.of("provider", "openai", "base_url", url, "model", "m", "timeout", "2s")),
            name -> null);

    LanguageModelException e = failure();

    assertThat(e.failure()).isEqualTo(Failure.UNAVAILABLE);
    assertThat(e.getMessage()).doesNotContain(SECRET_PROMPT);
  }

  @Test
  void complete_afterClose_fails() {
    model.close();

    assertThat(failure().failure()).isEqualTo(Failure.OTHER);
    assertThat(server.requestCount()).isZero();
  }

  private LanguageModelException failure() {
    LanguageModelException e =
        catchThrowableOfType(LanguageModelException.class, () -> model.complete(prompt(FACTS)));
    assertThat(e).as("complete() should fail").isNotNull();
    assertThat(e.getMessage()).doesNotContain(SECRET_PROMPT, KEY);
    return e;
  }
}
