package io.mnemo4j.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A LangChain4j chat model that answers from a function of the request and records every request,
 * so tests see exactly what reached the prompt. No network. Thread-safe.
 */
final class ScriptedChatModel implements ChatModel {
  private final Function<ChatRequest, String> answer;
  private final List<ChatRequest> requests = new ArrayList<>();

  ScriptedChatModel(Function<ChatRequest, String> answer) {
    this.answer = answer;
  }

  /** A model that always answers {@code text}. */
  static ScriptedChatModel answering(String text) {
    return new ScriptedChatModel(r -> text);
  }

  @Override
  public ChatResponse doChat(ChatRequest request) {
    String text;
    synchronized (this) {
      requests.add(request);
    }
    text = answer.apply(request);
    return ChatResponse.builder().aiMessage(AiMessage.from(text)).build();
  }

  synchronized List<ChatRequest> requests() {
    return List.copyOf(requests);
  }

  /** Everything the last request showed the model, one message per line. */
  synchronized String lastPrompt() {
    StringBuilder sb = new StringBuilder();
    for (ChatMessage m : requests.getLast().messages()) {
      sb.append(m.type()).append(": ").append(text(m)).append('\n');
    }
    return sb.toString();
  }

  /** The text of the last user message of the last request. */
  synchronized String lastUserText() {
    return UserMessage.findLast(requests.getLast().messages()).orElseThrow().singleText();
  }

  private static String text(ChatMessage m) {
    return switch (m) {
      case UserMessage u -> u.singleText();
      case AiMessage a -> String.valueOf(a.text());
      case dev.langchain4j.data.message.SystemMessage s -> s.text();
      default -> m.toString();
    };
  }
}
