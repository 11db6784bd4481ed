package io.mnemo4j.llm.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import io.mnemo4j.llm.ChatMessage;
import io.mnemo4j.llm.CompletionRequest;
import io.mnemo4j.llm.LanguageModelException;
import io.mnemo4j.llm.LanguageModelException.Failure;
import io.mnemo4j.llm.ResponseSchema;
import io.mnemo4j.llm.TokenUsage;
import io.mnemo4j.llm.langchain4j.LangChain4jLanguageModel.StructuredOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The adapter over a hand-made ChatModel: mapping and classification, no HTTP. */
class LangChain4jLanguageModelTest {
  private static final ResponseSchema SCHEMA = new ResponseSchema("s", "{\"type\":\"object\"}");

  /** A ChatModel that records its request and answers with {@code answer}. */
  private static final class FakeChatModel implements ChatModel {
    final AtomicReference<ChatRequest> seen = new AtomicReference<>();
    final Function<ChatRequest, ChatResponse> answer;
    final Set<Capability> capabilities;

    FakeChatModel(Set<Capability> capabilities, Function<ChatRequest, ChatResponse> answer) {
      this.capabilities = capabilities;
      this.answer = answer;
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
      seen.set(request);
      return answer.apply(request);
    }

    @Override
    public Set<Capability> supportedCapabilities() {
      return capabilities;
    }
  }

  private static FakeChatModel answering(String text) {
    return new FakeChatModel(
        Set.of(), request -> ChatResponse.builder().aiMessage(AiMessage.from(text)).build());
  }

  private static FakeChatModel throwing(RuntimeException error) {
    return new FakeChatModel(
        Set.of(),
        request -> {
          throw error;
        });
  }

  private static CompletionRequest request(ResponseSchema schema, ChatMessage... messages) {
    return new CompletionRequest(List.of(messages), schema, "test");
  }

  private static LanguageModelException failureOf(ChatModel chatModel) {
    LangChain4jLanguageModel model = new LangChain4jLanguageModel(chatModel, "fake:m");
    return catchThrowableOfType(
        LanguageModelException.class,
        () -> model.complete(request(null, ChatMessage.user("secret words"))));
  }

  @Test
  void complete_messages_mappedToLangChain4jTypes() {
    FakeChatModel chat = answering("ok");

    new LangChain4jLanguageModel(chat, "fake:m")
        .complete(
            request(
                null,
                ChatMessage.system("sys"),
                ChatMessage.user("u1"),
                ChatMessage.assistant("a1"),
                ChatMessage.user("u2")));

    assertThat(chat.seen.get().messages())
        .containsExactly(
            SystemMessage.from("sys"),
            UserMessage.from("u1"),
            AiMessage.from("a1"),
            UserMessage.from("u2"));
  }

  @Test
  void complete_blankSystemMessage_skipped() {
    FakeChatModel chat = answering("ok");

    new LangChain4jLanguageModel(chat, "fake:m")
        .complete(request(null, ChatMessage.system(" "), ChatMessage.user("u")));

    assertThat(chat.seen.get().messages()).containsExactly(UserMessage.from("u"));
  }

  @Test
  void complete_schemaWithCapability_rawJsonSchemaFormat() {
    FakeChatModel chat =
        new FakeChatModel(
            Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA),
            r -> ChatResponse.builder().aiMessage(AiMessage.from("{}")).build());
    LangChain4jLanguageModel model = new LangChain4jLanguageModel(chat, "fake:m");

    model.complete(request(SCHEMA, ChatMessage.user("u")));

