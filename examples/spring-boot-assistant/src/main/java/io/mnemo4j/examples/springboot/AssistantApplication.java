package io.mnemo4j.examples.springboot;

import io.mnemo4j.spring.ai.MnemoMemoryAdvisor;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.MessageChatMemoryAdvisor;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/** A chat assistant that remembers each user across sessions and restarts. */
@SpringBootApplication
public class AssistantApplication {
  /** The offline model; any real Spring AI ChatModel bean replaces it. */
  @Bean
  @ConditionalOnMissingBean(ChatModel.class)
  ChatModel scriptedChatModel() {
    return new ScriptedChatModel();
  }

  /**
   * The chat client: the window of each conversation (kept in Mnemo4j by the auto-configured
   * repository) plus long-term memory from the auto-configured advisor.
   */
  @Bean
  ChatClient chatClient(
      ChatModel model, ChatMemoryRepository repository, MnemoMemoryAdvisor longTermMemory) {
    ChatMemory window = MessageWindowChatMemory.builder().chatMemoryRepository(repository).build();
    return ChatClient.builder(model)
        .defaultAdvisors(MessageChatMemoryAdvisor.builder(window).build(), longTermMemory)
        .build();
  }

  /** One turn of {@code user} in conversation {@code conversation}. */
  public static String chat(ChatClient client, String user, String conversation, String text) {
    return client
        .prompt()
        .advisors(
            a ->
                a.param(ChatMemory.CONVERSATION_ID, conversation)
                    .param(MnemoMemoryAdvisor.USER_ID, user))
        .user(text)
        .call()
        .content();
  }

  /** Runs a short scripted session and prints it. */
  public static void main(String[] args) {
    try (ConfigurableApplicationContext context =
        SpringApplication.run(AssistantApplication.class, args)) {
      ChatClient client = context.getBean(ChatClient.class);
      for (String text :
          new String[] {
            "I am vegetarian and I live in Lisbon", "any vegetarian dinner ideas for tonight?"
          }) {
        System.out.println("alice> " + text);
        System.out.println("assistant> " + chat(client, "alice", "session-1", text));
      }
    }
  }
}
