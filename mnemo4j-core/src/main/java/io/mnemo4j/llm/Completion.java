package io.mnemo4j.llm;

import java.util.Objects;

/**
 * A model's answer. Immutable.
 *
 * @param text the answer (JSON text when a schema was asked for)
 * @param usage the tokens it cost
 */
public record Completion(String text, TokenUsage usage) {
  /** Checks nulls. */
  public Completion {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(usage, "usage");
  }
}
