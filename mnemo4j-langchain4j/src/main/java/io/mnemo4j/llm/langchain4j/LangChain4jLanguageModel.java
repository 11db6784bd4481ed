package io.mnemo4j.llm.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import io.mnemo4j.llm.ChatMessage;
import io.mnemo4j.llm.ChatMessage.ChatRole;
import io.mnemo4j.llm.Completion;
import io.mnemo4j.llm.CompletionRequest;
import io.mnemo4j.llm.LanguageModel;
import io.mnemo4j.llm.LanguageModelException;
import io.mnemo4j.llm.LanguageModelException.Failure;
import io.mnemo4j.llm.ResponseSchema;
import io.mnemo4j.llm.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A {@link LanguageModel} over any LangChain4j {@link ChatModel}. Thread-safe when the chat model
 * is (LangChain4j's are).
 *
 * <p>It never retries: build the chat model with {@code maxRetries(0)} (as {@link LanguageModels}
 * does), because the inference pipeline owns retries and backoff. Every failure becomes a {@link
 * LanguageModelException} classified from the whole cause chain; the provider's {@code Retry-After}
 * is reported when the chat model's HTTP client is built by a {@link RetryAfterHttpClientBuilder}.
 *
 * <p>A {@link ResponseSchema} is sent the way {@link #structuredOutput()} says: as the provider's
 * JSON Schema response format, or as JSON mode plus the schema in the system message, or in the
 * system message only.
 */
public final class LangChain4jLanguageModel implements LanguageModel {
  private final ChatModel chatModel;
  private final String modelId;
  private final StructuredOutput structuredOutput;
  private final AutoCloseable resources;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Adapts {@code chatModel}; schemas go as {@link StructuredOutput#JSON_SCHEMA} when the model
   * declares {@link Capability#RESPONSE_FORMAT_JSON_SCHEMA}, else as {@link
   * StructuredOutput#JSON_MODE}.
   */
  public LangChain4jLanguageModel(ChatModel chatModel, String modelId) {
    this(chatModel, modelId, defaultStructuredOutput(chatModel));
  }

  /** Adapts {@code chatModel}, sending schemas as {@code structuredOutput} says. */
  public LangChain4jLanguageModel(
      ChatModel chatModel, String modelId, StructuredOutput structuredOutput) {
    this(chatModel, modelId, structuredOutput, () -> {});
  }

  /** Adapts {@code chatModel} and closes {@code resources} (its HTTP clients) on close. */
  LangChain4jLanguageModel(
      ChatModel chatModel,
      String modelId,
      StructuredOutput structuredOutput,
      AutoCloseable resources) {
    this.chatModel = Objects.requireNonNull(chatModel, "chatModel");
    this.modelId = Objects.requireNonNull(modelId, "modelId");
    this.structuredOutput = Objects.requireNonNull(structuredOutput, "structuredOutput");
    this.resources = Objects.requireNonNull(resources, "resources");
  }

  /** {@inheritDoc} */
  @Override
  public String modelId() {
    return modelId;
  }

  /** How this model sends a {@link ResponseSchema}. */
  public StructuredOutput structuredOutput() {
    return structuredOutput;
  }

  /** {@inheritDoc} */
  @Override
  public Completion complete(CompletionRequest request) {
    Objects.requireNonNull(request, "request");
    if (closed.get()) {
      throw new LanguageModelException(
          Failure.OTHER, modelId + " (" + request.purpose() + "): the model is closed", null, null);
    }
    ChatResponse response;
    try {
      response = chatModel.chat(toChatRequest(request));
    } catch (RuntimeException e) {
      throw Failures.classify(e, modelId, request.purpose());
    }
    AiMessage answer = response.aiMessage();
    String text = answer == null ? null : answer.text();
    if (text == null) {
      // A refusal (OpenAI structured output) or a tool call: no text to parse.
      FinishReason reason = response.finishReason();
      throw new LanguageModelException(
          reason == FinishReason.CONTENT_FILTER ? Failure.REJECTED : Failure.OTHER,
          modelId
              + " ("
              + request.purpose()
              + "): the answer has no text (finish reason "
              + reason
              + ")",
          null,
          null);
    }
    return new Completion(text, usageOf(response));
  }

  /** Closes the HTTP clients this model was built with, if {@link LanguageModels} built it. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        resources.close();
      } catch (Exception e) {
        // Closing a connection pool fails only when it is already broken; nothing to recover.
      }
    }
  }

  @Override
  public String toString() {
    return "LangChain4jLanguageModel[" + modelId + ", " + structuredOutput + "]";
  }

  private ChatRequest toChatRequest(CompletionRequest request) {
    ResponseSchema schema = request.schema();
    List<ChatMessage> messages =
        schema == null || structuredOutput == StructuredOutput.JSON_SCHEMA
            ? request.messages()
            : withSchemaInstruction(request.messages(), schema);
    List<dev.langchain4j.data.message.ChatMessage> converted = new ArrayList<>(messages.size());
    for (ChatMessage message : messages) {
      switch (message.role()) {
        // LangChain4j refuses a blank system message; it carries no instruction anyway.
        case SYSTEM -> {
          if (!message.text().isBlank()) {
            converted.add(SystemMessage.from(message.text()));
          }
        }
        case USER -> converted.add(UserMessage.from(message.text()));
        case ASSISTANT -> converted.add(AiMessage.from(message.text()));
      }
    }
    ChatRequest.Builder builder = ChatRequest.builder().messages(converted);
    ResponseFormat format = responseFormat(schema);
    if (format != null) {
      builder.responseFormat(format);
    }
    return builder.build();
  }

  private @Nullable ResponseFormat responseFormat(@Nullable ResponseSchema schema) {
    if (schema == null) {
      return null;
    }
    return switch (structuredOutput) {
      case JSON_SCHEMA ->
          ResponseFormat.builder()
              .type(ResponseFormatType.JSON)
              .jsonSchema(
                  JsonSchema.builder()
                      .name(schema.name())
                      // Raw: our schemas are JSON text; LangChain4j sends them unchanged.
                      .rootElement(JsonRawSchema.from(schema.json()))
                      .build())
              .build();
      case JSON_MODE -> ResponseFormat.JSON;
      case PROMPT -> null;
    };
  }

  /** Appends the schema to the first system message, or starts the prompt with one. */
  static List<ChatMessage> withSchemaInstruction(
      List<ChatMessage> messages, ResponseSchema schema) {
    String instruction =
        "Answer with one JSON value, and nothing else (no prose, no code fences), that follows"
            + " this JSON Schema:\n"
            + schema.json();
    List<ChatMessage> result = new ArrayList<>(messages);
    for (int i = 0; i < result.size(); i++) {
      ChatMessage message = result.get(i);
      if (message.role() == ChatRole.SYSTEM) {
        String text =
            message.text().isBlank() ? instruction : message.text() + "\n\n" + instruction;
        result.set(i, ChatMessage.system(text));
        return result;
      }
    }
    result.add(0, ChatMessage.system(instruction));
    return result;
  }

  private static TokenUsage usageOf(ChatResponse response) {
    dev.langchain4j.model.output.TokenUsage usage = response.tokenUsage();
    // Some OpenAI-compatible servers omit usage: still one call, at zero known tokens.
    if (usage == null) {
      return TokenUsage.ofCall(0, 0);
    }
    return TokenUsage.ofCall(orZero(usage.inputTokenCount()), orZero(usage.outputTokenCount()));
  }

  private static long orZero(@Nullable Integer count) {
    return count == null ? 0 : count;
  }

  private static StructuredOutput defaultStructuredOutput(ChatModel chatModel) {
    return chatModel.supportedCapabilities().contains(Capability.RESPONSE_FORMAT_JSON_SCHEMA)
        ? StructuredOutput.JSON_SCHEMA
        : StructuredOutput.JSON_MODE;
  }

  /** How a {@link ResponseSchema} reaches the provider. */
  public enum StructuredOutput {
    /**
     * The provider's JSON Schema response format (OpenAI {@code response_format: json_schema},
     * strict when the chat model is built with {@code strictJsonSchema(true)}; Anthropic {@code
     * output_config}).
     */
    JSON_SCHEMA,
    /** JSON mode ({@code response_format: json_object}) plus the schema in the system message. */
    JSON_MODE,
    /** The schema in the system message only, for providers with neither (Anthropic without it). */
    PROMPT
  }
}
