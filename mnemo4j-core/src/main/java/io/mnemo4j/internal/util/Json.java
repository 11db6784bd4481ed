package io.mnemo4j.internal.util;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import org.jspecify.annotations.Nullable;

/**
 * The core's own JSON: operation records, prompts to the model, the model's answers. Independent of
 * the server's wire shapes, which may change without touching what a store holds. Stateless,
 * thread-safe.
 */
public final class Json {
  /** The mapper; never reconfigured. */
  public static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private Json() {}

  /** A new empty object node. */
  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** ISO-8601 UTC text of an instant, or null. */
  public static @Nullable String time(@Nullable Instant t) {
    return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t);
  }
}
