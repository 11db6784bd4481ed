package io.mnemo4j.llm;

import java.util.Objects;

/**
 * One message of a prompt. Immutable.
 *
 * @param role who speaks
 * @param text what is said
 */
public record ChatMessage(ChatRole role, String text) {
  /** Checks nulls. */
  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(text, "text");
  }

  /** A system instruction. */
  public static ChatMessage system(String text) {
    return new ChatMessage(ChatRole.SYSTEM, text);
  }

  /** A user turn. */
  public static ChatMessage user(String text) {
    return new ChatMessage(ChatRole.USER, text);
  }

  /** An earlier model answer (used to ask for a repair). */
  public static ChatMessage assistant(String text) {
    return new ChatMessage(ChatRole.ASSISTANT, text);
  }

  /** The speaker of a prompt message. */
  public enum ChatRole {
    /** Instructions. */
    SYSTEM,
    /** The caller. */
    USER,
    /** The model. */
    ASSISTANT
  }
}
