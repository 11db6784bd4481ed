package io.mnemo4j;

import java.util.Locale;

/** Who wrote a message in a conversation. */
public enum Role {
  /** The human user. */
  USER,
  /** The assistant or agent. */
  ASSISTANT,
  /** A system prompt or instruction. */
  SYSTEM,
  /** A tool's output. */
  TOOL;

  /** The lower-case wire name ({@code user}, {@code assistant}...). */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a wire name; anything else is an {@link InvalidRequestException} on {@code field}. */
  public static Role parse(String field, String value) {
    for (Role r : values()) {
      if (r.wireName().equals(value)) {
        return r;
      }
    }
    throw new InvalidRequestException(
        field, field + " must be one of user, assistant, system, tool");
  }
}
