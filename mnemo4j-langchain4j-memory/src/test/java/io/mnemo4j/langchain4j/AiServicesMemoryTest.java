package io.mnemo4j.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ChatMessageType;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.MemoryId;
import io.mnemo4j.ConversationMessage;
import io.mnemo4j.Hit;
import io.mnemo4j.InferenceSettings;
import io.mnemo4j.MemoryType;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import io.mnemo4j.testing.HashingEmbedder;
import io.mnemo4j.testing.ScriptedModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retriever and the chat memory store driven the way an application drives them: through a
 * LangChain4j AI service with a {@code MessageWindowChatMemory}, over the embedded store on disk
 * and a scripted chat model (no network).
 */
class AiServicesMemoryTest {
  /** The AI service an application declares. */
  interface Assistant {
    String chat(@MemoryId String user, @dev.langchain4j.service.UserMessage String text);
  }

  @TempDir Path dataDir;
  private Mnemo mnemo;

  private Mnemo open(InferenceSettings inference) {
    return Mnemo.builder()
        .dataDir(dataDir)
        .embedder(new HashingEmbedder())
        .backend(EmbeddedBackend.create())
        .inference(inference)
        .build();
  }

  @BeforeEach
  void setUp() {
    mnemo = open(InferenceSettings.none());
  }

  @AfterEach
  void tearDown() {
    mnemo.close();
  }

  private static Assistant assistant(
      TenantMemory tenant, ScriptedChatModel model, MnemoChatMemoryStore store) {
    return AiServices.builder(Assistant.class)
        .chatModel(model)
        .chatMemoryProvider(
            id ->
                MessageWindowChatMemory.builder()
                    .id(id)
                    .maxMessages(10)
                    .chatMemoryStore(store)
                    .build())
        .contentRetriever(MnemoContentRetriever.builder(tenant).includeTenantWide(true).build())
        .storeRetrievedContentInChatMemory(false)
        .build();
  }

  private static Assistant assistant(TenantMemory tenant, ScriptedChatModel model) {
    return assistant(tenant, model, MnemoChatMemoryStore.builder(tenant).build());
  }

  @Test
  void chat_userMemories_reachThePrompt() {
    TenantMemory acme = mnemo.tenant("acme");
    acme.add(List.of(Message.user("I am allergic to peanuts")), Scope.user("alice"));
    acme.add(
        List.of(Message.user("The canteen serves peanut curry on Fridays")), Scope.tenantWide());
    acme.add(List.of(Message.user("I am allergic to cats")), Scope.user("bob"));
    ScriptedChatModel model = ScriptedChatModel.answering("Avoid the curry.");

    String answer = assistant(acme, model).chat("alice", "what am I allergic to on Fridays?");

    assertThat(answer).isEqualTo("Avoid the curry.");
    assertThat(model.lastUserText())
        .startsWith("what am I allergic to on Fridays?")
        .contains("I am allergic to peanuts")
        .contains("The canteen serves peanut curry on Fridays")
        .doesNotContain("cats");
  }

