package io.mnemo4j.spring.boot.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code mnemo.*} settings. Every one is optional: with none, Mnemo4j stores its data under
 * {@code ./mnemo-data} with the embedded store and the in-jar embedder. Values are checked when the
 * {@code Mnemo} bean is built, with a message naming the setting. Not thread-safe (bound once).
 */
@ConfigurationProperties("mnemo")
public class MnemoProperties {
  /** Whether to create the Mnemo bean and the integrations around it. */
  private boolean enabled = true;

  /** Where the catalog and the embedded regions' data live, relative to the working directory. */
  private Path dataDir = Path.of("mnemo-data");

  /** The embedding model: bge-small-en-v1.5-q or all-minilm-l6-v2-q; keep one per data dir. */
  private String embedder = "bge-small-en-v1.5-q";

  /** The store of the default region when no regions are listed: embedded or postgres. */
  private String store = "embedded";

  /**
   * The control-plane catalog: a SQLite file, or a jdbc:postgresql: URL. Default: the PostgreSQL
   * database with mnemo.store=postgres, else data-dir/catalog.db.
   */
  private @Nullable String catalog;

  /** The region new tenants go to (default: the first region listed, else "local"). */
  private @Nullable String defaultRegion;

  /** The default region's PostgreSQL database when mnemo.store=postgres. */
  private final Postgres postgres = new Postgres();

  /** Regions by name, each an embedded directory or PostgreSQL databases (shards). */
  private Map<String, Region> regions = new LinkedHashMap<>();

  /** The tenant the chat memory repository and the advisor use unless told otherwise. */
  private String tenant = "default";

  /** Whether Mnemo.tenant(id) creates a tenant it does not know (false: not found). */
  private boolean autoCreateTenants = true;

  /** Cosine similarity at or above which a new message is a near duplicate (0, 1]. */
  private double nearDuplicateThreshold = 0.97;

  /** How many tenant stores stay open at once. */
  private int maxOpenTenants = 256;

  /** Preceding messages of the same add embedded with each message (0 to 8). */
  private int contextWindow = 2;

  /** Following messages of the same add kept for full-text search (0 to 8). */
  private int contextAfter = 2;

  /** Asynchronous adds (the advisor's default). */
  private final Async async = new Async();

  /** The expiry sweep. */
  private final Sweep expirySweep = new Sweep();

  /** Fact extraction with a language model. */
  private final Inference inference = new Inference();

  /** The Spring AI ChatMemoryRepository. */
  private final ChatMemory chatMemory = new ChatMemory();

  /** The Spring AI long-term memory advisor. */
  private final Advisor advisor = new Advisor();

  /** Returns whether Mnemo is enabled. */
  public boolean isEnabled() {
    return enabled;
  }

  /** Sets whether Mnemo is enabled. */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** Returns the data directory. */
  public Path getDataDir() {
    return dataDir;
  }

  /** Sets the data directory. */
  public void setDataDir(Path dataDir) {
    this.dataDir = dataDir;
  }

  /** Returns the embedder name. */
  public String getEmbedder() {
    return embedder;
  }

  /** Sets the embedder name. */
  public void setEmbedder(String embedder) {
    this.embedder = embedder;
  }

  /** Returns the default region's store kind. */
  public String getStore() {
    return store;
  }

  /** Sets the default region's store kind. */
  public void setStore(String store) {
    this.store = store;
  }

  /** Returns the catalog location, if set. */
  public @Nullable String getCatalog() {
    return catalog;
  }

  /** Sets the catalog location. */
  public void setCatalog(@Nullable String catalog) {
    this.catalog = catalog;
  }

  /** Returns the default region, if set. */
  public @Nullable String getDefaultRegion() {
    return defaultRegion;
  }

  /** Sets the default region. */
  public void setDefaultRegion(@Nullable String defaultRegion) {
    this.defaultRegion = defaultRegion;
  }

