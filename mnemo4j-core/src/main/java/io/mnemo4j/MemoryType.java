package io.mnemo4j;

import java.util.Locale;

/** What kind of memory a memory is; filterable as {@code memory_type}. */
public enum MemoryType {
  /** Something said, stored as it was said (a verbatim message). */
  EPISODIC,
  /** A fact distilled by the language model. */
  SEMANTIC,
  /** How an agent did something: a structured summary of an agent run. */
  PROCEDURAL;

  /** The lower-case wire name ({@code episodic}...). */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a wire name; anything else is an {@link InvalidRequestException} on {@code field}. */
  public static MemoryType parse(String field, String value) {
    for (MemoryType t : values()) {
      if (t.wireName().equals(value)) {
        return t;
      }
    }
    throw new InvalidRequestException(
        field, field + " must be one of episodic, semantic, procedural");
  }
}
