package io.mnemo4j.llm;

import java.util.Objects;

/**
 * A JSON Schema the answer must follow. Providers that support structured output enforce it (OpenAI
 * {@code response_format: json_schema}, strict); others get JSON mode and the schema in the prompt.
 * The pipeline validates every answer itself either way.
 *
 * @param name a short identifier ({@code [a-zA-Z0-9_-]+}), sent as the schema's name
 * @param json the schema, as JSON text
 */
public record ResponseSchema(String name, String json) {
  /** Checks the name. */
  public ResponseSchema {
    Objects.requireNonNull(json, "json");
    if (!name.matches("[a-zA-Z0-9_-]{1,64}")) {
      throw new IllegalArgumentException("schema name must match [a-zA-Z0-9_-]{1,64}");
    }
  }
}
