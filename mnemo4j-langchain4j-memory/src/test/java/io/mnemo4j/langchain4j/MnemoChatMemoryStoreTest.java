package io.mnemo4j.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import io.mnemo4j.ConversationMessage;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Role;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.testing.HashingEmbedder;
import io.mnemo4j.testing.InMemoryBackend;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MnemoChatMemoryStoreTest {
  private Mnemo mnemo;
  private TenantMemory acme;

  @BeforeEach
  void setUp() {
    mnemo = Mnemo.builder().embedder(new HashingEmbedder()).backend(new InMemoryBackend()).build();
    acme = mnemo.tenant("acme");
  }

  @AfterEach
  void tearDown() {
    mnemo.close();
  }

  @Test
  void updateMessages_toolCallsNamesAndSystemMessage_roundTripExactly() {
    MnemoChatMemoryStore store = MnemoChatMemoryStore.builder(acme).build();
    ToolExecutionRequest call =
        ToolExecutionRequest.builder()
            .id("call-1")
            .name("weather")
            .arguments("{\"city\":\"Oslo\"}")
            .build();
    List<ChatMessage> window =
        List.of(
            SystemMessage.from("Be brief."),
            UserMessage.from("alice", "weather in Oslo?"),
            AiMessage.from(call),
            ToolExecutionResultMessage.from(call, "-3 C, snow"),
            AiMessage.from("Cold: -3 C and snow."));

    store.updateMessages("conv-1", window);

    assertThat(store.getMessages("conv-1")).containsExactlyElementsOf(window);
    assertThat(acme.conversation("conv-1"))
        .extracting(ConversationMessage::role)
        .containsExactly(Role.SYSTEM, Role.USER, Role.ASSISTANT, Role.TOOL, Role.ASSISTANT);
    assertThat(acme.conversation("conv-1").get(2).text()).isEmpty(); // a tool call has no text
  }

  @Test
  void getMessages_windowWrittenByAnotherIntegration_isRebuiltFromRoleAndText() {
    acme.replaceConversation(
        "shared",
        List.of(
            ConversationMessage.of(Role.SYSTEM, "You help."),
            ConversationMessage.of(Role.USER, "hi"),
            new ConversationMessage(Role.ASSISTANT, "hello", "spring-ai", "{\"x\":1}"),
            new ConversationMessage(Role.TOOL, "42", "spring-ai", "{\"id\":\"t\"}")));

    assertThat(MnemoChatMemoryStore.builder(acme).build().getMessages("shared"))
        .containsExactly(
            SystemMessage.from("You help."), UserMessage.from("hi"), AiMessage.from("hello"));
  }

  @Test
  void conversationId_mapping_keysTheWindow() {
    MnemoChatMemoryStore store =
        MnemoChatMemoryStore.builder(acme).conversationId(id -> "lc4j:" + id).build();

    store.updateMessages(7, List.of(UserMessage.from("seven")));

    assertThat(acme.conversation("lc4j:7")).hasSize(1);
    assertThat(store.getMessages(7)).containsExactly(UserMessage.from("seven"));
  }

  @Test
  void newUserMessages_afterEvictionAndRepeats_areOnlyTheAppendedOnes() {
    SystemMessage sys = SystemMessage.from("s");
    UserMessage yes = UserMessage.from("yes");
    AiMessage a1 = AiMessage.from("a1");
    UserMessage u2 = UserMessage.from("u2");
    AiMessage a2 = AiMessage.from("a2");

    // The window evicted the first "yes" and its answer; the user said "yes" again.
    assertThat(
            MnemoChatMemoryStore.newUserMessages(
                List.of(sys, yes, a1, u2, a2), List.of(sys, u2, a2, yes)))
        .containsExactly(Message.user("yes"));
    // Nothing new: an answer appended after the user message already remembered.
    assertThat(MnemoChatMemoryStore.newUserMessages(List.of(sys, u2), List.of(sys, u2, a2)))
        .isEmpty();
    // A first turn.
    assertThat(MnemoChatMemoryStore.newUserMessages(List.of(), List.of(sys, u2)))
        .containsExactly(Message.user("u2"));
    // Named speakers keep their name.
    assertThat(
            MnemoChatMemoryStore.newUserMessages(
                List.of(), List.of(UserMessage.from("bob", "from bob"))))
        .containsExactly(Message.user("bob", "from bob"));
  }
}
