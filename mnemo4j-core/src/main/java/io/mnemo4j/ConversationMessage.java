package io.mnemo4j;

import java.util.Objects;

/**
 * One message of a conversation window: the short-term chat history a framework (LangChain4j's
 * {@code ChatMemoryStore}, Spring AI's {@code ChatMemoryRepository}) keeps in a tenant through
 * {@link TenantMemory#replaceConversation}. Unlike a {@link Message} given to {@code add}, it is
 * not remembered as a memory: it is kept verbatim, in order, until the window is replaced or
 * deleted. Immutable.
 *
 * <p>{@code text} is what any reader can show; {@code data} is the writing integration's own
 * complete encoding of the message (tool calls, names, attachments), tagged by {@code format} so
 * that an integration only decodes what it wrote and falls back to role and text otherwise.
 *
 * @param role who wrote it
 * @param text its readable text; empty when it has none (an assistant turn that only calls tools)
 * @param format who encoded {@code data}, such as {@code langchain4j} or {@code spring-ai}; empty
 *     when {@code data} is empty
 * @param data the integration's encoding of the whole message, kept verbatim; empty when role and
 *     text say everything
 */
public record ConversationMessage(Role role, String text, String format, String data) {
  /** Longest accepted {@code text} and {@code data}, each, in characters. */
  public static final int MAX_TEXT_LENGTH = 1 << 20;

  /** Longest accepted {@code format}, in characters. */
  public static final int MAX_FORMAT_LENGTH = 64;

  /** Most messages one conversation window may hold. */
  public static final int MAX_MESSAGES = 10_000;

  /** Longest accepted conversation id, in characters. */
  public static final int MAX_CONVERSATION_ID_LENGTH = 255;

  /**
   * Validates lengths, that no field holds U+0000, and that {@code data} comes with a {@code
   * format} and a format with data.
   */
  public ConversationMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(data, "data");
    if (text.length() > MAX_TEXT_LENGTH) {
      throw new InvalidRequestException(
          "messages.text", "message text is longer than " + MAX_TEXT_LENGTH + " characters");
    }
    if (data.length() > MAX_TEXT_LENGTH) {
      throw new InvalidRequestException(
          "messages.data", "message data is longer than " + MAX_TEXT_LENGTH + " characters");
    }
    // Refused everywhere because PostgreSQL text cannot hold it: every store keeps the same
    // windows.
    if (text.indexOf('\u0000') >= 0) {
      throw new InvalidRequestException("messages.text", "message text must not contain U+0000");
    }
    if (data.indexOf('\u0000') >= 0 || format.indexOf('\u0000') >= 0) {
      throw new InvalidRequestException(
          "messages.data", "message data and format must not contain U+0000");
    }
    if (format.length() > MAX_FORMAT_LENGTH || format.isBlank() != format.isEmpty()) {
      throw new InvalidRequestException(
          "messages.format", "format must be empty or 1 to " + MAX_FORMAT_LENGTH + " characters");
    }
    if (format.isEmpty() != data.isEmpty()) {
      throw new InvalidRequestException(
          "messages.format", "format and data must be both set or both empty");
    }
  }

  /** A message that is all role and text. */
  public static ConversationMessage of(Role role, String text) {
    return new ConversationMessage(role, text, "", "");
  }

  /**
   * Checks a conversation id: 1 to 255 characters, not blank, no control characters. Returns it.
   */
  public static String requireConversationId(String conversationId) {
    if (conversationId == null || conversationId.isBlank()) {
      throw new InvalidRequestException("conversation_id", "conversation_id must not be blank");
    }
    if (conversationId.length() > MAX_CONVERSATION_ID_LENGTH) {
      throw new InvalidRequestException(
          "conversation_id",
          "conversation_id is longer than " + MAX_CONVERSATION_ID_LENGTH + " characters");
    }
    for (int i = 0; i < conversationId.length(); i++) {
      if (Character.isISOControl(conversationId.charAt(i))) {
        throw new InvalidRequestException(
            "conversation_id", "conversation_id must not contain control characters");
      }
    }
    return conversationId;
  }
}
