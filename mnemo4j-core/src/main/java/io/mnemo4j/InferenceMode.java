package io.mnemo4j;

import java.util.Locale;

/** How {@code add} uses the language model, chosen per tenant. */
public enum InferenceMode {
  /**
   * Extract facts, fetch the nearest stored memories in scope, and let a second call decide ADD,
   * UPDATE, DELETE (close) or NONE for each: memory stays consistent.
   */
  CONSOLIDATE,
  /** Extract facts and add them, skipping exact and near duplicates: one call, append-only. */
  ADDITIVE;

  /** The lower-case configuration name. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a configuration name; anything else is an {@link InvalidRequestException}. */
  public static InferenceMode parse(String field, String value) {
    for (InferenceMode m : values()) {
      if (m.wireName().equals(value)) {
        return m;
      }
    }
    throw new InvalidRequestException(field, field + " must be consolidate or additive");
  }
}
