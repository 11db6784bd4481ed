package io.mnemo4j.llm.langchain4j;

import io.mnemo4j.InvalidRequestException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Which language model to call, as configured in an {@code llm:} block. Immutable, thread-safe.
 *
 * <p>Secrets never appear in configuration text: the API key comes from an environment variable
 * ({@code api_key_env}) or a file ({@code api_key_file}), and a literal {@code api_key} is refused.
 * Every error is an {@link InvalidRequestException} whose field is the key path ({@code
 * llm.base_url}).
 *
 * <pre>{@code
 * llm:
 *   provider: openai          # openai | ollama | anthropic
 *   model: gpt-4o-mini
 *   api_key_env: OPENAI_API_KEY
 *   timeout: 30s              # default 60s
 * }</pre>
 *
 * @param provider who serves the model
 * @param baseUrl the API's base URL, without a trailing slash ({@code https://api.openai.com/v1});
 *     for Ollama the server's root, the OpenAI-compatible API being under {@code /v1}
 * @param model the provider's model name
 * @param apiKeyEnv the name of the environment variable holding the API key, if any
 * @param apiKeyFile the file holding the API key (trimmed), if any
 * @param timeout how long one call may take; positive
 * @param temperature the sampling temperature, 0 to 2 (default 0: extraction wants determinism)
 * @param maxTokens the most tokens an answer may have, if limited
 * @param jsonSchema whether the server enforces a JSON Schema response format (default true for
 *     OpenAI and Anthropic, false for Ollama); when false, schemas go into the prompt
 */
