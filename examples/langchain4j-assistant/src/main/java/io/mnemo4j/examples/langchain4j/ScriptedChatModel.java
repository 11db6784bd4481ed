package io.mnemo4j.examples.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

/**
 * A stand-in for a real chat model, so the example runs offline: it answers from the memories the
 * retriever injected into the user's message, or greets. Thread-safe (stateless).
 */
public final class ScriptedChatModel implements ChatModel {
  /** The marker LangChain4j's default content injector puts before retrieved content. */
  private static final String INJECTED = "Answer using the following information:\n";

  @Override
  public ChatResponse doChat(ChatRequest request) {
    String prompt =
        UserMessage.findLast(request.messages()).map(UserMessage::singleText).orElse("");
    int at = prompt.indexOf(INJECTED);
    String answer =
        at < 0
            ? "Nice to meet you! I will remember that."
            : "From what you told me before: \""
                + prompt.substring(at + INJECTED.length()).lines().findFirst().orElse("")
                + "\"";
    return ChatResponse.builder().aiMessage(AiMessage.from(answer)).build();
  }
}
