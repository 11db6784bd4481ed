package io.mnemo4j.llm.langchain4j;

import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.llm.LanguageModel;
import io.mnemo4j.llm.langchain4j.LangChain4jLanguageModel.StructuredOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds a {@link LanguageModel} from an {@link LlmConfig}. Stateless, thread-safe.
 *
 * <p>Every model is built with LangChain4j's retries off ({@code maxRetries(0)}: the inference
 * pipeline owns retries) and a {@link RetryAfterHttpClientBuilder}, so failures carry the
 * provider's {@code Retry-After}.
 */
public final class LanguageModels {
  private LanguageModels() {}

  /**
   * Builds the model {@code config} describes, reading the API key through {@code env} (the process
   * environment in production: {@code System::getenv}) or from {@code api_key_file}. Nothing is
   * sent until the first call.
   *
   * @throws InvalidRequestException naming {@code llm.api_key_env} or {@code llm.api_key_file} when
   *     the key cannot be read, and {@code llm.api_key_env} when Anthropic has no key
   */
  public static LanguageModel create(LlmConfig config, Function<String, String> env) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(env, "env");
    Optional<String> apiKey = apiKey(config, env);
    RetryAfterHttpClientBuilder http = new RetryAfterHttpClientBuilder();
    StructuredOutput jsonModeOrSchema =
        config.jsonSchema() ? StructuredOutput.JSON_SCHEMA : StructuredOutput.JSON_MODE;
    return switch (config.provider()) {
      case OPENAI ->
          adapter(
              config, openAi(config, config.baseUrl(), apiKey, http, true), jsonModeOrSchema, http);
      // Ollama serves OpenAI's chat-completions API under /v1 (JSON mode and, since 0.5, JSON
      // Schema output). We use it through langchain4j-open-ai rather than langchain4j-ollama:
      // langchain4j-ollama has no 1.19.0 on Maven Central; its 1.18.1 passes the enforcer's
      // dependencyConvergence only because langchain4j-core is pinned, and then runs against a
      // core it was not built with. The OpenAI client also gives Ollama the same Retry-After and
      // error handling as every other provider.
      case OLLAMA ->
          adapter(
              config,
              openAi(config, ollamaOpenAiUrl(config.baseUrl()), apiKey, http, false),
              jsonModeOrSchema,
              http);
      // Anthropic has no schemaless JSON mode; without a JSON Schema the prompt carries it.
      case ANTHROPIC ->
          adapter(
              config,
              anthropic(config, anthropicKey(apiKey), http),
              config.jsonSchema() ? StructuredOutput.JSON_SCHEMA : StructuredOutput.PROMPT,
              http);
    };
  }

  private static LanguageModel adapter(
      LlmConfig config,
      ChatModel chatModel,
      StructuredOutput structuredOutput,
      RetryAfterHttpClientBuilder http) {
    return new LangChain4jLanguageModel(
        chatModel, config.modelId(), structuredOutput, http::closeBuiltClients);
  }

  private static String anthropicKey(Optional<String> apiKey) {
    return apiKey.orElseThrow(
        () ->
            new InvalidRequestException(
                LlmConfig.field("api_key_env"),
                "provider anthropic needs an API key: set api_key_env or api_key_file"));
  }

  /** The URL of Ollama's OpenAI-compatible API for a server root (a {@code /v1} given is kept). */
  static String ollamaOpenAiUrl(String baseUrl) {
    return baseUrl.endsWith("/v1") ? baseUrl : baseUrl + "/v1";
  }

  /** The API key from {@code api_key_env} or {@code api_key_file}; empty when neither is set. */
  static Optional<String> apiKey(LlmConfig config, Function<String, String> env) {
    if (config.apiKeyEnv().isPresent()) {
      String name = config.apiKeyEnv().get();
      String value = env.apply(name);
      if (value == null || value.isBlank()) {
        throw new InvalidRequestException(
            LlmConfig.field("api_key_env"), "environment variable " + name + " is not set");
      }
      return Optional.of(value.trim());
    }
    if (config.apiKeyFile().isPresent()) {
      Path file = config.apiKeyFile().get();
      String value;
      try {
        value = Files.readString(file, StandardCharsets.UTF_8).trim();
      } catch (IOException | RuntimeException e) {
        throw new InvalidRequestException(
            LlmConfig.field("api_key_file"),
            "cannot read the API key file " + file + " (" + e.getClass().getSimpleName() + ")");
      }
      if (value.isEmpty()) {
        throw new InvalidRequestException(
            LlmConfig.field("api_key_file"), "the API key file " + file + " is empty");
      }
      return Optional.of(value);
    }
    return Optional.empty();
  }

  private static ChatModel openAi(
      LlmConfig config,
      String baseUrl,
      Optional<String> apiKey,
      RetryAfterHttpClientBuilder http,
      boolean openAiProper) {
    OpenAiChatModel.OpenAiChatModelBuilder builder =
        OpenAiChatModel.builder()
            .httpClientBuilder(http)
            .baseUrl(baseUrl)
            // No key means no Authorization header: local servers need none.
            .apiKey(apiKey.orElse(null))
            .modelName(config.model())
            .timeout(config.timeout())
            .maxRetries(0)
            .temperature(config.temperature())
            .strictJsonSchema(true);
    if (config.jsonSchema()) {
      builder.supportedCapabilities(Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA));
    }
    if (config.maxTokens().isPresent()) {
      // OpenAI deprecated max_tokens (its reasoning models refuse it) for max_completion_tokens,
      // which compatible servers such as Ollama do not all know yet.
      if (openAiProper) {
        builder.maxCompletionTokens(config.maxTokens().getAsInt());
      } else {
        builder.maxTokens(config.maxTokens().getAsInt());
      }
    }
    return builder.build();
  }

  private static ChatModel anthropic(
      LlmConfig config, String apiKey, RetryAfterHttpClientBuilder http) {
    AnthropicChatModel.AnthropicChatModelBuilder builder =
        AnthropicChatModel.builder()
            .httpClientBuilder(http)
            .baseUrl(config.baseUrl())
            .apiKey(apiKey)
            .modelName(config.model())
            .timeout(config.timeout())
            .maxRetries(0)
            .temperature(config.temperature());
    if (config.jsonSchema()) {
      builder.supportedCapabilities(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
    }
    config.maxTokens().ifPresent(builder::maxTokens);
    return builder.build();
  }
}
