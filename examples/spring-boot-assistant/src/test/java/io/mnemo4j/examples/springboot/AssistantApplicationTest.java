package io.mnemo4j.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.Mnemo;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/** The example as a user runs it: two sessions, the second one remembering the first. */
class AssistantApplicationTest {
  @TempDir Path dataDir;

  private ConfigurableApplicationContext start() {
    return SpringApplication.run(AssistantApplication.class, "--mnemo.data-dir=" + dataDir);
  }

  @Test
  void secondRun_remembersWhatTheUserSaidInTheFirst() throws Exception {
    try (ConfigurableApplicationContext first = start()) {
      String hello =
          AssistantApplication.chat(
              first.getBean(ChatClient.class),
              "alice",
              "s1",
              "I am vegetarian and I live in Lisbon");
      assertThat(hello).isEqualTo("Nice to meet you! I will remember that.");
      assertThat(first.getBean(Mnemo.class).operations().awaitAsyncAdds(Duration.ofSeconds(30)))
          .isTrue();
    }
    try (ConfigurableApplicationContext second = start()) {
      ChatClient client = second.getBean(ChatClient.class);

      String answer =
          AssistantApplication.chat(client, "alice", "s2", "what should I cook tonight?");
      String stranger =
          AssistantApplication.chat(client, "bob", "s3", "what should I cook tonight?");

      assertThat(answer).contains("I am vegetarian and I live in Lisbon");
      assertThat(stranger).isEqualTo("Nice to meet you! I will remember that.");
      assertThat(second.getBean(Mnemo.class).tenant("default").conversation("s1")).hasSize(2);
    }
  }
}
