package io.mnemo4j.llm;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One completion to run. Immutable.
 *
 * @param messages the prompt, in order; at least one
 * @param schema the JSON Schema the answer must follow, or null for free text
 * @param purpose a short label for logs and metrics ({@code extract}, {@code decide}, {@code
 *     procedural}); never sent to the model
 */
public record CompletionRequest(
    List<ChatMessage> messages, @Nullable ResponseSchema schema, String purpose) {
  /** Copies the messages and checks there is at least one. */
  public CompletionRequest {
    messages = List.copyOf(messages);
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("a completion needs at least one message");
    }
  }
}
