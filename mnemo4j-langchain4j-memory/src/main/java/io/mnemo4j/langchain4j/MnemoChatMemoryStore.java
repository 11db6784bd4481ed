package io.mnemo4j.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ChatMessageDeserializer;
import dev.langchain4j.data.message.ChatMessageSerializer;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
import io.mnemo4j.AddOptions;
import io.mnemo4j.ConversationMessage;
import io.mnemo4j.Message;
import io.mnemo4j.OverloadedException;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A LangChain4j {@link ChatMemoryStore} keeping each chat memory's message window in one tenant
 * ({@link TenantMemory#replaceConversation}), so a {@code MessageWindowChatMemory} survives
 * restarts and one tenant's windows are out of every other tenant's reach. Messages round-trip
 * exactly (LangChain4j's own JSON encoding is kept beside role and text). Thread-safe.
 *
 * <pre>{@code
 * ChatMemoryStore store = MnemoChatMemoryStore.builder(mnemo.tenant("acme"))
 *     .rememberUserMessages(ScopeMapping.userId())     // optional: also add them to long-term memory
 *     .build();
 * ChatMemoryProvider memories =
 *     id -> MessageWindowChatMemory.builder().id(id).maxMessages(20).chatMemoryStore(store).build();
 * }</pre>
 *
 * <p>With {@link Builder#rememberUserMessages}, every user message new to a window is also handed
 * to {@link TenantMemory#add} in the scope its chat memory id maps to: stored verbatim, or turned
 * into facts when the tenant has a language model configured. Adds are queued ({@link
 * TenantMemory#addAsync}, durable, resumed after a restart) unless {@link Builder#synchronousAdds}
 * is set. Give the AI service {@code storeRetrievedContentInChatMemory(false)} when it also uses a
 * retriever, so the window holds what the user said rather than the prompt augmented with memories.
 */
public final class MnemoChatMemoryStore implements ChatMemoryStore {
  /** The {@link ConversationMessage#format()} of messages this store writes. */
  public static final String FORMAT = "langchain4j";

  private static final System.Logger LOG = System.getLogger(MnemoChatMemoryStore.class.getName());

  private final TenantMemory tenant;
  private final Function<Object, String> conversationIds;
  private final Optional<ScopeMapping> remember;
  private final boolean synchronousAdds;

  private MnemoChatMemoryStore(Builder b) {
    this.tenant = b.tenant;
    this.conversationIds = b.conversationIds;
    this.remember = Optional.ofNullable(b.remember);
    this.synchronousAdds = b.synchronousAdds;
  }

  /** A builder over {@code tenant}: windows only, nothing added to long-term memory. */
  public static Builder builder(TenantMemory tenant) {
    return new Builder(tenant);
  }

  @Override
  public List<ChatMessage> getMessages(Object memoryId) {
    List<ChatMessage> out = new ArrayList<>();
    for (ConversationMessage m : tenant.conversation(conversationId(memoryId))) {
      decode(m).ifPresent(out::add);
    }
    return out;
  }

  /**
   * Replaces the window, then hands the user messages that are new to it to long-term memory when
   * so configured. The window is written first: a failed add never loses the conversation.
   */
  @Override
  public void updateMessages(Object memoryId, List<ChatMessage> messages) {
    String id = conversationId(memoryId);
    List<ChatMessage> before = remember.isPresent() ? getMessages(memoryId) : List.of();
    tenant.replaceConversation(id, messages.stream().map(MnemoChatMemoryStore::encode).toList());
    if (remember.isPresent()) {
      List<Message> fresh = newUserMessages(before, messages);
      if (!fresh.isEmpty()) {
        remember(fresh, remember.get().scopeOf(memoryId));
      }
    }
  }

  @Override
  public void deleteMessages(Object memoryId) {
    tenant.deleteConversation(conversationId(memoryId));
  }

  private String conversationId(Object memoryId) {
    Objects.requireNonNull(memoryId, "memoryId");
    return conversationIds.apply(memoryId);
  }

  private void remember(List<Message> fresh, Scope scope) {
    if (synchronousAdds) {
      tenant.add(fresh, scope, AddOptions.none());
      return;
    }
    try {
      tenant.addAsync(fresh, scope, AddOptions.none());
    } catch (OverloadedException e) {
      // The chat goes on: the window is stored, only the long-term copy of this turn is missing.
      LOG.log(
          System.Logger.Level.WARNING,
          "tenant {0}: asynchronous add queue full, {1} user message(s) not remembered",
          tenant.info().id(),
          fresh.size());
    }
  }

  /**
   * The user messages of {@code after} that {@code before} did not hold. A window only drops its
   * oldest messages and appends new ones, so the messages it kept appear in {@code before} in the
   * same order: they are matched in one forward pass, and everything from the first message not
   * found onwards is new (a repeated "yes" is new because the earlier one was matched before it).
   */
  static List<Message> newUserMessages(List<ChatMessage> before, List<ChatMessage> after) {
    int p = 0;
    int firstNew = after.size();
    for (int i = 0; i < after.size(); i++) {
      int found = -1;
      for (int j = p; j < before.size(); j++) {
        if (before.get(j).equals(after.get(i))) {
          found = j;
          break;
        }
      }
      if (found < 0) {
        firstNew = i;
        break;
      }
      p = found + 1;
    }
    List<Message> out = new ArrayList<>();
    for (ChatMessage m : after.subList(firstNew, after.size())) {
      if (m instanceof UserMessage u) {
        String text = text(u).strip();
        if (!text.isEmpty()) {
          out.add(
              u.name() == null || u.name().isBlank() || u.name().length() > Scope.MAX_ID_LENGTH
                  ? Message.user(text)
                  : Message.user(u.name(), text));
        }
      }
    }
    return out;
  }

  // ---- encoding

  static ConversationMessage encode(ChatMessage m) {
    Role role =
        switch (m.type()) {
          case SYSTEM -> Role.SYSTEM;
          case USER -> Role.USER;
          case AI -> Role.ASSISTANT;
          case TOOL_EXECUTION_RESULT -> Role.TOOL;
          // Provider-specific messages (such as Ollama's custom roles) have no role of ours.
          case CUSTOM -> Role.SYSTEM;
        };
    String text =
        switch (m) {
          case UserMessage u -> text(u);
          case AiMessage a -> a.text() == null ? "" : a.text();
          case SystemMessage s -> s.text();
          case ToolExecutionResultMessage t -> t.text();
          default -> "";
        };
    // U+0000 cannot be stored as text (the JSON escapes it, so data keeps it exactly).
    return new ConversationMessage(
        role, text.replace('\u0000', '\uFFFD'), FORMAT, ChatMessageSerializer.messageToJson(m));
  }

  /**
   * The message a window entry stands for: LangChain4j's own encoding when this store wrote it,
   * otherwise one rebuilt from role and text (a tool result from elsewhere cannot be rebuilt
   * without its call id, nor a message without text, and is left out).
   */
  static Optional<ChatMessage> decode(ConversationMessage m) {
    if (FORMAT.equals(m.format())) {
      try {
        return Optional.of(ChatMessageDeserializer.messageFromJson(m.data()));
      } catch (RuntimeException e) {
        throw new StoreUnavailableException(
            "a stored LangChain4j chat message could not be decoded: " + e.getClass().getName(), e);
      }
    }
    if (m.text().isBlank()) {
      return Optional.empty();
    }
    return switch (m.role()) {
      case USER -> Optional.of(UserMessage.from(m.text()));
      case ASSISTANT -> Optional.of(AiMessage.from(m.text()));
      case SYSTEM -> Optional.of(SystemMessage.from(m.text()));
      case TOOL -> Optional.empty();
    };
  }

  private static String text(UserMessage u) {
    if (u.hasSingleText()) {
      return u.singleText();
    }
    StringBuilder sb = new StringBuilder();
    u.contents().stream()
        .filter(c -> c instanceof TextContent)
        .forEach(c -> sb.append(sb.isEmpty() ? "" : "\n").append(((TextContent) c).text()));
    return sb.toString();
  }

  /** Configures a {@link MnemoChatMemoryStore}. Not thread-safe. */
  public static final class Builder {
    private final TenantMemory tenant;
    private Function<Object, String> conversationIds = String::valueOf;
    private @org.jspecify.annotations.Nullable ScopeMapping remember;
    private boolean synchronousAdds;

    private Builder(TenantMemory tenant) {
      this.tenant = Objects.requireNonNull(tenant, "tenant");
    }

    /** The conversation id a chat memory id is kept under (default {@code String.valueOf(id)}). */
    public Builder conversationId(Function<Object, String> f) {
      this.conversationIds = Objects.requireNonNull(f, "conversationId");
      return this;
    }

    /**
     * Also adds each new user message to long-term memory, in the scope {@code scopes} gives its
     * chat memory id (verbatim, or inferred when the tenant has a language model).
     */
    public Builder rememberUserMessages(ScopeMapping scopes) {
      this.remember = Objects.requireNonNull(scopes, "scopes");
      return this;
    }

    /**
     * Adds within {@code updateMessages} instead of queueing them (default false): the call then
     * waits for the embedding, or the model, and fails if the add does.
     */
    public Builder synchronousAdds(boolean on) {
      this.synchronousAdds = on;
      return this;
    }

    /** Builds the store. */
    public MnemoChatMemoryStore build() {
      return new MnemoChatMemoryStore(this);
    }
  }
}
