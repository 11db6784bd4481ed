package io.mnemo4j.spring.ai;

import io.mnemo4j.llm.ChatMessage;
import io.mnemo4j.llm.Completion;
import io.mnemo4j.llm.CompletionRequest;
import io.mnemo4j.llm.LanguageModel;
import io.mnemo4j.llm.LanguageModelException;
import io.mnemo4j.llm.LanguageModelException.Failure;
import io.mnemo4j.llm.ResponseSchema;
import io.mnemo4j.llm.TokenUsage;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.StructuredOutputChatOptions;

/**
 * Mnemo4j's {@link LanguageModel} over a Spring AI {@link ChatModel}: fact extraction and
 * consolidation use the model the application already configured, with no second set of keys.
 * Thread-safe when the chat model is (Spring AI's are).
 *
 * <p>A JSON answer is asked for with the model's native structured output when its default options
 * support one ({@link StructuredOutputChatOptions}), otherwise with the schema in the system
 * message; Mnemo4j validates every answer either way. Failures are classified for the pipeline's
 * retries: Spring AI's transient errors and I/O failures as retriable, timeouts as timeouts. Spring
 * AI's HTTP clients may retry on their own first (their {@code spring.ai.retry.*} settings).
 */
public final class SpringAiLanguageModel implements LanguageModel {
  private final ChatModel chatModel;
  private final String modelId;
  private final boolean nativeSchema;

  /**
   * Adapts {@code chatModel}, identified as {@code modelId} in logs; {@code nativeSchema} false
   * always puts the schema in the prompt.
   */
  public SpringAiLanguageModel(ChatModel chatModel, String modelId, boolean nativeSchema) {
    this.chatModel = Objects.requireNonNull(chatModel, "chatModel");
    this.modelId = Objects.requireNonNull(modelId, "modelId");
    this.nativeSchema = nativeSchema;
  }

  /** Adapts {@code chatModel}, using native structured output where its options support it. */
  public SpringAiLanguageModel(ChatModel chatModel, String modelId) {
    this(chatModel, modelId, true);
  }

  @Override
  public String modelId() {
    return modelId;
  }

  @Override
  public Completion complete(CompletionRequest request) {
    Prompt prompt = prompt(request);
    ChatResponse response;
    try {
      response = chatModel.call(prompt);
    } catch (RuntimeException e) {
      throw classify(e, request.purpose());
    }
    Generation generation = response == null ? null : response.getResult();
    String text = generation == null ? null : generation.getOutput().getText();
    if (text == null || text.isBlank()) {
      throw new LanguageModelException(
          Failure.OTHER,
          modelId + " (" + request.purpose() + "): the answer has no text",
          null,
          null);
    }
    return new Completion(text, usage(response));
  }

  private Prompt prompt(CompletionRequest request) {
    ResponseSchema schema = request.schema();
    ChatOptions defaults = chatModel.getOptions();
    boolean useNative =
        schema != null && nativeSchema && defaults instanceof StructuredOutputChatOptions;
    List<ChatMessage> messages =
        schema == null || useNative
            ? request.messages()
            : withSchemaInstruction(request.messages(), schema);
    List<Message> converted = new ArrayList<>(messages.size());
    for (ChatMessage m : messages) {
      switch (m.role()) {
        case SYSTEM -> {
          if (!m.text().isBlank()) {
            converted.add(new SystemMessage(m.text()));
          }
        }
        case USER -> converted.add(new UserMessage(m.text()));
        case ASSISTANT -> converted.add(new AssistantMessage(m.text()));
      }
    }
    if (useNative && schema != null) {
      ChatOptions options =
          ((StructuredOutputChatOptions) defaults).mutate().outputSchema(schema.json()).build();
      return new Prompt(converted, options);
    }
    return new Prompt(converted);
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
      if (result.get(i).role() == ChatMessage.ChatRole.SYSTEM) {
        String text = result.get(i).text();
        result.set(
            i, ChatMessage.system(text.isBlank() ? instruction : text + "\n\n" + instruction));
        return result;
      }
    }
    result.add(0, ChatMessage.system(instruction));
    return result;
  }

  private static TokenUsage usage(ChatResponse response) {
    Usage u = response.getMetadata() == null ? null : response.getMetadata().getUsage();
    if (u == null) {
      return TokenUsage.ofCall(0, 0);
    }
    return TokenUsage.ofCall(orZero(u.getPromptTokens()), orZero(u.getCompletionTokens()));
  }

  private static long orZero(@Nullable Integer n) {
    return n == null ? 0 : n;
  }

  /**
   * Classifies by the exception chain. Spring AI's own {@code TransientAiException} and {@code
   * NonTransientAiException} are matched by simple name: they live in a module this one does not
   * need.
   */
  LanguageModelException classify(RuntimeException e, String purpose) {
    Failure failure = Failure.OTHER;
    for (Throwable t = e; t != null; t = t.getCause()) {
      String name = t.getClass().getSimpleName();
      if (t instanceof SocketTimeoutException
          || t instanceof HttpTimeoutException
          || t instanceof TimeoutException) {
        failure = Failure.TIMEOUT;
        break;
      }
      if (name.equals("NonTransientAiException")) {
        failure = Failure.REJECTED;
        break;
      }
      if (name.equals("TransientAiException") || t instanceof IOException) {
        failure = Failure.UNAVAILABLE;
        break;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    // The exception's message may quote the prompt: only its class is reported.
    return new LanguageModelException(
        failure,
        modelId + " (" + purpose + "): the chat model failed: " + e.getClass().getName(),
        null,
        e);
  }

  @Override
  public String toString() {
    return "SpringAiLanguageModel[" + modelId + "]";
  }
}
