package io.mnemo4j.spring.boot.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;
import reactor.core.publisher.Flux;

/**
 * A Spring AI chat model answering from a function of the prompt and recording every prompt, so
 * tests see what reached the model; streams answer word by word. No network. Thread-safe.
 */
final class StubChatModel implements ChatModel {
  private final Function<Prompt, String> answer;
  private final List<Prompt> prompts = new ArrayList<>();

  StubChatModel(Function<Prompt, String> answer) {
    this.answer = answer;
  }

  static StubChatModel answering(String text) {
    return new StubChatModel(p -> text);
  }

  @Override
  public ChatResponse call(Prompt prompt) {
    synchronized (this) {
      prompts.add(prompt);
    }
    return new ChatResponse(List.of(new Generation(new AssistantMessage(answer.apply(prompt)))));
  }

  @Override
  public Flux<ChatResponse> stream(Prompt prompt) {
    synchronized (this) {
      prompts.add(prompt);
    }
    String[] words = answer.apply(prompt).split("(?<= )");
    return Flux.fromArray(words)
        .map(w -> new ChatResponse(List.of(new Generation(new AssistantMessage(w)))));
  }

  synchronized List<Prompt> prompts() {
    return List.copyOf(prompts);
  }

  synchronized Prompt lastPrompt() {
    return prompts.getLast();
  }

  /** The system text of the last prompt, or "" without one. */
  synchronized String lastSystemText() {
    for (Message m : prompts.getLast().getInstructions()) {
      if (m instanceof SystemMessage s) {
        return s.getText();
      }
    }
    return "";
  }

  /** Every message text of the last prompt, one per line. */
  synchronized String lastPromptText() {
    StringBuilder sb = new StringBuilder();
    for (Message m : prompts.getLast().getInstructions()) {
      sb.append(m.getMessageType()).append(": ").append(m.getText()).append('\n');
    }
    return sb.toString();
  }

  /** The text of the last user message of the last prompt. */
  synchronized String lastUserText() {
    UserMessage u = prompts.getLast().getUserMessage();
    return u.getText();
  }
}
