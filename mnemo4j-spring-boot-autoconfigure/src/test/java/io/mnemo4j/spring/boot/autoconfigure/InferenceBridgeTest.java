package io.mnemo4j.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.Memory;
import io.mnemo4j.MemoryType;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Scope;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantId;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With a Spring AI ChatModel bean and nothing else configured, adds extract facts with that model:
 * no second model configuration.
 */
@SpringBootTest(classes = TestApplications.WithChatModel.class)
@DirtiesContext
class InferenceBridgeTest {
  @TempDir static Path dataDir;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("mnemo.data-dir", () -> dataDir.toString());
  }

  @Autowired Mnemo mnemo;
  @Autowired StubChatModel model;

  @Test
  void add_withTheApplicationsChatModel_storesTheExtractedFact() {
    assertThat(mnemo.operations().inference(TenantId.of("acme")).modelIfAny())
        .hasValueSatisfying(m -> assertThat(m.modelId()).isEqualTo("spring-ai:stubChatModel"));

    mnemo
        .tenant("acme")
        .add(List.of(Message.user("I stopped eating meat years ago")), Scope.user("alice"));

    List<Memory> stored =
        mnemo
            .tenant("acme")
            .getAll(Selection.in(Scope.user("alice")), PageRequest.first(10))
            .items();
    assertThat(stored)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.text()).isEqualTo("Alice is vegetarian");
              assertThat(m.type()).isEqualTo(MemoryType.SEMANTIC);
            });
    // The extraction prompt went to the application's model, with the schema in the prompt.
    assertThat(model.lastSystemText()).contains("\"required\": [\"facts\"]");
    assertThat(model.lastPromptText()).contains("I stopped eating meat years ago");
  }
}
