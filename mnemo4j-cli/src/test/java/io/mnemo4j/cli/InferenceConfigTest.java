package io.mnemo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.InferenceMode;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Mnemo;
import io.mnemo4j.TenantId;
import io.mnemo4j.testing.HashingEmbedder;
import io.mnemo4j.testing.InMemoryBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code llm}, {@code inference} and {@code tenants} sections of the configuration file. */
class InferenceConfigTest {
  @TempDir Path dir;

  private Mnemo open(String yaml, Map<String, String> env) throws IOException {
    Path file = dir.resolve("mnemo.yaml");
    Files.writeString(file, yaml);
    return InferenceConfig.apply(
            Mnemo.builder()
                .dataDir(dir)
                .embedder(new HashingEmbedder())
                .backend(new InMemoryBackend())
                .expirySweep(Duration.ZERO, Duration.ZERO),
            ConfigFile.read(file),
            env::get)
        .build();
  }

  @Test
  void llmAndInference_configureEveryTenant_andTenantsOverrideThem() throws IOException {
    String yaml =
        """
        llm: { provider: openai, base_url: "http://127.0.0.1:11434/v1", model: "qwen2.5:7b-instruct", api_key_env: OPENAI_API_KEY, timeout: 30s }
        inference: { mode: consolidate, instructions: "Never store health data.", categories: [food, work] }
        tenants:
          acme: { inference: { mode: additive } }
          plain: { llm: { provider: ollama, base_url: "http://127.0.0.1:11434", model: "llama3.2" } }
        """;
    try (Mnemo m = open(yaml, Map.of("OPENAI_API_KEY", "sk-test"))) {
      var global = m.operations().inference(TenantId.of("other"));
      assertThat(global.model().modelId()).isEqualTo("openai:qwen2.5:7b-instruct");
      assertThat(global.mode()).isEqualTo(InferenceMode.CONSOLIDATE);
      assertThat(global.categories()).containsExactly("food", "work");
      var acme = m.operations().inference(TenantId.of("acme"));
      assertThat(acme.mode()).isEqualTo(InferenceMode.ADDITIVE);
      assertThat(acme.instructions()).isEqualTo("Never store health data.");
      assertThat(m.operations().inference(TenantId.of("plain")).model().modelId())
          .startsWith("ollama:");
    }
  }

  @Test
  void literalApiKey_andUnknownMode_areRefusedNamingTheKey() throws IOException {
    assertThatThrownBy(
            () ->
                open(
                        "llm: { provider: openai, model: gpt-4o-mini, api_key: sk-secret }\n",
                        Map.of())
                    .close())
        .isInstanceOf(InvalidRequestException.class)
        .satisfies(e -> assertThat(((InvalidRequestException) e).field()).startsWith("config.llm"))
        .hasMessageNotContaining("sk-secret");
    assertThatThrownBy(() -> open("inference: { mode: sometimes }\n", Map.of()).close())
        .isInstanceOf(InvalidRequestException.class)
        .satisfies(
            e ->
                assertThat(((InvalidRequestException) e).field())
                    .isEqualTo("config.inference.mode"));
  }
}
