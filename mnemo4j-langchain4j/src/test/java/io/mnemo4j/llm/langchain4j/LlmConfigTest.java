package io.mnemo4j.llm.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.llm.langchain4j.LlmConfig.Provider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LlmConfigTest {

  private static Map<String, Object> openAi(Object... more) {
    Map<String, Object> block = new HashMap<>();
    block.put("provider", "openai");
    block.put("model", "gpt-4o-mini");
    for (int i = 0; i < more.length; i += 2) {
      block.put((String) more[i], more[i + 1]);
    }
    return block;
  }

  private static InvalidRequestException refused(Map<String, ?> block) {
    InvalidRequestException e =
        catchThrowableOfType(InvalidRequestException.class, () -> LlmConfig.parse(block));
    assertThat(e).as("parse should refuse %s", block).isNotNull();
    return e;
  }

  @Test
  void parse_openAiMinimal_defaults() {
    LlmConfig config = LlmConfig.parse(openAi());

    assertThat(config.provider()).isEqualTo(Provider.OPENAI);
    assertThat(config.baseUrl()).isEqualTo("https://api.openai.com/v1");
    assertThat(config.model()).isEqualTo("gpt-4o-mini");
    assertThat(config.apiKeyEnv()).isEmpty();
    assertThat(config.apiKeyFile()).isEmpty();
    assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.temperature()).isZero();
    assertThat(config.maxTokens()).isEmpty();
    assertThat(config.jsonSchema()).isTrue();
    assertThat(config.modelId()).isEqualTo("openai:gpt-4o-mini");
  }

  @Test
  void parse_everySetting_kept() {
    LlmConfig config =
        LlmConfig.parse(
            Map.of(
                "provider", "Ollama",
                "base_url", "http://localhost:11434/",
                "model", "llama3.2",
                "api_key_file", "/run/secrets/llm",
                "timeout", "2m",
                "temperature", 0.7,
                "max_tokens", 512,
                "json_schema", "true"));

    assertThat(config.provider()).isEqualTo(Provider.OLLAMA);
    assertThat(config.baseUrl()).isEqualTo("http://localhost:11434");
    assertThat(config.apiKeyFile()).contains(Path.of("/run/secrets/llm"));
    assertThat(config.timeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.temperature()).isEqualTo(0.7);
    assertThat(config.maxTokens()).isEqualTo(OptionalInt.of(512));
    assertThat(config.jsonSchema()).isTrue();
  }

  @Test
  void parse_defaultsPerProvider() {
    assertThat(LlmConfig.parse(Map.of("provider", "anthropic", "model", "c")).baseUrl())
        .isEqualTo("https://api.anthropic.com/v1");
    assertThat(LlmConfig.parse(Map.of("provider", "anthropic", "model", "c")).jsonSchema())
        .isTrue();
    assertThat(
            LlmConfig.parse(Map.of("provider", "ollama", "model", "m", "base_url", "http://h:1"))
                .jsonSchema())
        .isFalse();
  }

  @Test
  void parse_literalApiKey_refusedWithoutEchoingIt() {
    InvalidRequestException e = refused(openAi("api_key", "sk-secret-123"));

    assertThat(e.field()).isEqualTo("llm.api_key");
    assertThat(e.getMessage()).contains("api_key_env", "api_key_file").doesNotContain("sk-secret");
  }

  @Test
  void parse_unknownKey_refusedNamingIt() {
    InvalidRequestException e = refused(openAi("temprature", 0.2));

    assertThat(e.field()).isEqualTo("llm.temprature");
    assertThat(e.getMessage()).contains("temperature");
  }

  @Test
  void parse_unknownProvider_listsKnownOnes() {
    InvalidRequestException e = refused(Map.of("provider", "gemini", "model", "m"));

    assertThat(e.field()).isEqualTo("llm.provider");
    assertThat(e.getMessage()).contains("openai", "ollama", "anthropic");
  }

  @Test
  void parse_missingRequired_namesField() {
    assertThat(refused(Map.of("model", "m")).field()).isEqualTo("llm.provider");
    assertThat(refused(Map.of("provider", "openai")).field()).isEqualTo("llm.model");
    assertThat(refused(Map.of("provider", "openai", "model", " ")).field()).isEqualTo("llm.model");
    assertThat(refused(Map.of("provider", "ollama", "model", "m")).field())
        .isEqualTo("llm.base_url");
  }

  @ParameterizedTest
  @CsvSource({
    "base_url, ftp://example.com",
    "base_url, localhost:11434",
    "base_url, http://user:pass@example.com/v1",
    "base_url, http://example.com/v1?key=x",
    "base_url, 'http://exa mple.com'",
    "timeout, 30",
    "timeout, 0s",
    "timeout, soon",
    "timeout, -5s",
    "temperature, 2.5",
    "temperature, -1",
    "temperature, warm",
    "max_tokens, 0",
    "max_tokens, many",
    "json_schema, yes",
    "api_key_env, sk-abc-123",
  })
  void parse_badValue_namesField(String key, String value) {
    InvalidRequestException e = refused(openAi(key, value));

    assertThat(e.field()).isEqualTo("llm." + key);
  }

  @Test
  void parse_wrongTypes_nameField() {
    assertThat(refused(openAi("timeout", 30)).field()).isEqualTo("llm.timeout");
    assertThat(refused(openAi("timeout", 30)).getMessage()).contains("30s");
    assertThat(refused(openAi("base_url", 42)).field()).isEqualTo("llm.base_url");
    assertThat(refused(openAi("model", List.of("a"))).field()).isEqualTo("llm.model");
    assertThat(refused(openAi("max_tokens", 1.5)).field()).isEqualTo("llm.max_tokens");
    assertThat(refused(openAi("json_schema", 1)).field()).isEqualTo("llm.json_schema");
  }

  @Test
  void parse_bothKeySources_refused() {
    InvalidRequestException e = refused(openAi("api_key_env", "K", "api_key_file", "/k"));

    assertThat(e.field()).isEqualTo("llm.api_key_file");
  }

  @Test
  void parseDuration_units() {
    assertThat(LlmConfig.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(LlmConfig.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(LlmConfig.parseDuration(" 2m ")).isEqualTo(Duration.ofMinutes(2));
    assertThat(LlmConfig.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
  }
}
