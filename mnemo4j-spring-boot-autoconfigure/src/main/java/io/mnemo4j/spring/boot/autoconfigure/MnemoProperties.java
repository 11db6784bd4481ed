package io.mnemo4j.spring.boot.autoconfigure;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * The {@code mnemo.*} settings. Every one is optional: with none, Mnemo4j stores its data under
 * {@code ./mnemo-data} with the embedded store and the in-jar embedder. Values are checked when the
 * {@code Mnemo} bean is built, with a message naming the setting. The groups are classes of their
 * own ({@link MnemoPostgresProperties}, {@link MnemoAsyncProperties}, {@link
 * MnemoExpirySweepProperties}, {@link MnemoInferenceProperties}, {@link MnemoChatMemoryProperties},
 * {@link MnemoAdvisorProperties}). Not thread-safe (bound once).
 */
@ConfigurationProperties("mnemo")
public class MnemoProperties {
  /** Whether to create the Mnemo bean and the integrations around it. */
  private boolean enabled = true;

  /** Where the catalog and the embedded regions' data live, relative to the working directory. */
  private Path dataDir = Path.of("mnemo-data");

  /**
   * The embedding model: bge-small-en-v1.5-q, bge-small-en-v1.5 or all-minilm-l6-v2-q; keep one per
   * data dir.
   */
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
  @NestedConfigurationProperty
  private final MnemoPostgresProperties postgres = new MnemoPostgresProperties();

  /** Regions by name, each an embedded directory or PostgreSQL databases (shards). */
  private Map<String, Region> regions = new LinkedHashMap<>();

  /** The tenant the chat memory repository and the advisor use unless told otherwise. */
  private String tenant = "default";

  /** Whether Mnemo.tenant(id) creates a tenant it does not know (false: not found). */
  private boolean autoCreateTenants = true;

  /** Cosine similarity at or above which a new message is a near duplicate (0, 1]. */
  private double nearDuplicateThreshold = 0.97;

  /**
   * What an acknowledged write to an embedded region survives: full (fsync per commit, a power
   * loss) or process (a killed process only, not a power loss or an OS crash).
   */
  private String durability = "full";

  /** How many tenant stores stay open at once. */
  private int maxOpenTenants = 256;

  /** Preceding messages of the same add embedded with each message (0 to 8). */
  private int contextWindow = 2;

  /** Following messages of the same add kept for full-text search (0 to 8). */
  private int contextAfter = 2;

  /** Asynchronous adds (the advisor's default). */
  @NestedConfigurationProperty
  private final MnemoAsyncProperties async = new MnemoAsyncProperties();

  /** The expiry sweep. */
  @NestedConfigurationProperty
  private final MnemoExpirySweepProperties expirySweep = new MnemoExpirySweepProperties();

  /** Fact extraction with a language model. */
  @NestedConfigurationProperty
  private final MnemoInferenceProperties inference = new MnemoInferenceProperties();

  /** The Spring AI ChatMemoryRepository. */
  @NestedConfigurationProperty
  private final MnemoChatMemoryProperties chatMemory = new MnemoChatMemoryProperties();

  /** The Spring AI long-term memory advisor. */
  @NestedConfigurationProperty
  private final MnemoAdvisorProperties advisor = new MnemoAdvisorProperties();

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
  public MnemoPostgresProperties getPostgres() {
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

  /** Returns the durability of embedded regions: {@code full} or {@code process}. */
  public String getDurability() {
    return durability;
  }

  /** Sets the durability of embedded regions: {@code full} or {@code process}. */
  public void setDurability(String durability) {
    this.durability = durability;
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
  public MnemoAsyncProperties getAsync() {
    return async;
  }

  /** Returns the expiry sweep settings. */
  public MnemoExpirySweepProperties getExpirySweep() {
    return expirySweep;
  }

  /** Returns the inference settings. */
  public MnemoInferenceProperties getInference() {
    return inference;
  }

  /** Returns the chat memory repository settings. */
  public MnemoChatMemoryProperties getChatMemory() {
    return chatMemory;
  }

  /** Returns the advisor settings. */
  public MnemoAdvisorProperties getAdvisor() {
    return advisor;
  }

  /** One region: an embedded directory, or PostgreSQL (one database, or shards). */
  public static class Region extends MnemoPostgresProperties {
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
}
