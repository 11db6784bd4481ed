package io.mnemo4j.examples.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.Mnemo;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example as a user runs it: two sessions, the second one remembering the first. */
class AssistantTest {
  @TempDir Path dataDir;

  @Test
  void secondRun_remembersWhatTheUserSaidInTheFirst() throws Exception {
    try (Mnemo mnemo = Assistant.openMnemo(dataDir)) {
      Assistant first = Assistant.create(mnemo.tenant("default"), new ScriptedChatModel());
      assertThat(first.chat("alice", "I am vegetarian and I live in Lisbon"))
          .isEqualTo("Nice to meet you! I will remember that.");
      assertThat(mnemo.operations().awaitAsyncAdds(Duration.ofSeconds(30))).isTrue();
    }
    try (Mnemo mnemo = Assistant.openMnemo(dataDir)) {
      Assistant second = Assistant.create(mnemo.tenant("default"), new ScriptedChatModel());

      String answer = second.chat("alice", "I need dinner ideas for tonight, I am vegetarian");
      String stranger = second.chat("bob", "I need dinner ideas for tonight, I am vegetarian");

      assertThat(answer).contains("I am vegetarian and I live in Lisbon");
      assertThat(stranger).isEqualTo("Nice to meet you! I will remember that.");
      assertThat(mnemo.tenant("default").conversation("alice")).hasSize(4);
    }
  }
}
