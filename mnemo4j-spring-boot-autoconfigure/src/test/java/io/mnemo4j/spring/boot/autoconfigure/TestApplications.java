package io.mnemo4j.spring.boot.autoconfigure;

import io.mnemo4j.spi.Embedder;
import io.mnemo4j.testing.HashingEmbedder;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/** The applications the tests start: what a user's Spring Boot application declares. */
final class TestApplications {
  private TestApplications() {}

  /**
   * The stub model's answer to {@code userText}: no word in common with it, so that storing both is
   * never a near duplicate.
   */
  static String reply(String userText) {
    return "Okay, noted (" + userText.length() + " characters).";
  }

  /** An application that declares nothing of its own. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class Plain {}

  /**
   * An application with a chat model; its embedder is a fast test one (the application's own bean,
   * which the auto-configuration uses instead of loading the ONNX model).
   */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class WithChatModel {
    @Bean
    StubChatModel stubChatModel() {
      return new StubChatModel(
          p -> {
            String system =
                p.getSystemMessage() == null ? "" : String.valueOf(p.getSystemMessage().getText());
            if (system.contains("\"required\": [\"facts\"]")) {
              return "{\"facts\":[{\"text\":\"Alice is vegetarian\",\"categories\":[],"
                  + "\"valid_from\":null}]}";
            }
            return reply(p.getUserMessage().getText());
          });
    }

    @Bean
    Embedder testEmbedder() {
      return new HashingEmbedder();
    }
  }
}
