package io.mnemo4j.examples.springboot;

import java.util.List;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;

/**
 * A stand-in for a real chat model, so the example runs offline: it answers from the long-term
 * memories the advisor put in the system message, or greets. Thread-safe (stateless).
 */
public final class ScriptedChatModel implements ChatModel {
  @Override
  public ChatResponse call(Prompt prompt) {
    String system = prompt.getSystemMessage().getText();
    String answer;
    int at = system == null ? -1 : system.indexOf("\n- ");
    if (at >= 0) {
      String first = system.substring(at + 3).lines().findFirst().orElse("");
      answer = "From what you told me before: \"" + first + "\"";
    } else {
      answer = "Nice to meet you! I will remember that.";
    }
    return new ChatResponse(List.of(new Generation(new AssistantMessage(answer))));
  }
}