  /** Returns the default region's PostgreSQL settings. */
  public Postgres getPostgres() {
    return postgres;
  }

  /** Returns the regions. */
  public Map<String, Region> getRegions() {
    return regions;
  }

  /** Sets the regions. */
  public void setRegions(Map<String, Region> regions) {
    this.regions = regions;
  }

  /** Returns the default tenant. */
  public String getTenant() {
    return tenant;
  }

  /** Sets the default tenant. */
  public void setTenant(String tenant) {
    this.tenant = tenant;
  }

  /** Returns whether unknown tenants are created on use. */
  public boolean isAutoCreateTenants() {
    return autoCreateTenants;
  }

  /** Sets whether unknown tenants are created on use. */
  public void setAutoCreateTenants(boolean autoCreateTenants) {
    this.autoCreateTenants = autoCreateTenants;
  }

  /** Returns the near-duplicate threshold. */
  public double getNearDuplicateThreshold() {
    return nearDuplicateThreshold;
  }

  /** Sets the near-duplicate threshold. */
  public void setNearDuplicateThreshold(double nearDuplicateThreshold) {
    this.nearDuplicateThreshold = nearDuplicateThreshold;
  }

  /** Returns the open-tenant limit. */
  public int getMaxOpenTenants() {
    return maxOpenTenants;
  }

  /** Sets the open-tenant limit. */
  public void setMaxOpenTenants(int maxOpenTenants) {
    this.maxOpenTenants = maxOpenTenants;
  }

  /** Returns the embedding context window. */
  public int getContextWindow() {
    return contextWindow;
  }

  /** Sets the embedding context window. */
  public void setContextWindow(int contextWindow) {
    this.contextWindow = contextWindow;
  }

  /** Returns the full-text context after each message. */
  public int getContextAfter() {
    return contextAfter;
  }

  /** Sets the full-text context after each message. */
  public void setContextAfter(int contextAfter) {
    this.contextAfter = contextAfter;
  }

  /** Returns the asynchronous add settings. */
  public Async getAsync() {
    return async;
  }

  /** Returns the expiry sweep settings. */
  public Sweep getExpirySweep() {
    return expirySweep;
  }

  /** Returns the inference settings. */
  public Inference getInference() {
    return inference;
  }

  /** Returns the chat memory repository settings. */
  public ChatMemory getChatMemory() {
    return chatMemory;
  }

  /** Returns the advisor settings. */
  public Advisor getAdvisor() {
    return advisor;
  }

  /** One PostgreSQL database. */
  public static class Postgres {
    /** The JDBC URL (jdbc:postgresql://host:5432/db), without a password. */
    private @Nullable String url;

    /** The user (default: the URL's, else the driver's). */
    private @Nullable String user;

    /** The password; bind it from the environment or a secret store, never a committed file. */
    private @Nullable String password;

    /** Connections per database. */
    private int poolSize = 8;

    /** Tenant schemas are named this prefix plus the tenant id. */
    private String schemaPrefix = "mnemo_t_";

    /** Returns the URL, if set. */
    public @Nullable String getUrl() {
      return url;
    }

    /** Sets the URL. */
    public void setUrl(@Nullable String url) {
      this.url = url;
    }

    /** Returns the user, if set. */
    public @Nullable String getUser() {
      return user;
    }

    /** Sets the user. */
    public void setUser(@Nullable String user) {
      this.user = user;
    }

    /** Returns the password, if set. */
    public @Nullable String getPassword() {
      return password;
    }

    /** Sets the password. */
    public void setPassword(@Nullable String password) {
      this.password = password;
    }

    /** Returns the pool size. */
    public int getPoolSize() {
      return poolSize;
    }

    /** Sets the pool size. */
    public void setPoolSize(int poolSize) {
      this.poolSize = poolSize;
    }

    /** Returns the schema prefix. */
    public String getSchemaPrefix() {
      return schemaPrefix;
    }

