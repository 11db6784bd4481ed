package io.mnemo4j.internal;

import io.mnemo4j.InferenceSettings;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.llm.TokenUsage;
import io.mnemo4j.spi.Embedder;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * What every pipeline of one {@code Mnemo} shares: time, ids, the embedder, the settings, the open
 * tenants with their leases, the scope locks, the inference settings and the usage listener. Built
 * first, before any pipeline; nothing internal reaches the public {@code Mnemo}. Thread-safe.
 */
public final class Context {
  private static final System.Logger LOG = System.getLogger(Context.class.getName());

  private final Clock clock;
  private final Supplier<String> ids;
  private volatile Embedder embedder;

  /**
   * Held for reading by every search (query embedding and store reads), for writing by a model
   * switch: a search sees the old model's query and vectors or the new model's, never a mix.
   */
  private final java.util.concurrent.locks.ReentrantReadWriteLock model =
      new java.util.concurrent.locks.ReentrantReadWriteLock();

  private final Settings settings;
  private final Tenants tenants;
  private final ScopeLocks locks = new ScopeLocks();
  private final InferenceSettings inference;
  private final Map<String, InferenceSettings> tenantInference;
  private final BiConsumer<TenantId, TokenUsage> usageListener;

  /**
   * @param inference the instance's inference settings
   * @param tenantInference per-tenant overrides, by tenant id
   */
  public Context(
      Clock clock,
      Supplier<String> ids,
      Embedder embedder,
      Settings settings,
      Tenants tenants,
      InferenceSettings inference,
      Map<String, InferenceSettings> tenantInference,
      BiConsumer<TenantId, TokenUsage> usageListener) {
    this.clock = clock;
    this.ids = ids;
    this.embedder = embedder;
    this.settings = settings;
    this.tenants = tenants;
    this.inference = inference;
    this.tenantInference = Map.copyOf(tenantInference);
    this.usageListener = usageListener;
  }

  /** The current instant of the injected clock. */
  public Instant now() {
    return clock.instant();
  }

  /** The injected clock. */
  public Clock clock() {
    return clock;
  }

  /** A new unique id (UUIDv7 unless a supplier was injected). */
  public String newId() {
    return ids.get();
  }

  /** The embedder in use (another one once a re-embedding has switched models). */
  public Embedder embedder() {
    return embedder;
  }

  /** The lock a search holds for reading and a model switch for writing. */
  public java.util.concurrent.locks.ReadWriteLock modelLock() {
    return model;
  }

  /**
   * Makes {@code next} the embedder in use; returns the previous one (the caller closes it). The
   * caller holds {@link #modelLock()} for writing.
   */
  public Embedder switchEmbedder(Embedder next) {
    Embedder previous = embedder;
    embedder = next;
    return previous;
  }

  /** The settings. */
  public Settings settings() {
    return settings;
  }

  /** The tenants: catalog, stores and leases. */
  public Tenants tenants() {
    return tenants;
  }

  /** The per-scope write locks. */
  public ScopeLocks locks() {
    return locks;
  }

  /** Leases the tenant's store (opening it on first use); close the lease to release it. */
  public TenantHandles.Lease lease(TenantInfo tenant) {
    return tenants.lease(tenant);
  }

  /** The inference settings of a tenant: its own override, else the instance's. */
  public InferenceSettings inference(TenantId tenant) {
    return tenantInference.getOrDefault(tenant.value(), inference);
  }

  /** Hands one model call's usage to the listener; a failing listener is logged, never thrown. */
  public void reportUsage(TenantId tenant, TokenUsage usage) {
    try {
      usageListener.accept(tenant, usage);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "usage listener failed: {0}", e.getClass().getName());
    }
  }
}