public record LlmConfig(
    Provider provider,
    String baseUrl,
    String model,
    Optional<String> apiKeyEnv,
    Optional<Path> apiKeyFile,
    Duration timeout,
    double temperature,
    OptionalInt maxTokens,
    boolean jsonSchema) {

  /** The prefix of every field name in errors. */
  static final String PREFIX = "llm";

  /** The default {@code timeout}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private static final Set<String> KEYS =
      Set.of(
          "provider",
          "base_url",
          "model",
          "api_key_env",
          "api_key_file",
          "timeout",
          "temperature",
          "max_tokens",
          "json_schema");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** Validates every setting, naming it and its value in the error. */
  public LlmConfig {
    Objects.requireNonNull(provider, field("provider"));
    baseUrl = checkBaseUrl(baseUrl);
    Objects.requireNonNull(model, field("model"));
    if (model.isBlank()) {
      throw new InvalidRequestException(field("model"), "model must not be blank");
    }
    Objects.requireNonNull(apiKeyEnv, field("api_key_env"));
    Objects.requireNonNull(apiKeyFile, field("api_key_file"));
    apiKeyEnv.ifPresent(LlmConfig::checkEnvName);
    if (apiKeyEnv.isPresent() && apiKeyFile.isPresent()) {
      throw new InvalidRequestException(
          field("api_key_file"), "set either api_key_env or api_key_file, not both");
    }
    Objects.requireNonNull(timeout, field("timeout"));
    if (timeout.isNegative() || timeout.isZero()) {
      throw new InvalidRequestException(
          field("timeout"), "timeout must be positive, got " + timeout);
    }
    if (!(temperature >= 0 && temperature <= 2)) {
      throw new InvalidRequestException(
          field("temperature"), "temperature must be between 0 and 2, got " + temperature);
    }
    Objects.requireNonNull(maxTokens, field("max_tokens"));
    if (maxTokens.isPresent() && maxTokens.getAsInt() < 1) {
      throw new InvalidRequestException(
          field("max_tokens"), "max_tokens must be at least 1, got " + maxTokens.getAsInt());
    }
  }

  /**
   * Parses an {@code llm:} block (the map a YAML or JSON reader gives). Keys are {@code provider}
   * and {@code model} (required), {@code base_url} (required for Ollama), {@code api_key_env},
   * {@code api_key_file}, {@code timeout} ({@code 500ms}, {@code 30s}, {@code 2m}), {@code
   * temperature}, {@code max_tokens}, {@code json_schema}; an unknown key is refused.
   */
  public static LlmConfig parse(Map<String, ?> block) {
    Objects.requireNonNull(block, PREFIX);
    if (block.containsKey("api_key")) {
      throw new InvalidRequestException(
          field("api_key"),
          "an API key must not be written in the configuration; name an environment variable"
              + " with api_key_env or a file with api_key_file");
    }
    Set<String> unknown = new TreeSet<>(block.keySet());
    unknown.removeAll(KEYS);
    if (!unknown.isEmpty()) {
      String key = unknown.iterator().next();
      throw new InvalidRequestException(
          field(key), "unknown setting '" + key + "'; known: " + new TreeSet<>(KEYS));
    }
    Provider provider = Provider.parse(requiredString(block, "provider"));
    String baseUrl =
        optionalString(block, "base_url")
            .or(provider::defaultBaseUrl)
            .orElseThrow(
                () ->
                    new InvalidRequestException(
                        field("base_url"),
                        "base_url is required for provider "
                            + provider.configName()
                            + " (e.g. http://localhost:11434)"));
    return new LlmConfig(
        provider,
        baseUrl,
        requiredString(block, "model"),
        optionalString(block, "api_key_env"),
        optionalString(block, "api_key_file").map(LlmConfig::toPath),
        timeout(block),
        optionalNumber(block, "temperature").orElse(0.0),
        optionalInt(block, "max_tokens"),
        optionalBoolean(block, "json_schema").orElse(provider.defaultJsonSchema()));
  }

  /**
   * Parses a duration: a whole number and a unit, {@code ms}, {@code s}, {@code m} or {@code h}
   * ({@code 500ms}, {@code 30s}, {@code 2m}); the field in errors is {@code llm.timeout}.
   */
  public static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new InvalidRequestException(
          field("timeout"),
          "timeout must be a number with a unit (500ms, 30s, 2m, 1h), got '" + text + "'");
    }
    long amount;
    try {
      amount = Long.parseLong(m.group(1));
    } catch (NumberFormatException tooLong) {
      throw new InvalidRequestException(field("timeout"), "timeout is too long: '" + text + "'");
    }
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      default -> Duration.ofHours(amount);
    };
  }

  private static Duration timeout(Map<String, ?> block) {
    if (block.get("timeout") instanceof Number number) {
      // A bare number is ambiguous (seconds? milliseconds?): ask for the unit.
      throw new InvalidRequestException(
          field("timeout"),
          "timeout must be a number with a unit (500ms, 30s, 2m, 1h), got '" + number + "'");
    }
    return optionalString(block, "timeout").map(LlmConfig::parseDuration).orElse(DEFAULT_TIMEOUT);
  }

  /** The identifier a model built from this config reports ({@code openai:gpt-4o-mini}). */
  public String modelId() {
    return provider.configName() + ":" + model;
  }

  static String field(String key) {
    return PREFIX + "." + key;
  }

  private static String checkBaseUrl(String baseUrl) {
    Objects.requireNonNull(baseUrl, field("base_url"));
    String trimmed = baseUrl.trim();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    URI uri;
    try {
      uri = new URI(trimmed);
    } catch (URISyntaxException e) {
      throw new InvalidRequestException(
          field("base_url"), "base_url is not a valid URL: '" + baseUrl + "'");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new InvalidRequestException(
          field("base_url"),
          "base_url must be an http:// or https:// URL with a host, got '" + baseUrl + "'");
    }
    if (uri.getUserInfo() != null || uri.getQuery() != null || uri.getFragment() != null) {
      // Credentials in a URL would end up in logs; keys go in api_key_env or api_key_file.
      throw new InvalidRequestException(
          field("base_url"), "base_url must not contain credentials, a query or a fragment");
    }
    return trimmed;
  }

  private static void checkEnvName(String name) {
    if (!ENV_NAME.matcher(name).matches()) {
      throw new InvalidRequestException(
          field("api_key_env"),
          "api_key_env must be the name of an environment variable ([A-Za-z_][A-Za-z0-9_]*), not"
              + " a key");
    }
  }

  private static Path toPath(String text) {
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw new InvalidRequestException(
          field("api_key_file"), "api_key_file is not a valid path: '" + text + "'");
    }
  }

  private static String requiredString(Map<String, ?> block, String key) {
    return optionalString(block, key)
        .orElseThrow(() -> new InvalidRequestException(field(key), key + " is required"));
  }

  private static Optional<String> optionalString(Map<String, ?> block, String key) {
    Object value = block.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String text)) {
      throw new InvalidRequestException(
          field(key), key + " must be a string, got " + typeName(value));
    }
    return text.isBlank() ? Optional.empty() : Optional.of(text.trim());
  }

  private static Optional<Double> optionalNumber(Map<String, ?> block, String key) {
    Object value = block.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (value instanceof Number number) {
      return Optional.of(number.doubleValue());
    }
    if (value instanceof String text) {
      try {
        return Optional.of(Double.parseDouble(text.trim()));
      } catch (NumberFormatException e) {
        // Reported below with the field name.
      }
    }
    throw new InvalidRequestException(field(key), key + " must be a number, got '" + value + "'");
  }

  private static OptionalInt optionalInt(Map<String, ?> block, String key) {
    Object value = block.get(key);
    if (value == null) {
      return OptionalInt.empty();
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      long number = ((Number) value).longValue();
      if (number >= Integer.MIN_VALUE && number <= Integer.MAX_VALUE) {
        return OptionalInt.of((int) number);
      }
    }
    if (value instanceof String text) {
      try {
        return OptionalInt.of(Integer.parseInt(text.trim()));
      } catch (NumberFormatException e) {
        // Reported below with the field name.
      }
    }
    throw new InvalidRequestException(
        field(key), key + " must be a whole number, got '" + value + "'");
  }

  private static Optional<Boolean> optionalBoolean(Map<String, ?> block, String key) {
    Object value = block.get(key);
    if (value == null) {
      return Optional.empty();
    }
    if (value instanceof Boolean flag) {
      return Optional.of(flag);
    }
    if (value instanceof String text) {
      String lower = text.trim().toLowerCase(Locale.ROOT);
      if (lower.equals("true") || lower.equals("false")) {
        return Optional.of(Boolean.parseBoolean(lower));
      }
    }
    throw new InvalidRequestException(
        field(key), key + " must be true or false, got '" + value + "'");
  }

  private static String typeName(Object value) {
    return value instanceof Map<?, ?>
        ? "a mapping"
        : value instanceof List<?> ? "a list" : value.getClass().getSimpleName();
  }

  /** Who serves the model. */
  public enum Provider {
    /** OpenAI, or any server speaking its chat-completions API at {@code base_url}. */
    OPENAI("openai", "https://api.openai.com/v1", true),
    /** Ollama, through its OpenAI-compatible API at {@code <base_url>/v1}. */
    OLLAMA("ollama", null, false),
    /** Anthropic's messages API. */
    ANTHROPIC("anthropic", "https://api.anthropic.com/v1", true);

    private final String configName;
    private final @Nullable String defaultBaseUrl;
    private final boolean defaultJsonSchema;

    Provider(String configName, @Nullable String defaultBaseUrl, boolean defaultJsonSchema) {
      this.configName = configName;
      this.defaultBaseUrl = defaultBaseUrl;
      this.defaultJsonSchema = defaultJsonSchema;
    }

    /** The name used in configuration ({@code openai}). */
    public String configName() {
      return configName;
    }

    /** The base URL used when none is configured, if the provider has a public one. */
    public Optional<String> defaultBaseUrl() {
      return Optional.ofNullable(defaultBaseUrl);
    }

    /** Whether {@code json_schema} defaults to true. */
    public boolean defaultJsonSchema() {
      return defaultJsonSchema;
    }

    /** The provider named {@code name} in configuration; the error lists the names that exist. */
    public static Provider parse(String name) {
      String wanted = name.trim().toLowerCase(Locale.ROOT);
      for (Provider provider : values()) {
        if (provider.configName.equals(wanted)) {
          return provider;
        }
      }
      throw new InvalidRequestException(
          field("provider"),
          "unknown provider '"
              + name
              + "'; known: "
              + Arrays.stream(values()).map(Provider::configName).toList());
    }
  }
}