    /** Sets the schema prefix. */
    public void setSchemaPrefix(String schemaPrefix) {
      this.schemaPrefix = schemaPrefix;
    }
  }

  /** One region: an embedded directory, or PostgreSQL (one database, or shards). */
  public static class Region extends Postgres {
    /** embedded or postgres. */
    private String store = "embedded";

    /** Embedded: the region's directory (default data-dir/region-name). */
    private @Nullable Path path;

    /** PostgreSQL shards, each a JDBC URL, named 0, 1... by position; append only. */
    private List<String> shards = new ArrayList<>();

    /** Returns the store kind. */
    public String getStore() {
      return store;
    }

    /** Sets the store kind. */
    public void setStore(String store) {
      this.store = store;
    }

    /** Returns the embedded directory, if set. */
    public @Nullable Path getPath() {
      return path;
    }

    /** Sets the embedded directory. */
    public void setPath(@Nullable Path path) {
      this.path = path;
    }

    /** Returns the shard URLs. */
    public List<String> getShards() {
      return shards;
    }

    /** Sets the shard URLs. */
    public void setShards(List<String> shards) {
      this.shards = shards;
    }
  }

  /** Asynchronous adds. */
  public static class Async {
    /** Most adds queued in this process. */
    private int capacity = 1000;

    /** Adds running at once. */
    private int workers = 4;

    /**
     * How long shutdown waits for queued adds to finish; those still queued then are resumed on the
     * next start.
     */
    private Duration shutdownTimeout = Duration.ofSeconds(30);

    /** Returns the shutdown timeout. */
    public Duration getShutdownTimeout() {
      return shutdownTimeout;
    }

    /** Sets the shutdown timeout. */
    public void setShutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = shutdownTimeout;
    }

    /** Returns the capacity. */
    public int getCapacity() {
      return capacity;
    }

    /** Sets the capacity. */
    public void setCapacity(int capacity) {
      this.capacity = capacity;
    }

    /** Returns the worker count. */
    public int getWorkers() {
      return workers;
    }

