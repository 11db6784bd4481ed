package io.mnemo4j.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mnemo4j.InvalidRequestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The YAML file given with {@code --config FILE}. Every key is optional; a flag on the command line
 * wins over the file, the file over the defaults. An unknown key is an error naming it: a typo must
 * not be silently ignored.
 *
 * <pre>{@code
 * data_dir: ./mnemo-data
 * embedder: bge-small-en-v1.5-q
 * near_duplicate_threshold: 0.97   # (0, 1]; 1.0 stores every message but exact duplicates
 * durability: full                 # embedded regions: full (fsync per commit) or process
 * server:
 *   host: 127.0.0.1
 *   port: 8080
 *   max_request_bytes: 1048576
 *   request_timeout: 30s
 *   shutdown_timeout: 30s
 *   metrics_tenant_labels: false
 *   admin_key_env: MNEMO_ADMIN_KEY   # the admin secret comes from this environment variable, never from the file
 * llm: { provider: openai, base_url: "http://127.0.0.1:11434/v1", model: "qwen2.5:7b-instruct",
 *        api_key_env: OPENAI_API_KEY, timeout: 30s }
 * inference: { mode: consolidate, instructions: "Never store health data.", categories: [food, work],
 *              max_facts: 50, max_fact_chars: 1000 }
 * tenants:
 *   acme: { llm: {...}, inference: { mode: additive } }   # per-tenant overrides
 * catalog: ./mnemo-data/catalog.db      # control plane: a SQLite file or a jdbc:postgresql: URL
 * default_region: eu                    # where new tenants go (default: the first region listed)
 * regions:
 *   eu:    { store: postgres, url: "jdbc:postgresql://127.0.0.1:5432/mnemo_eu" }
 *   us:    { store: postgres, shards: ["jdbc:postgresql://127.0.0.1:5432/mnemo_us1", "jdbc:..."] }
 *   local: { store: embedded, path: ./mnemo-data/local }
 * logging: { level: info, access_log: true, debug_tenants: [acme] }
 * }</pre>
 *
 * @param dataDir data directory, relative to the working directory
 * @param embedder embedding model name
 * @param nearDuplicateThreshold the near-duplicate threshold of verbatim adds, in (0, 1]
 * @param durability what an acknowledged write to an embedded region survives: {@code full}
 *     (default: a power loss) or {@code process} (a killed process only, one fsync less per commit)
 * @param server server settings
 * @param llm the language model (the {@code llm:} block, parsed by {@code LlmConfig}), or null
 * @param inference how adds use it, or null for the defaults
 * @param tenants per-tenant overrides of {@code llm} and {@code inference}
 * @param catalog the control-plane catalog: a SQLite file path or a {@code jdbc:postgresql:} URL
 * @param defaultRegion the region new tenants go to
 * @param regions region name to store; without it, one embedded region {@code local} under the data
 *     directory
 * @param logging log level, access log, per-tenant debug logging
 */