  @Test
  void chat_keepsTheConversationWindowInTheTenant_andShowsItOnTheNextTurn() {
    TenantMemory acme = mnemo.tenant("acme");
    ScriptedChatModel model = new ScriptedChatModel(r -> "answer " + r.messages().size());
    Assistant assistant = assistant(acme, model);

    assistant.chat("alice", "my name is Alice");
    assistant.chat("alice", "what is my name?");

    assertThat(acme.conversation("alice"))
        .extracting(ConversationMessage::role, ConversationMessage::text)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Role.USER, "my name is Alice"),
            org.assertj.core.groups.Tuple.tuple(Role.ASSISTANT, "answer 1"),
            org.assertj.core.groups.Tuple.tuple(Role.USER, "what is my name?"),
            org.assertj.core.groups.Tuple.tuple(Role.ASSISTANT, "answer 3"));
    assertThat(model.lastPrompt()).contains("USER: my name is Alice").contains("AI: answer 1");
    assertThat(acme.conversationIds(PageRequest.first(10)).items()).containsExactly("alice");
    // The window is not long-term memory unless asked for.
    assertThat(acme.count(Selection.everywhere())).isZero();
  }

  @Test
  void chat_twoTenants_neverSeeEachOthersMemoriesOrWindows() {
    TenantMemory a = mnemo.tenant("tenant-a");
    TenantMemory b = mnemo.tenant("tenant-b");
    a.add(List.of(Message.user("the vault code is 1234")), Scope.user("alice"));
    b.add(List.of(Message.user("the vault code is 9876")), Scope.user("alice"));
    ScriptedChatModel modelA = ScriptedChatModel.answering("A");
    ScriptedChatModel modelB = ScriptedChatModel.answering("B");

    assistant(a, modelA).chat("alice", "what is the vault code?");
    assistant(b, modelB).chat("alice", "what is the vault code?");

    assertThat(modelA.lastUserText()).contains("1234").doesNotContain("9876");
    assertThat(modelB.lastUserText()).contains("9876").doesNotContain("1234");
    assertThat(a.conversation("alice")).extracting(ConversationMessage::text).contains("A");
    assertThat(b.conversation("alice"))
        .extracting(ConversationMessage::text)
        .contains("B")
        .doesNotContain("A");
    assertThat(modelB.lastPrompt()).doesNotContain("AI: A");
  }

  @Test
  void chat_afterRestart_continuesFromTheStoredWindow() {
    assistant(mnemo.tenant("acme"), ScriptedChatModel.answering("Nice to meet you, Alice."))
        .chat("alice", "my name is Alice");
    mnemo.close();

    mnemo = open(InferenceSettings.none());
    ScriptedChatModel model = ScriptedChatModel.answering("You are Alice.");
    assistant(mnemo.tenant("acme"), model).chat("alice", "who am I?");

    assertThat(model.lastPrompt())
        .contains("USER: my name is Alice")
        .contains("AI: Nice to meet you, Alice.")
        .contains("USER: who am I?");
  }

  @Test
  void rememberUserMessages_addsWhatTheUserSaid_notTheAugmentedPrompt() throws Exception {
    TenantMemory acme = mnemo.tenant("acme");
    acme.add(List.of(Message.user("Alice owns a golden retriever")), Scope.user("alice"));
    MnemoChatMemoryStore store =
        MnemoChatMemoryStore.builder(acme).rememberUserMessages(ScopeMapping.userId()).build();
    Assistant assistant = assistant(acme, ScriptedChatModel.answering("Noted."), store);

    assistant.chat("alice", "my dog is called Rex and loves the golden beach");
    assistant.chat("bob", "I prefer cats named Tom");
    assertThat(mnemo.operations().awaitAsyncAdds(Duration.ofSeconds(30))).isTrue();

    List<Hit> alice = acme.search("dog Rex", Search.in(Scope.user("alice")));
    assertThat(alice)
        .extracting(h -> h.memory().text())
        .contains("my dog is called Rex and loves the golden beach");
    assertThat(acme.count(Selection.in(Scope.user("alice")))).isEqualTo(2);
    assertThat(acme.search("cats Tom", Search.in(Scope.user("bob"))))
        .extracting(h -> h.memory().text())
        .containsExactly("I prefer cats named Tom");
    // The next turn of the same window adds only the new message.
    assistant.chat("alice", "Rex is four years old");
    assertThat(mnemo.operations().awaitAsyncAdds(Duration.ofSeconds(30))).isTrue();
    assertThat(acme.count(Selection.in(Scope.user("alice")))).isEqualTo(3);
  }

  @Test
  void rememberUserMessages_withALanguageModel_addsInferredFacts() {
    mnemo.close();
    ScriptedModel facts =
        new ScriptedModel()
            .otherwise(
                r ->
                    "{\"facts\":[{\"text\":\"Alice's dog is called Rex\","
                        + "\"categories\":[],\"valid_from\":null}]}");
    mnemo = open(InferenceSettings.with(facts));
    TenantMemory acme = mnemo.tenant("acme");
    MnemoChatMemoryStore store =
        MnemoChatMemoryStore.builder(acme)
            .rememberUserMessages(ScopeMapping.userId())
            .synchronousAdds(true)
            .build();

    assistant(acme, ScriptedChatModel.answering("Cute!"), store)
        .chat("alice", "my dog is called Rex");

    assertThat(acme.getAll(Selection.in(Scope.user("alice")), PageRequest.first(10)).items())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.text()).isEqualTo("Alice's dog is called Rex");
              assertThat(m.type()).isEqualTo(MemoryType.SEMANTIC);
            });
  }

  @Test
  void deleteMessages_removesOnlyThatWindow() {
    TenantMemory acme = mnemo.tenant("acme");
    MnemoChatMemoryStore store = MnemoChatMemoryStore.builder(acme).build();
    Assistant assistant = assistant(acme, ScriptedChatModel.answering("ok"), store);
    assistant.chat("alice", "hello");
    assistant.chat("bob", "hi");

    store.deleteMessages("alice");

    assertThat(store.getMessages("alice")).isEmpty();
    assertThat(store.getMessages("bob"))
        .extracting(ChatMessage::type)
        .containsExactly(ChatMessageType.USER, ChatMessageType.AI);
  }
}