    /** Sets the worker count. */
    public void setWorkers(int workers) {
      this.workers = workers;
    }
  }

  /** The expiry sweep. */
  public static class Sweep {
    /** How often expired memories are deleted (0 turns the sweep off). */
    private Duration interval = Duration.ofHours(1);

    /** How long an expired memory stays restorable before the sweep deletes it. */
    private Duration grace = Duration.ofDays(1);

    /** Returns the interval. */
    public Duration getInterval() {
      return interval;
    }

    /** Sets the interval. */
    public void setInterval(Duration interval) {
      this.interval = interval;
    }

    /** Returns the grace period. */
    public Duration getGrace() {
      return grace;
    }

    /** Sets the grace period. */
    public void setGrace(Duration grace) {
      this.grace = grace;
    }
  }

  /** Fact extraction with a language model. */
  public static class Inference {
    /**
     * Whether adds use a language model: the application's LanguageModel bean, else its Spring AI
     * ChatModel bean. Without either, adds store messages verbatim.
     */
    private boolean enabled = true;

    /** The ChatModel bean to use when the application has several. */
    private @Nullable String chatModel;

    /** consolidate (extract, then reconcile with what is stored) or additive (extract only). */
    private String mode = "consolidate";

    /** Standing instructions to the model (what to remember, what never to store). */
    private String instructions = "";

    /** The category vocabulary the model assigns from. */
    private List<String> categories = new ArrayList<>();

    /**
     * How JSON answers are asked of a Spring AI model: auto (the model's native structured output
     * when its options support one, else the schema in the prompt) or prompt.
     */
    private String structuredOutput = "auto";

    /** Returns whether inference is enabled. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets whether inference is enabled. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** Returns the chat model bean name, if set. */
    public @Nullable String getChatModel() {
      return chatModel;
    }

    /** Sets the chat model bean name. */
    public void setChatModel(@Nullable String chatModel) {
      this.chatModel = chatModel;
    }

    /** Returns the mode. */
    public String getMode() {
      return mode;
    }

    /** Sets the mode. */
    public void setMode(String mode) {
      this.mode = mode;
    }

    /** Returns the instructions. */
    public String getInstructions() {
      return instructions;
    }

    /** Sets the instructions. */
    public void setInstructions(String instructions) {
      this.instructions = instructions;
    }

    /** Returns the categories. */
    public List<String> getCategories() {
      return categories;
    }

    /** Sets the categories. */
    public void setCategories(List<String> categories) {
      this.categories = categories;
    }

    /** Returns the structured-output mode. */
    public String getStructuredOutput() {
      return structuredOutput;
    }

    /** Sets the structured-output mode. */
    public void setStructuredOutput(String structuredOutput) {
      this.structuredOutput = structuredOutput;
    }
  }

  /** The Spring AI ChatMemoryRepository. */
  public static class ChatMemory {
    /** Whether to provide the ChatMemoryRepository bean (windows kept in mnemo.tenant). */
    private boolean enabled = true;

    /** Returns whether the repository is enabled. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets whether the repository is enabled. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /** The Spring AI long-term memory advisor. */
  public static class Advisor {
    /** Whether to provide the MnemoMemoryAdvisor bean. */
    private boolean enabled = true;

    /** Most memories added to a prompt. */
    private int limit = 5;

    /** Query-to-memory cosine similarity a memory needs to be added to the prompt (0 to 1). */
    private double minScore = 0.0;

    /**
     * Whether tenant-wide (organisation) memories are searched too (as in the core: on request).
     */
    private boolean includeTenantWide;

    /**
     * Appended to the system message when memories are found; {memories} is replaced by one line
     * per memory.
     */
    private String template = io.mnemo4j.spring.ai.MnemoMemoryAdvisor.DEFAULT_TEMPLATE;

    /** Whether the exchange is added after the call in the background (false: before returning). */
    private boolean async = true;

    /** What is added after the call: exchange (user and assistant) or user (user messages only). */
    private String remember = "exchange";

    /** The advisor's order in the chain (after MessageChatMemoryAdvisor by default). */
    private int order = io.mnemo4j.spring.ai.MnemoMemoryAdvisor.DEFAULT_ORDER;

    /** Returns whether the advisor is enabled. */
    public boolean isEnabled() {
      return enabled;
    }

    /** Sets whether the advisor is enabled. */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** Returns the limit. */
    public int getLimit() {
      return limit;
    }

    /** Sets the limit. */
    public void setLimit(int limit) {
      this.limit = limit;
    }

    /** Returns the minimum similarity. */
    public double getMinScore() {
      return minScore;
    }

    /** Sets the minimum similarity. */
    public void setMinScore(double minScore) {
      this.minScore = minScore;
    }

    /** Returns whether tenant-wide memories are searched. */
    public boolean isIncludeTenantWide() {
      return includeTenantWide;
    }

    /** Sets whether tenant-wide memories are searched. */
    public void setIncludeTenantWide(boolean includeTenantWide) {
      this.includeTenantWide = includeTenantWide;
    }

    /** Returns the template. */
    public String getTemplate() {
      return template;
    }

    /** Sets the template. */
    public void setTemplate(String template) {
      this.template = template;
    }

    /** Returns whether adds are asynchronous. */
    public boolean isAsync() {
      return async;
    }

    /** Sets whether adds are asynchronous. */
    public void setAsync(boolean async) {
      this.async = async;
    }

    /** Returns what is remembered. */
    public String getRemember() {
      return remember;
    }

    /** Sets what is remembered. */
    public void setRemember(String remember) {
      this.remember = remember;
    }

    /** Returns the order. */
    public int getOrder() {
      return order;
    }

    /** Sets the order. */
    public void setOrder(int order) {
      this.order = order;
    }
  }
}