record ConfigFile(
    @JsonProperty("data_dir") @Nullable String dataDir,
    @JsonProperty("embedder") @Nullable String embedder,
    @JsonProperty("near_duplicate_threshold") @Nullable Double nearDuplicateThreshold,
    @JsonProperty("durability") @Nullable String durability,
    @JsonProperty("server") @Nullable Server server,
    @JsonProperty("llm") java.util.@Nullable Map<String, Object> llm,
    @JsonProperty("inference") @Nullable Inference inference,
    @JsonProperty("tenants") java.util.@Nullable Map<String, TenantOverride> tenants,
    @JsonProperty("catalog") @Nullable String catalog,
    @JsonProperty("default_region") @Nullable String defaultRegion,
    @JsonProperty("regions") java.util.@Nullable Map<String, Region> regions,
    @JsonProperty("logging") @Nullable Logging logging) {

  /**
   * The {@code logging:} section (read by {@code serve}).
   *
   * @param level level of Mnemo4j's own loggers: error, warn, info (the default for {@code serve})
   *     or debug; never logs memory text
   * @param accessLog one line per request (method, route template, status, duration, tenant, key
   *     id) at info; default true
   * @param debugTenants tenants whose memory text, query text and model answers are logged at debug
   *     (logger {@code io.mnemo4j.tenant.<id>}); for diagnosing one tenant, never on by default
   */
  record Logging(
      @JsonProperty("level") @Nullable String level,
      @JsonProperty("access_log") @Nullable Boolean accessLog,
      @JsonProperty("debug_tenants") java.util.@Nullable List<String> debugTenants) {}

  /**
   * One region's store.
   *
   * @param store {@code embedded} or {@code postgres}
   * @param path embedded: the directory holding the region's tenants
   * @param url postgres: the database of an unsharded region
   * @param shards postgres: the databases of a sharded region, each a URL (named by position: 0, 1,
   *     ...) or {@code {name, url}}; append only, since the catalog records each tenant's shard
   * @param user postgres: the role to connect as (default: the URL's, else postgres)
   * @param passwordEnv postgres: environment variable holding the password
   * @param passwordFile postgres: file holding the password
   * @param poolSize postgres: connections per database (default 8)
   * @param schemaPrefix postgres: prefix of tenant schema names (default mnemo_t_)
   */
  record Region(
      @JsonProperty("store") @Nullable String store,
      @JsonProperty("path") @Nullable String path,
      @JsonProperty("url") @Nullable String url,
      @JsonProperty("shards") java.util.@Nullable List<Object> shards,
      @JsonProperty("user") @Nullable String user,
      @JsonProperty("password_env") @Nullable String passwordEnv,
      @JsonProperty("password_file") @Nullable String passwordFile,
      @JsonProperty("pool_size") @Nullable Integer poolSize,
      @JsonProperty("schema_prefix") @Nullable String schemaPrefix) {}

  /**
   * The {@code inference:} section.
   *
   * @param mode {@code consolidate} (default) or {@code additive}
   * @param instructions standing instructions to the model
   * @param categories the category vocabulary the model assigns from
   * @param maxFacts the most facts one add takes from the model's answer
   * @param maxFactChars the longest fact kept, in characters
   */
  record Inference(
      @JsonProperty("mode") @Nullable String mode,
      @JsonProperty("instructions") @Nullable String instructions,
      @JsonProperty("categories") java.util.@Nullable List<String> categories,
      @JsonProperty("max_facts") @Nullable Integer maxFacts,
      @JsonProperty("max_fact_chars") @Nullable Integer maxFactChars) {}

  /**
   * One tenant's overrides.
   *
   * @param llm its own model block, replacing the global one
   * @param inference its own inference settings, replacing the global ones key by key
   */
  record TenantOverride(
      @JsonProperty("llm") java.util.@Nullable Map<String, Object> llm,
      @JsonProperty("inference") @Nullable Inference inference) {}

  private static final JsonMapper YAML =
      JsonMapper.builder(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

  /**
   * The {@code server:} section.
   *
   * @param host address to bind
   * @param port port
   * @param maxRequestBytes request body limit
   * @param requestTimeout e.g. {@code 30s}
   * @param shutdownTimeout e.g. {@code 30s}
   * @param metricsTenantLabels tenant ids as metric label values
   * @param adminKeyEnv environment variable holding the admin secret
   */
  record Server(
      @JsonProperty("host") @Nullable String host,
      @JsonProperty("port") @Nullable Integer port,
      @JsonProperty("max_request_bytes") @Nullable Long maxRequestBytes,
      @JsonProperty("request_timeout") @Nullable String requestTimeout,
      @JsonProperty("shutdown_timeout") @Nullable String shutdownTimeout,
      @JsonProperty("metrics_tenant_labels") @Nullable Boolean metricsTenantLabels,
      @JsonProperty("admin_key_env") @Nullable String adminKeyEnv) {}

  /** An empty configuration: every default applies. */
  static ConfigFile empty() {
    return new ConfigFile(null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /**
   * Reads and validates the file; every problem is an {@link InvalidRequestException} naming the
   * key.
   */
  static ConfigFile read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new InvalidRequestException("config", "config file " + file + " does not exist");
    } catch (IOException e) {
      throw new InvalidRequestException(
          "config", "cannot read config file " + file + ": " + e.getMessage());
    }
    if (text.isBlank()) {
      return empty();
    }
    try {
      ConfigFile c = YAML.readValue(text, ConfigFile.class);
      return c == null ? empty() : c;
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidRequestException(
          "config." + path(e),
          "unknown key '"
              + e.getPropertyName()
              + "' in "
              + file
              + "; known keys: "
              + e.getKnownPropertyIds());
    } catch (JacksonException e) {
      String where =
          e instanceof com.fasterxml.jackson.databind.JsonMappingException m ? path(m) : "";
      throw new InvalidRequestException(
          where.isEmpty() ? "config" : "config." + where,
          "invalid config file "
              + file
              + (where.isEmpty() ? "" : " at '" + where + "'")
              + ": "
              + e.getOriginalMessage());
    }
  }

  private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
    StringBuilder p = new StringBuilder();
    for (var ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        p.append(p.isEmpty() ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        p.append('[').append(ref.getIndex()).append(']');
      }
    }
    return p.toString();
  }

  /** The server section, or an empty one. */
  Server serverOrEmpty() {
    return server != null ? server : new Server(null, null, null, null, null, null, null);
  }

  /** Parses {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}. */
  static Duration duration(String key, String text) {
    Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new InvalidRequestException(
          "config." + key,
          key
              + " must look like 500ms, 30s, 2m or 1h, got '"
              + (text.length() > 20 ? text.substring(0, 20) + "..." : text)
              + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }
}