    assertThat(model.structuredOutput()).isEqualTo(StructuredOutput.JSON_SCHEMA);
    ResponseFormat format = chat.seen.get().responseFormat();
    assertThat(format.type()).isEqualTo(ResponseFormatType.JSON);
    assertThat(format.jsonSchema().name()).isEqualTo("s");
    assertThat(format.jsonSchema().rootElement()).isEqualTo(JsonRawSchema.from(SCHEMA.json()));
    assertThat(chat.seen.get().messages()).containsExactly(UserMessage.from("u"));
  }

  @Test
  void complete_schemaWithoutCapability_jsonModeAndSchemaInNewSystemMessage() {
    FakeChatModel chat = answering("{}");

    new LangChain4jLanguageModel(chat, "fake:m").complete(request(SCHEMA, ChatMessage.user("u")));

    assertThat(chat.seen.get().responseFormat()).isEqualTo(ResponseFormat.JSON);
    assertThat(chat.seen.get().messages()).hasSize(2);
    assertThat(((SystemMessage) chat.seen.get().messages().get(0)).text()).contains(SCHEMA.json());
  }

  @Test
  void complete_schemaPromptOnly_noResponseFormat() {
    FakeChatModel chat = answering("{}");

    new LangChain4jLanguageModel(chat, "fake:m", StructuredOutput.PROMPT)
        .complete(request(SCHEMA, ChatMessage.system("sys"), ChatMessage.user("u")));

    assertThat(chat.seen.get().responseFormat()).isNull();
    assertThat(((SystemMessage) chat.seen.get().messages().get(0)).text())
        .startsWith("sys\n\n")
        .contains(SCHEMA.json());
  }

  @Test
  void complete_usage_mappedAndNullCountsAreZero() {
    ChatModel chat =
        new FakeChatModel(
            Set.of(),
            r ->
                ChatResponse.builder()
                    .aiMessage(AiMessage.from("ok"))
                    .tokenUsage(new dev.langchain4j.model.output.TokenUsage(7, null))
                    .build());

    assertThat(
            new LangChain4jLanguageModel(chat, "fake:m")
                .complete(request(null, ChatMessage.user("u")))
                .usage())
        .isEqualTo(new TokenUsage(7, 0, 1));
  }

  @Test
  void complete_noText_otherOrRejectedOnContentFilter() {
    ChatModel toolCall =
        new FakeChatModel(
            Set.of(),
            r ->
                ChatResponse.builder()
                    .aiMessage(AiMessage.builder().thinking("hm").build())
                    .finishReason(FinishReason.TOOL_EXECUTION)
                    .build());
    ChatModel filtered =
        new FakeChatModel(
            Set.of(),
            r ->
                ChatResponse.builder()
                    .aiMessage(AiMessage.builder().thinking("hm").build())
                    .finishReason(FinishReason.CONTENT_FILTER)
                    .build());

    assertThat(failureOf(toolCall).failure()).isEqualTo(Failure.OTHER);
    assertThat(failureOf(filtered).failure()).isEqualTo(Failure.REJECTED);
  }

  @Test
  void complete_timeoutDeepInCauses_timeout() {
    RuntimeException wrapped =
        new RuntimeException(new IllegalStateException(new HttpTimeoutException("timed out")));

    LanguageModelException e = failureOf(throwing(wrapped));

    assertThat(e.failure()).isEqualTo(Failure.TIMEOUT);
    assertThat(e.getCause()).isSameAs(wrapped);
  }

  @Test
  void complete_connectionRefused_unavailable() {
    assertThat(
            failureOf(throwing(new UncheckedIOException(new ConnectException("refused"))))
                .failure())
        .isEqualTo(Failure.UNAVAILABLE);
    assertThat(failureOf(throwing(new RuntimeException(new IOException("reset")))).failure())
        .isEqualTo(Failure.UNAVAILABLE);
  }

  @Test
  void complete_langChain4jTypesWithoutStatus_classified() {
    assertThat(failureOf(throwing(new RateLimitException("x"))).failure())
        .isEqualTo(Failure.RATE_LIMITED);
    assertThat(failureOf(throwing(new InternalServerException("x"))).failure())
        .isEqualTo(Failure.UNAVAILABLE);
    assertThat(failureOf(throwing(new InvalidRequestException("x"))).failure())
        .isEqualTo(Failure.REJECTED);
    assertThat(failureOf(throwing(new UnsupportedFeatureException("x"))).failure())
        .isEqualTo(Failure.REJECTED);
    assertThat(
            failureOf(throwing(new dev.langchain4j.exception.AuthenticationException("x")))
                .failure())
        .isEqualTo(Failure.AUTHENTICATION);
  }

  @Test
  void complete_unknownError_otherKeepingCause() {
    IllegalStateException bug = new IllegalStateException("bug");

    LanguageModelException e = failureOf(throwing(bug));

    assertThat(e.failure()).isEqualTo(Failure.OTHER);
    assertThat(e.retriable()).isFalse();
    assertThat(e.getCause()).isSameAs(bug);
    assertThat(e.getMessage()).contains("fake:m", "test").doesNotContain("secret words");
  }

  @Test
  void complete_causeCycle_terminates() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);

    assertThat(failureOf(throwing(a)).failure()).isEqualTo(Failure.OTHER);
  }
}
