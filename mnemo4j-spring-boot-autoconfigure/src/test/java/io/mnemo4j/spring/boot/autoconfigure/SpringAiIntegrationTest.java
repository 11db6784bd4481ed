package io.mnemo4j.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.Hit;
import io.mnemo4j.Memory;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.Selection;
import io.mnemo4j.spring.ai.MnemoMemoryAdvisor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.MessageChatMemoryAdvisor;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The advisor and the chat memory repository in a Spring Boot application with a (stub) Spring AI
 * chat model, driven through Spring AI's ChatClient. Inference is off here so stored memories are
 * exactly what was said; {@link InferenceBridgeTest} covers the model.
 */
@SpringBootTest(classes = TestApplications.WithChatModel.class)
@DirtiesContext
class SpringAiIntegrationTest {
  @TempDir static Path dataDir;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("mnemo.data-dir", () -> dataDir.toString());
    registry.add("mnemo.inference.enabled", () -> "false");
  }

  @Autowired Mnemo mnemo;
  @Autowired MnemoMemoryAdvisor advisor;
  @Autowired StubChatModel model;
  @Autowired ChatMemoryRepository repository;

  private ChatClient client;

  @BeforeEach
  void setUp() {
    client = ChatClient.builder(model).defaultAdvisors(advisor).build();
  }

  private String ask(String tenant, String user, String text) {
    return client
        .prompt()
        .advisors(
            a -> a.param(MnemoMemoryAdvisor.TENANT, tenant).param(MnemoMemoryAdvisor.USER_ID, user))
        .user(text)
        .call()
        .content();
  }

  private List<String> texts(String tenant, Scope scope) {
    return mnemo.tenant(tenant).getAll(Selection.in(scope), PageRequest.first(100)).items().stream()
        .map(Memory::text)
        .toList();
  }

  @Test
  void advisor_addsTheUsersMemoriesToTheSystemMessage_andStoresTheExchange() throws Exception {
    mnemo
        .tenant("acme")
        .add(List.of(Message.user("I am allergic to shellfish")), Scope.user("alice"));
    mnemo.tenant("acme").add(List.of(Message.user("I love shellfish paella")), Scope.user("bob"));

    String answer = ask("acme", "alice", "can I eat the shellfish soup?");

    assertThat(answer).isEqualTo(TestApplications.reply("can I eat the shellfish soup?"));
    assertThat(model.lastSystemText())
        .contains("Long-term memory about this user")
        .contains("- I am allergic to shellfish")
        .doesNotContain("paella");
    // The user's message reaches the model as it was said.
    assertThat(model.lastUserText()).isEqualTo("can I eat the shellfish soup?");
    assertThat(mnemo.operations().awaitAsyncAdds(Duration.ofSeconds(30))).isTrue();
    assertThat(texts("acme", Scope.user("alice")))
        .containsExactly(
            "I am allergic to shellfish",
            "can I eat the shellfish soup?",
            TestApplications.reply("can I eat the shellfish soup?"));
    assertThat(
            mnemo
                .tenant("acme")
                .getAll(Selection.in(Scope.user("alice")), PageRequest.first(10))
                .items()
                .getLast()
                .role())
        .isEqualTo(Role.ASSISTANT);
  }

  @Test
  void advisor_twoTenantsWithTheSameUser_neverSeeEachOther() throws Exception {
    mnemo
        .tenant("tenant-a")
        .add(List.of(Message.user("my locker code is 4711")), Scope.user("sam"));
    mnemo
        .tenant("tenant-b")
        .add(List.of(Message.user("my locker code is 0815")), Scope.user("sam"));

    ask("tenant-a", "sam", "what is my locker code?");
    String systemA = model.lastSystemText();
    ask("tenant-b", "sam", "what is my locker code?");
    String systemB = model.lastSystemText();
    assertThat(mnemo.operations().awaitAsyncAdds(Duration.ofSeconds(30))).isTrue();

    assertThat(systemA).contains("4711").doesNotContain("0815");
    assertThat(systemB).contains("0815").doesNotContain("4711");
    assertThat(texts("tenant-a", Scope.user("sam"))).noneMatch(t -> t.contains("0815"));
    assertThat(texts("tenant-b", Scope.user("sam"))).noneMatch(t -> t.contains("4711"));
  }

  @Test
  void advisor_withoutUserAgentOrRun_passesTheRequestThroughAndStoresNothing() throws Exception {
    mnemo
        .tenant("quiet")
        .add(List.of(Message.user("org fact about quiet hours")), Scope.tenantWide());

    client
        .prompt()
        .advisors(a -> a.param(MnemoMemoryAdvisor.TENANT, "quiet"))
        .user("quiet hours?")
        .call()
        .content();
    assertThat(mnemo.operations().awaitAsyncAdds(Duration.ofSeconds(30))).isTrue();

    assertThat(model.lastSystemText()).isEmpty();
    assertThat(mnemo.tenant("quiet").count(Selection.everywhere())).isEqualTo(1);
  }

  @Test
  void advisor_tenantWideMemory_onlyWhenAskedFor() throws Exception {
    mnemo
        .tenant("org")
        .add(
            List.of(Message.user("the office cafeteria is closed on Mondays")), Scope.tenantWide());
    MnemoMemoryAdvisor withOrg = MnemoMemoryAdvisor.builder(mnemo).includeTenantWide(true).build();

    ask("org", "lee", "is the cafeteria open on Mondays?");
    String scopeOnly = model.lastSystemText();
    ChatClient.builder(model)
        .defaultAdvisors(withOrg)
        .build()
        .prompt()
        .advisors(
            a -> a.param(MnemoMemoryAdvisor.TENANT, "org").param(MnemoMemoryAdvisor.USER_ID, "lee"))
        .user("is the cafeteria open on Mondays?")
        .call()
        .content();
    assertThat(mnemo.operations().awaitAsyncAdds(Duration.ofSeconds(30))).isTrue();

    assertThat(scopeOnly).doesNotContain("cafeteria is closed");
    assertThat(model.lastSystemText()).contains("- the office cafeteria is closed on Mondays");
  }

  @Test
  void advisor_agentAndRunParameters_scopeTheSearchAndTheAdd() throws Exception {
    mnemo.tenant("acme").add(List.of(Message.user("run one: the budget is 10k")), Scope.run("r1"));
    mnemo.tenant("acme").add(List.of(Message.user("run two: the budget is 20k")), Scope.run("r2"));

    client
        .prompt()
        .advisors(
            a -> a.param(MnemoMemoryAdvisor.TENANT, "acme").param(MnemoMemoryAdvisor.RUN_ID, "r2"))
        .user("what is the budget?")
        .call()
        .content();
    assertThat(mnemo.operations().awaitAsyncAdds(Duration.ofSeconds(30))).isTrue();

    assertThat(model.lastSystemText()).contains("20k").doesNotContain("10k");
    assertThat(texts("acme", Scope.run("r2"))).contains("what is the budget?");
    assertThat(texts("acme", Scope.run("r1"))).doesNotContain("what is the budget?");
  }

  @Test
  void advisor_streaming_storesTheWholeAnswerOnce() throws Exception {
    String streamed =
        String.join(
            "",
            client
                .prompt()
                .advisors(
                    a ->
                        a.param(MnemoMemoryAdvisor.TENANT, "stream")
                            .param(MnemoMemoryAdvisor.USER_ID, "u"))
                .user("tell me a long story")
                .stream()
                .content()
                .collectList()
                .block(Duration.ofSeconds(30)));
    assertThat(mnemo.operations().awaitAsyncAdds(Duration.ofSeconds(30))).isTrue();

    assertThat(streamed).isEqualTo(TestApplications.reply("tell me a long story"));
    assertThat(texts("stream", Scope.user("u")))
        .containsExactly("tell me a long story", TestApplications.reply("tell me a long story"));
  }

  @Test
  void chatMemoryRepository_underMessageWindowChatMemory_persistsTheWindowInTheTenant()
      throws Exception {
    ChatMemory window = MessageWindowChatMemory.builder().chatMemoryRepository(repository).build();
    ChatClient withWindow =
        ChatClient.builder(model)
            .defaultAdvisors(MessageChatMemoryAdvisor.builder(window).build(), advisor)
            .build();

    withWindow
        .prompt()
        .advisors(
            a ->
                a.param(ChatMemory.CONVERSATION_ID, "conv-7")
                    .param(MnemoMemoryAdvisor.USER_ID, "kim"))
        .user("my name is Kim")
        .call()
        .content();
    withWindow
        .prompt()
        .advisors(
            a ->
                a.param(ChatMemory.CONVERSATION_ID, "conv-7")
                    .param(MnemoMemoryAdvisor.USER_ID, "kim"))
        .user("what is my name?")
        .call()
        .content();

    assertThat(model.lastPromptText())
        .contains("USER: my name is Kim")
        .contains("ASSISTANT: " + TestApplications.reply("my name is Kim"));
    assertThat(mnemo.tenant("default").conversation("conv-7"))
        .extracting(m -> m.role() + ": " + m.text())
        .containsExactly(
            "USER: my name is Kim",
            "ASSISTANT: " + TestApplications.reply("my name is Kim"),
            "USER: what is my name?",
            "ASSISTANT: " + TestApplications.reply("what is my name?"));
    // The advisor queues the exchange (addAsync): wait for the queue before searching long-term
    // memory.
    assertThat(mnemo.operations().awaitAsyncAdds(Duration.ofSeconds(30))).isTrue();
    List<Hit> hits = mnemo.tenant("default").search("name Kim", Search.in(Scope.user("kim")));
    assertThat(hits).isNotEmpty();
  }
}
