package io.mnemo4j.spring.ai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.ConversationMessage;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Role;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantMemory;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.messages.AbstractMessage;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;

/**
 * A Spring AI {@link ChatMemoryRepository} keeping each conversation's window in one tenant ({@link
 * TenantMemory#replaceConversation}): Spring's {@code MessageWindowChatMemory} then survives
 * restarts, and no other tenant can reach the windows. Tool calls, tool responses and scalar
 * message metadata round-trip; media attachments are not kept. Thread-safe.
 *
 * <pre>{@code
 * ChatMemory memory = MessageWindowChatMemory.builder()
 *     .chatMemoryRepository(new MnemoChatMemoryRepository(mnemo.tenant("acme")))
 *     .build();
 * }</pre>
 */
public final class MnemoChatMemoryRepository implements ChatMemoryRepository {
  /** The {@link ConversationMessage#format()} of messages this repository writes. */
  public static final String FORMAT = "spring-ai";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final TenantMemory tenant;

  /** A repository keeping windows in {@code tenant}. */
  public MnemoChatMemoryRepository(TenantMemory tenant) {
    this.tenant = Objects.requireNonNull(tenant, "tenant");
  }

  /** The tenant the windows live in. */
  public TenantMemory tenant() {
    return tenant;
  }

  /** Every conversation id of the tenant, read page by page. */
  @Override
  public List<String> findConversationIds() {
    List<String> ids = new ArrayList<>();
    PageRequest page = PageRequest.first(PageRequest.MAX_SIZE);
    while (true) {
      Page<String> p = tenant.conversationIds(page);
      ids.addAll(p.items());
      if (p.next().isEmpty()) {
        return ids;
      }
      page = PageRequest.after(p.next().get(), PageRequest.MAX_SIZE);
    }
  }

  @Override
  public List<Message> findByConversationId(String conversationId) {
    List<Message> out = new ArrayList<>();
    for (ConversationMessage m : tenant.conversation(conversationId)) {
      decode(m).ifPresent(out::add);
    }
    return out;
  }

  /** Replaces the conversation's window with {@code messages}, atomically. */
  @Override
  public void saveAll(String conversationId, List<Message> messages) {
    tenant.replaceConversation(
        conversationId, messages.stream().map(MnemoChatMemoryRepository::encode).toList());
  }

  @Override
  public void deleteByConversationId(String conversationId) {
    tenant.deleteConversation(conversationId);
  }

  // ---- encoding: role and text for any reader, the rest as JSON for this repository

  static ConversationMessage encode(Message m) {
    Role role =
        switch (m.getMessageType()) {
          case USER -> Role.USER;
          case ASSISTANT -> Role.ASSISTANT;
          case SYSTEM -> Role.SYSTEM;
          case TOOL -> Role.TOOL;
        };
    String text = m.getText() == null ? "" : m.getText();
    ObjectNode data = JSON.createObjectNode();
    ObjectNode metadata = data.putObject("metadata");
    m.getMetadata()
        .forEach(
            (k, v) -> {
              switch (v) {
                case String s -> metadata.put(k, s);
                case Integer i -> metadata.put(k, i);
                case Long l -> metadata.put(k, l);
                case Double d -> metadata.put(k, d);
                case Float f -> metadata.put(k, f);
                case BigDecimal d -> metadata.put(k, d);
                case Boolean b -> metadata.put(k, b);
                // The message type is implied by the role; other values (media, objects) are not
                // kept.
                default -> {}
              }
            });
    if (m instanceof AssistantMessage a && a.hasToolCalls()) {
      ArrayNode calls = data.putArray("tool_calls");
      for (AssistantMessage.ToolCall c : a.getToolCalls()) {
        calls
            .addObject()
            .put("id", c.id())
            .put("type", c.type())
            .put("name", c.name())
            .put("arguments", c.arguments());
      }
    }
    if (m instanceof ToolResponseMessage t) {
      ArrayNode responses = data.putArray("responses");
      for (ToolResponseMessage.ToolResponse r : t.getResponses()) {
        responses
            .addObject()
            .put("id", r.id())
            .put("name", r.name())
            .put("response_data", r.responseData());
      }
    }
    String json;
    try {
      json = JSON.writeValueAsString(data);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a chat message could not be encoded", e);
    }
    return new ConversationMessage(role, text.replace('\u0000', '\uFFFD'), FORMAT, json);
  }

  /**
   * The message a window entry stands for: exactly what was saved when this repository wrote it;
   * otherwise one rebuilt from role and text (a foreign tool message, or one without text, is left
   * out: it cannot be rebuilt).
   */
  static Optional<Message> decode(ConversationMessage m) {
    if (!FORMAT.equals(m.format())) {
      if (m.text().isBlank()) {
        return Optional.empty();
      }
      return switch (m.role()) {
        case USER -> Optional.of(new UserMessage(m.text()));
        case ASSISTANT -> Optional.of(new AssistantMessage(m.text()));
        case SYSTEM -> Optional.of(new SystemMessage(m.text()));
        case TOOL -> Optional.empty();
      };
    }
    JsonNode data;
    try {
      data = JSON.readTree(m.data());
    } catch (JsonProcessingException e) {
      throw new StoreUnavailableException("a stored Spring AI chat message is not valid JSON", e);
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = data.path("metadata").properties().iterator();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      JsonNode v = f.getValue();
      if (v.isTextual()) {
        metadata.put(f.getKey(), v.asText());
      } else if (v.isBoolean()) {
        metadata.put(f.getKey(), v.asBoolean());
      } else if (v.isNumber()) {
        metadata.put(f.getKey(), v.numberValue());
      }
    }
    // Restored by the constructors from the role.
    metadata.remove(AbstractMessage.MESSAGE_TYPE);
    Message out =
        switch (m.role()) {
          case USER -> UserMessage.builder().text(m.text()).metadata(metadata).build();
          case SYSTEM -> SystemMessage.builder().text(m.text()).metadata(metadata).build();
          case ASSISTANT -> {
            List<AssistantMessage.ToolCall> calls = new ArrayList<>();
            for (JsonNode c : data.path("tool_calls")) {
              calls.add(
                  new AssistantMessage.ToolCall(
                      c.path("id").asText(),
                      c.path("type").asText(),
                      c.path("name").asText(),
                      c.path("arguments").asText()));
            }
            yield AssistantMessage.builder()
                .content(m.text())
                .properties(metadata)
                .toolCalls(calls)
                .build();
          }
          case TOOL -> {
            List<ToolResponseMessage.ToolResponse> responses = new ArrayList<>();
            for (JsonNode r : data.path("responses")) {
              responses.add(
                  new ToolResponseMessage.ToolResponse(
                      r.path("id").asText(),
                      r.path("name").asText(),
                      r.path("response_data").asText()));
            }
            yield ToolResponseMessage.builder().responses(responses).metadata(metadata).build();
          }
        };
    return Optional.of(out);
  }
}
