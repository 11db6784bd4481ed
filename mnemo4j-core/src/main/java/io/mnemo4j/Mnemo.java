package io.mnemo4j;

import io.mnemo4j.llm.TokenUsage;
import io.mnemo4j.spi.Backend;
import io.mnemo4j.spi.Catalog;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.spi.PurgeStats;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The entry point: owns the catalog, the region stores, the embedder and the cache of open tenants.
 * Each tenant is reached only through {@link #tenant(String)}. Thread-safe; one instance per data
 * directory and process.
 *
 * <p>Closing a {@code Mnemo} closes everything handed to its builder (backend stores, catalog,
 * embedder).
 */
public final class Mnemo implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Mnemo.class.getName());

  private final Path dataDir;
  private final Clock clock;
  private final Supplier<String> ids;
  private final Embedder embedder;
  private final Backend backend;
  private final Catalog catalog;
  private final String defaultRegion;
  private final Set<String> regions;
  private final boolean autoCreateTenants;
  private final double nearDuplicateThreshold;
  private final SearchTuning tuning;
  private final int contextWindow;
  private final int contextAfter;
  private final ConcurrentHashMap<String, MemoryStore> stores = new ConcurrentHashMap<>();
  private final TenantHandles handles;
  private final ApiKeys apiKeys;
  private final ScopeLocks scopeLocks = new ScopeLocks();
  private final InferenceSettings inference;
  private final Map<String, InferenceSettings> tenantInference;
  private final BiConsumer<TenantId, TokenUsage> usageListener;
  private final AddPipeline pipeline;
  private final AsyncAdds asyncAdds;
  private final Duration sweepInterval;
  private final Duration sweepGrace;
  private final @Nullable Thread sweeper;
  private volatile boolean closed;

  private Mnemo(Builder b) {
    this.dataDir = b.dataDir;
    this.clock = b.clock;
    this.ids = b.ids != null ? b.ids : new Uuid7(b.clock);
    this.embedder =
        Objects.requireNonNull(b.embedder, "embedder: set one with Mnemo.builder().embedder(...)");
    this.backend =
        Objects.requireNonNull(b.backend, "backend: set one with Mnemo.builder().backend(...)");
    this.defaultRegion = b.defaultRegion;
    LinkedHashSet<String> r = new LinkedHashSet<>();
    r.add(b.defaultRegion);
    r.addAll(b.regions);
    r.addAll(backend.regions());
    this.regions = Set.copyOf(r);
    this.autoCreateTenants = b.autoCreateTenants;
    this.nearDuplicateThreshold = b.nearDuplicateThreshold;
    this.tuning = b.tuning;
    this.contextWindow = b.contextWindow;
    this.contextAfter = b.contextAfter;
    this.handles = new TenantHandles(b.maxOpenTenants);
    this.catalog = backend.openCatalog(dataDir);
    checkEmbeddingModel(catalog, embedder);
    this.apiKeys = new ApiKeys(catalog, clock, ids);
    this.inference = b.inference;
    this.tenantInference = Map.copyOf(b.tenantInference);
    this.usageListener = b.usageListener;
    this.pipeline = new AddPipeline(this);
    this.asyncAdds = new AsyncAdds(this, pipeline, b.asyncCapacity, b.asyncWorkers);
    this.sweepInterval = b.sweepInterval;
    this.sweepGrace = b.sweepGrace;
    if (b.resumeQueuedAdds) {
      asyncAdds.resumeAll();
    }
    this.sweeper =
        sweepInterval.isZero()
            ? null
            : Thread.ofVirtual().name("mnemo-expiry-sweep").start(this::sweepLoop);
  }

  /** The catalog setting naming the embedding model a data dir's vectors were made with. */
  static final String EMBEDDING_MODEL_SETTING = "embedding_model";

  /**
   * A data dir remembers the embedding model its vectors were made with: vectors of two models
   * cannot be compared, so opening it with another one would silently find nothing by meaning and
   * store vectors no search can reach. The first open records the model; a later open with another
   * is refused, naming both.
   */
  private static void checkEmbeddingModel(Catalog catalog, Embedder embedder) {
    String recorded;
    try {
      recorded = catalog.recordSetting(EMBEDDING_MODEL_SETTING, embedder.modelId());
    } catch (RuntimeException e) {
      catalog.close();
      throw e;
    }
    if (!recorded.equals(embedder.modelId())) {
      catalog.close();
      throw new InvalidRequestException(
          "embedder",
          "this data dir was built with the embedding model '"
              + recorded
              + "', not '"
              + embedder.modelId()
              + "': open it with --embedder "
              + recorded
              + " (embedder: "
              + recorded
              + " in the config file), or use a new data dir");
    }
  }

  private void sweepLoop() {
    while (!closed) {
      try {
        Thread.sleep(sweepInterval);
        sweepExpired();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // The class only: a store's message may quote row data.
        LOG.log(System.Logger.Level.WARNING, "expiry sweep failed: {0}", e.getClass().getName());
      }
    }
  }

  /**
   * Deletes, in every tenant, the memories that expired more than the sweep's grace period ago
   * (each keeps a DELETE in its history). Runs on its own every sweep interval; returns how many
   * were deleted.
   */
  public long sweepExpired() {
    long deleted = 0;
    for (TenantInfo t : catalog.list()) {
      if (closed) {
        break;
      }
      // Opening a tenant that never stored anything would create its namespace: skip those.
      if (namespaceExists(t)) {
        deleted += new TenantMemory(this, t).sweepExpired(sweepGrace);
      }
    }
    return deleted;
  }

  /**
   * Waits until no asynchronous add is queued or running in this instance; false on timeout. For
   * orderly shutdowns and tests.
   */
  public boolean awaitAsyncAdds(Duration timeout) throws InterruptedException {
    return asyncAdds.awaitIdle(timeout);
  }

  /** The inference settings of a tenant: its own override, else the instance's. */
  public InferenceSettings inference(TenantId tenant) {
    return tenantInference.getOrDefault(tenant.value(), inference);
  }

  /** A builder with the documented defaults; an embedder and a backend must be set. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The memory of one tenant. With {@code autoCreateTenants} (the default) a missing tenant is
   * created in the default region; without it, a missing tenant is a {@link NotFoundException}.
   */
  public TenantMemory tenant(String tenantId) {
    TenantId id = TenantId.of(tenantId);
    ensureOpen();
    TenantInfo info =
        catalog
            .find(id)
            .orElseGet(
                () -> {
                  if (!autoCreateTenants) {
                    throw new NotFoundException("tenant " + id + " not found");
                  }
                  try {
                    return catalog.create(
                        new TenantInfo(
                            id, defaultRegion, placeShard(defaultRegion), clock.instant()));
                  } catch (ConflictException raced) {
                    return catalog
                        .find(id)
                        .orElseThrow(() -> new NotFoundException("tenant " + id + " not found"));
                  }
                });
    return new TenantMemory(this, info);
  }

  /**
   * The memory of an existing tenant, never creating one (whatever {@code autoCreateTenants} says):
   * what a server uses, so a request racing a purge can never bring the tenant back empty.
   */
  public TenantMemory existingTenant(String tenantId) {
    TenantId id = TenantId.of(tenantId);
    ensureOpen();
    return new TenantMemory(
        this,
        catalog.find(id).orElseThrow(() -> new NotFoundException("tenant " + id + " not found")));
  }

  /** Creates a tenant in the default region. */
  public TenantInfo createTenant(String tenantId) {
    return createTenant(tenantId, defaultRegion);
  }

  /** Creates a tenant pinned to {@code region}; its data is written only to that region's store. */
  public TenantInfo createTenant(String tenantId, String region) {
    TenantId id = TenantId.of(tenantId);
    TenantId.requireRegion(region);
    if (!regions.contains(region)) {
      throw new InvalidRequestException(
          "region",
          "unknown region '"
              + region
              + "'; configured regions: "
              + String.join(", ", regions.stream().sorted().toList()));
    }
    ensureOpen();
    TenantInfo info =
        catalog.create(new TenantInfo(id, region, placeShard(region), clock.instant()));
    LOG.log(
        System.Logger.Level.INFO,
        "tenant created: {0} in region {1}, shard {2}",
        id,
        region,
        info.shard());
    return info;
  }

  /** The tenant, if it exists. */
  public Optional<TenantInfo> findTenant(String tenantId) {
    ensureOpen();
    return catalog.find(TenantId.of(tenantId));
  }

  /** All tenants, ordered by id. */
  public List<TenantInfo> listTenants() {
    ensureOpen();
    return catalog.list();
  }

  /** Receipts of past purges, oldest first. */
  public List<PurgeReceipt> purgeReceipts() {
    ensureOpen();
    return catalog.receipts();
  }

  /**
   * Offboarding: removes every byte the tenant wrote (memories, history, messages, index files),
   * its API keys and the tenant itself, waiting up to 30 s for running operations of the tenant to
   * finish. Returns the receipt, also kept in the catalog.
   */
  public PurgeReceipt purgeTenant(String tenantId) {
    TenantId id = TenantId.of(tenantId);
    ensureOpen();
    TenantInfo info =
        catalog.find(id).orElseThrow(() -> new NotFoundException("tenant " + id + " not found"));
    return handles.whileClosed(
        id,
        Duration.ofSeconds(30),
        () -> {
          PurgeStats stats = store(info.region(), info.shard()).purge(id);
          PurgeReceipt receipt =
              new PurgeReceipt(
                  id.value(),
                  info.region(),
                  stats.memories(),
                  stats.historyRows(),
                  stats.messages(),
                  stats.files(),
                  stats.bytes(),
                  clock.instant());
          catalog.remove(id, receipt);
          LOG.log(
              System.Logger.Level.INFO,
              "tenant purged: {0} ({1} memories, {2} files)",
              id,
              stats.memories(),
              stats.files());
          return receipt;
        });
  }

  /** API keys kept (hashed) in this instance's catalog; a tenant's keys go when it is purged. */
  public ApiKeys apiKeys() {
    ensureOpen();
    return apiKeys;
  }

  /** The embedder in use. */
  public Embedder embedder() {
    return embedder;
  }

  /**
   * The regions this instance serves; the first tenant-creation default is {@link
   * #defaultRegion()}.
   */
  public Set<String> regions() {
    return regions;
  }

  /** The region new tenants go to unless told otherwise. */
  public String defaultRegion() {
    return defaultRegion;
  }

  /** Number of tenant stores currently open (bounded by {@code maxOpenTenants}). */
  public int openTenants() {
    return handles.openCount();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    asyncAdds.close();
    if (sweeper != null) {
      sweeper.interrupt();
      try {
        // A sweep in progress must let go of its tenant before the stores close.
        sweeper.join(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    handles.close();
    for (MemoryStore s : stores.values()) {
      s.close();
    }
    catalog.close();
    embedder.close();
  }

  // ---- package-private plumbing used by TenantMemory ----

  Clock clock() {
    return clock;
  }

  String newId() {
    return ids.get();
  }

  double nearDuplicateThreshold() {
    return nearDuplicateThreshold;
  }

  int contextWindow() {
    return contextWindow;
  }

  int contextAfter() {
    return contextAfter;
  }

  SearchTuning tuning() {
    return tuning;
  }

  ScopeLocks scopeLocks() {
    return scopeLocks;
  }

  /** Whether the tenant's namespace exists yet (checking never creates it). */
  boolean namespaceExists(TenantInfo t) {
    return store(t.region(), t.shard()).exists(t.id());
  }

  AddPipeline pipeline() {
    return pipeline;
  }

  AsyncAdds asyncAdds() {
    return asyncAdds;
  }

  void reportUsage(TenantId tenant, TokenUsage usage) {
    try {
      usageListener.accept(tenant, usage);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "usage listener failed: {0}", e.getClass().getName());
    }
  }

  TenantHandles.Lease lease(TenantInfo info) {
    ensureOpen();
    return handles.acquire(
        info.id(),
        id -> {
          // Re-check on every open: a purged tenant must answer "not found", never silently
          // reappear empty.
          TenantInfo current =
              catalog
                  .find(id)
                  .orElseThrow(() -> new NotFoundException("tenant " + id + " not found"));
          if (!current.region().equals(info.region())
              || !current.shard().equals(info.shard())
              || !current.createdAt().equals(info.createdAt())) {
            throw new NotFoundException("tenant " + id + " not found");
          }
          return store(current.region(), current.shard()).open(id);
        });
  }

  /**
   * Placement policy for a new tenant: the region's shard holding the fewest tenants, the first
   * listed on a tie. Recorded in the catalog, so later shards only take new tenants and nothing
   * ever moves implicitly; a consistent hash would move tenants when a shard is added.
   */
  private String placeShard(String region) {
    List<String> shards = backend.shards(region);
    if (shards.size() == 1) {
      return shards.get(0);
    }
    Map<String, Long> counts = new HashMap<>();
    for (TenantInfo t : catalog.list()) {
      if (t.region().equals(region)) {
        counts.merge(t.shard(), 1L, Long::sum);
      }
    }
    String best = shards.get(0);
    for (String s : shards) {
      if (counts.getOrDefault(s, 0L) < counts.getOrDefault(best, 0L)) {
        best = s;
      }
    }
    return best;
  }

  private MemoryStore store(String region, String shard) {
    return stores.computeIfAbsent(
        region + "/" + shard, k -> backend.openShard(region, shard, dataDir));
  }

  private void ensureOpen() {
    if (closed) {
      throw new StoreUnavailableException("Mnemo is closed");
    }
  }

  /** Configures a {@link Mnemo}. Each setting is validated where it is set. Not thread-safe. */
  public static final class Builder {
    private Path dataDir = Path.of("mnemo-data");
    private Clock clock = Clock.systemUTC();
    private @Nullable Supplier<String> ids;
    private @Nullable Embedder embedder;
    private @Nullable Backend backend;
    private String defaultRegion = "local";
    private final Set<String> regions = new LinkedHashSet<>();
    private int maxOpenTenants = 256;
    private boolean autoCreateTenants = true;
    private double nearDuplicateThreshold = 0.97;
    private SearchTuning tuning = SearchTuning.defaults();
    private int contextWindow = 2;
    private int contextAfter = 2;
    private InferenceSettings inference = InferenceSettings.none();
    private final Map<String, InferenceSettings> tenantInference = new HashMap<>();
    private BiConsumer<TenantId, TokenUsage> usageListener = (t, u) -> {};
    private int asyncCapacity = 1000;
    private int asyncWorkers = 4;
    private boolean resumeQueuedAdds = true;
    private Duration sweepInterval = Duration.ofHours(1);
    private Duration sweepGrace = Duration.ofDays(1);

    private Builder() {}

    /**
     * How adds use a language model (default {@link InferenceSettings#none()}: verbatim). Tenants
     * without an override of their own use these.
     */
    public Builder inference(InferenceSettings settings) {
      this.inference = Objects.requireNonNull(settings, "inference");
      return this;
    }

    /** Inference settings for one tenant, replacing the instance's for it. */
    public Builder tenantInference(String tenantId, InferenceSettings settings) {
      tenantInference.put(
          TenantId.of(tenantId).value(), Objects.requireNonNull(settings, "settings"));
      return this;
    }

    /** Hears the token usage of every model call, per tenant (for metrics and billing). */
    public Builder usageListener(BiConsumer<TenantId, TokenUsage> listener) {
      this.usageListener = Objects.requireNonNull(listener, "usageListener");
      return this;
    }

    /**
     * Asynchronous adds: at most {@code capacity} queued in this process (default 1000; beyond, an
     * {@link OverloadedException}) and {@code workers} running at once (default 4).
     */
    public Builder asyncAdds(int capacity, int workers) {
      if (capacity < 1 || workers < 1) {
        throw new IllegalArgumentException("async capacity and workers must be at least 1");
      }
      this.asyncCapacity = capacity;
      this.asyncWorkers = workers;
      return this;
    }

    /**
     * Whether queued asynchronous adds left by an earlier run are resumed on start (default true).
     */
    public Builder resumeQueuedAdds(boolean on) {
      this.resumeQueuedAdds = on;
      return this;
    }

    /**
     * The expiry sweep: every {@code interval} (default 1 h; zero turns it off) memories expired
     * for longer than {@code grace} (default 1 day) are deleted. Expired memories are hidden at
     * once either way; the grace keeps them restorable for a while.
     */
    public Builder expirySweep(Duration interval, Duration grace) {
      if (interval.isNegative() || grace.isNegative()) {
        throw new IllegalArgumentException("sweep interval and grace must not be negative");
      }
      this.sweepInterval = interval;
      this.sweepGrace = grace;
      return this;
    }

    /** Where the catalog and every region's data live (default {@code ./mnemo-data}). */
    public Builder dataDir(Path dir) {
      this.dataDir = Objects.requireNonNull(dir, "dataDir");
      return this;
    }

    /** The clock for every timestamp (default UTC system clock); tests inject a fixed one. */
    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    /**
     * The id supplier (default UUIDv7 from the clock); ids must be unique and should sort by time.
     */
    public Builder idSupplier(Supplier<String> supplier) {
      this.ids = Objects.requireNonNull(supplier, "idSupplier");
      return this;
    }

    /** The embedder (required). */
    public Builder embedder(Embedder e) {
      this.embedder = Objects.requireNonNull(e, "embedder");
      return this;
    }

    /** The storage backend (required), for example {@code EmbeddedBackend.create()}. */
    public Builder backend(Backend b) {
      this.backend = Objects.requireNonNull(b, "backend");
      return this;
    }

    /** The region new tenants go to by default (default {@code local}). */
    public Builder defaultRegion(String region) {
      this.defaultRegion = TenantId.requireRegion(region);
      return this;
    }

    /** Adds regions tenants may be created in, beside the default region. */
    public Builder regions(String... names) {
      for (String n : names) {
        regions.add(TenantId.requireRegion(n));
      }
      return this;
    }

    /**
     * How many tenant stores stay open at once (default 256); the least recently used is closed
     * beyond.
     */
    public Builder maxOpenTenants(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxOpenTenants must be at least 1, got " + n);
      }
      this.maxOpenTenants = n;
      return this;
    }

    /**
     * Whether {@link Mnemo#tenant} creates a missing tenant in the default region (default true).
     */
    public Builder autoCreateTenants(boolean on) {
      this.autoCreateTenants = on;
      return this;
    }

    /**
     * Cosine similarity at or above which a new message counts as a near duplicate of a memory in
     * the same scope and is not stored again (default 0.97; 1.0 turns near-duplicate detection off
     * except for identical vectors).
     */
    public Builder nearDuplicateThreshold(double t) {
      if (!(t > 0 && t <= 1)) {
        throw new IllegalArgumentException(
            "nearDuplicateThreshold must be within (0, 1], got " + t);
      }
      this.nearDuplicateThreshold = t;
      return this;
    }

    /** Hybrid search tuning (default {@link SearchTuning#defaults()}). */
    public Builder searchTuning(SearchTuning t) {
      this.tuning = Objects.requireNonNull(t, "searchTuning");
      return this;
    }

    /**
     * How many preceding messages of the same {@code add} call are embedded together with each
     * message (default 2, measured best of 0 to 3 on LoCoMo). The stored text is always the message
     * alone; only its vector carries the context.
     */
    public Builder contextWindow(int messages) {
      if (messages < 0 || messages > 8) {
        throw new IllegalArgumentException("contextWindow must be 0 to 8, got " + messages);
      }
      this.contextWindow = messages;
      return this;
    }

    /**
     * How many following messages of the same {@code add} call are kept beside each message for
     * full-text search (default 2, measured on LoCoMo): an answer given a turn later makes the
     * question findable by its words. Embeddings never look ahead.
     */
    public Builder contextAfter(int messages) {
      if (messages < 0 || messages > 8) {
        throw new IllegalArgumentException("contextAfter must be 0 to 8, got " + messages);
      }
      this.contextAfter = messages;
      return this;
    }

    /** Builds the instance and opens the catalog. */
    public Mnemo build() {
      return new Mnemo(this);
    }
  }
}
