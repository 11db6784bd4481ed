package io.mnemo4j;

import io.mnemo4j.internal.Context;
import io.mnemo4j.internal.Engine;
import io.mnemo4j.internal.Settings;
import io.mnemo4j.internal.Tenants;
import io.mnemo4j.internal.util.Uuid7;
import io.mnemo4j.llm.TokenUsage;
import io.mnemo4j.spi.Backend;
import io.mnemo4j.spi.Embedder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The entry point: one per data directory and process. Each tenant is reached only through {@link
 * #tenant(String)}; tenant administration and API keys hang off {@link #admin()}, operational
 * controls (sweeps, queue waits, the embedder) off {@link #operations()}. Thread-safe.
 *
 * <p>Closing a {@code Mnemo} closes everything handed to its builder (backend stores, catalog,
 * embedder).
 */
public final class Mnemo implements AutoCloseable {
  private final Engine engine;
  private final Tenants tenants;
  private final Admin admin;
  private final Operations operations;
  private volatile boolean closed;

  private Mnemo(Builder b) {
    Embedder embedder =
        Objects.requireNonNull(b.embedder, "embedder: set one with Mnemo.builder().embedder(...)");
    Backend backend =
        Objects.requireNonNull(b.backend, "backend: set one with Mnemo.builder().backend(...)");
    Supplier<String> ids = b.ids != null ? b.ids : new Uuid7(b.clock);
    this.tenants =
        new Tenants(
            b.dataDir,
            b.clock,
            backend,
            embedder,
            b.defaultRegion,
            b.regions,
            b.autoCreateTenants,
            b.maxOpenTenants,
            b.contextWindow);
    Context context =
        new Context(
            b.clock,
            ids,
            embedder,
            new Settings(b.nearDuplicateThreshold, b.contextWindow, b.contextAfter, b.tuning),
            tenants,
            b.inference,
            b.tenantInference,
            b.usageListener);
    this.engine =
        new Engine(context, b.asyncCapacity, b.asyncWorkers, b.sweepInterval, b.sweepGrace);
    io.mnemo4j.internal.transfer.Transfers transfers =
        new io.mnemo4j.internal.transfer.Transfers(context);
    this.admin =
        new Admin(
            tenants,
            new ApiKeys(tenants.catalog(), b.clock, ids),
            engine.reembedding(),
            this::ensureOpen,
            transfers,
            new io.mnemo4j.internal.transfer.Moves(context, transfers));
    this.operations = new Operations(engine, this::ensureOpen);
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
    return new TenantMemory(engine, tenants.getOrCreate(id));
  }

  /**
   * The memory of an existing tenant, never creating one (whatever {@code autoCreateTenants} says):
   * what a server uses, so a request racing a purge can never bring the tenant back empty.
   */
  public TenantMemory existingTenant(String tenantId) {
    TenantId id = TenantId.of(tenantId);
    ensureOpen();
    return new TenantMemory(engine, tenants.require(id));
  }

  /** Tenant administration: create, list, purge tenants, regions, and API keys. */
  public Admin admin() {
    ensureOpen();
    return admin;
  }

  /**
   * Operational controls: the expiry sweep, waiting for queued adds, open tenants, the embedder.
   */
  public Operations operations() {
    ensureOpen();
    return operations;
  }

  private void ensureOpen() {
    if (closed) {
      throw new StoreUnavailableException("Mnemo is closed");
    }
  }

  /**
   * Stops background work (queued adds stay queued for the next start), then closes the tenant
   * stores, the catalog and the embedder. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    engine.close();
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

    /**
     * Builds the instance, opens the catalog, then starts its background work (resuming queued
     * adds, the expiry sweep).
     */
    public Mnemo build() {
      Mnemo mnemo = new Mnemo(this);
      mnemo.engine.start(resumeQueuedAdds);
      return mnemo;
    }
  }
}
