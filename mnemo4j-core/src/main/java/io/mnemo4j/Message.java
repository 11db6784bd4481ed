package io.mnemo4j;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One conversation message handed to {@link TenantMemory#add}. Immutable and thread-safe.
 *
 * @param role who wrote it
 * @param content the text
 * @param name the actor's name (a speaker, an agent), or null
 * @param metadata JSON object for this message's memory, merged over the call's metadata (this one
 *     wins per key)
 */
public record Message(
    Role role, String content, @Nullable String name, Map<String, Object> metadata) {
  /** The longest message accepted, in characters. */
  public static final int MAX_CONTENT_LENGTH = 64 * 1024;

  /** Validates the message: content non-blank and at most 64 KiB characters. */
  public Message {
    Objects.requireNonNull(role, "role");
    if (content == null || content.isBlank()) {
      throw new InvalidRequestException("messages.content", "message content must not be empty");
    }
    if (content.length() > MAX_CONTENT_LENGTH) {
      throw new InvalidRequestException(
          "messages.content",
          "message content is longer than " + MAX_CONTENT_LENGTH + " characters");
    }
    if (name != null && (name.isBlank() || name.length() > Scope.MAX_ID_LENGTH)) {
      throw new InvalidRequestException(
          "messages.name", "message name must be 1 to 255 characters");
    }
    metadata = Metadata.validate(metadata);
  }

  /** A message without metadata of its own. */
  public Message(Role role, String content, @Nullable String name) {
    this(role, content, name, Map.of());
  }

  /** A copy carrying this metadata (identity keys are refused, as everywhere). */
  public Message withMetadata(Map<String, ?> newMetadata) {
    return new Message(role, content, name, Metadata.validate(newMetadata));
  }

  /** A user message. */
  public static Message user(String content) {
    return new Message(Role.USER, content, null);
  }

  /** A user message from a named speaker. */
  public static Message user(String name, String content) {
    return new Message(Role.USER, content, name);
  }

  /** An assistant message. */
  public static Message assistant(String content) {
    return new Message(Role.ASSISTANT, content, null);
  }

  /** The actor's name, if given. */
  public Optional<String> actor() {
    return Optional.ofNullable(name);
  }
}
