package io.mnemo4j.internal;

import io.mnemo4j.ConflictException;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.NotFoundException;
import io.mnemo4j.PurgeReceipt;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.internal.store.CheckedTenantStore;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The tenants of one {@code Mnemo}: the catalog that records them, the region stores that hold
 * them, shard placement, and the bounded cache of open tenant stores with their leases. Every store
 * handed out is wrapped in a {@link CheckedTenantStore}. Thread-safe.
 */
public final class Tenants implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Tenants.class.getName());

  /** The catalog setting naming the embedding model a data dir's vectors were made with. */
  static final String EMBEDDING_MODEL_SETTING = "embedding_model";

  private final Path dataDir;
  private final Clock clock;
  private final Backend backend;
  private final Catalog catalog;
  private final String defaultRegion;
  private final Set<String> regions;
  private final boolean autoCreate;
  private final TenantHandles handles;
  private final ConcurrentHashMap<String, MemoryStore> stores = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * Opens the catalog and checks the embedding model against the one the data dir was built with.
   *
   * @param regions regions tenants may be created in, beside the default and the backend's own
   * @param autoCreate whether {@link #getOrCreate} creates a missing tenant
   * @param maxOpen how many tenant stores stay open at once
   * @param contextWindow how many earlier messages of an add ingest embeds with each message (a
   *     model switch a crash interrupted re-embeds memories the same way)
   */
  public Tenants(
      Path dataDir,
      Clock clock,
      Backend backend,
      Embedder embedder,
      String defaultRegion,
      Set<String> regions,
      boolean autoCreate,
      int maxOpen,
      int contextWindow) {
    this.dataDir = dataDir;
    this.clock = clock;
    this.backend = backend;
    this.defaultRegion = defaultRegion;
    LinkedHashSet<String> all = new LinkedHashSet<>();
    all.add(defaultRegion);
    all.addAll(regions);
    all.addAll(backend.regions());
    this.regions = Set.copyOf(all);
    this.autoCreate = autoCreate;
    this.handles = new TenantHandles(maxOpen);
    this.catalog = backend.openCatalog(dataDir);
    try {
      Reembedding.finishInterrupted(this, embedder, contextWindow);
    } catch (RuntimeException e) {
      handles.close();
      catalog.close();
      throw e;
    }
    checkEmbeddingModel(catalog, embedder);
  }

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

  /** The embedder of a re-embedding in progress in this process, whose vectors writes add. */
  private volatile @Nullable Embedder mirror;

  /**
   * While a re-embedding runs here, every memory a write puts also gets {@code next}'s vector in
   * its store's second slot (null stops it): new writes get both models' vectors.
   */
  public void mirrorWrites(@Nullable Embedder next) {
    this.mirror = next;
  }

  /** The catalog (tenants, key hashes, receipts). */
  public Catalog catalog() {
    ensureOpen();
    return catalog;
  }

  /** The regions tenants may be created in. */
  public Set<String> regions() {
    return regions;
  }

  /** The region new tenants go to unless told otherwise. */
  public String defaultRegion() {
    return defaultRegion;
  }

  /** The tenant, if it exists. */
  public Optional<TenantInfo> find(TenantId id) {
    ensureOpen();
    return catalog.find(id);
  }

  /** The tenant, or "not found". */
  public TenantInfo require(TenantId id) {
    return find(id).orElseThrow(() -> notFound(id));
  }

  /** All tenants, ordered by id. */
  public List<TenantInfo> list() {
    ensureOpen();
    return catalog.list();
  }

  /**
   * The tenant; a missing one is created in the default region when auto-creation is on, else "not
   * found". A creation raced by another is answered with the winner's record.
   */
  public TenantInfo getOrCreate(TenantId id) {
    Optional<TenantInfo> found = find(id);
    if (found.isPresent()) {
      return found.get();
    }
    if (!autoCreate) {
      throw notFound(id);
    }
    try {
      return catalog.create(
          new TenantInfo(id, defaultRegion, placeShard(defaultRegion), clock.instant()));
    } catch (ConflictException raced) {
      return require(id);
    }
  }

  /** Creates a tenant pinned to {@code region}; its data is written only to that region's store. */
  public TenantInfo create(TenantId id, String region) {
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

  /** Receipts of past purges, oldest first. */
  public List<PurgeReceipt> receipts() {
    ensureOpen();
    return catalog.receipts();
  }

  /**
   * Removes every byte the tenant wrote, its keys and the tenant itself, waiting up to 30 s for
   * running operations of the tenant to finish. Returns the receipt, also kept in the catalog.
   */
  public PurgeReceipt purge(TenantId id) {
    TenantInfo info = require(id);
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

  /**
   * Removes every byte of the tenant's namespace but keeps the tenant, its keys and its region, as
   * {@link #purge} would without the receipt: how a failed import leaves the tenant as it found it
   * (empty). Waits up to 30 s for running operations of the tenant.
   */
  public PurgeStats clearNamespace(TenantId id) {
    TenantInfo info = require(id);
    return handles.whileClosed(
        id, Duration.ofSeconds(30), () -> store(info.region(), info.shard()).purge(id));
  }

  /**
   * Leases the tenant's store, opening it on a miss. The catalog is checked again on every open: a
   * purged tenant must answer "not found", never silently reappear empty.
   */
  public TenantHandles.Lease lease(TenantInfo info) {
    ensureOpen();
    return handles.acquire(
        info.id(),
        id -> {
          TenantInfo current = catalog.find(id).orElseThrow(() -> notFound(id));
          // Another creation time is another tenant of the same id (purged, then created again).
          // Another region alone is the same tenant after a move: it opens where it lives now.
          if (!current.createdAt().equals(info.createdAt())) {
            throw notFound(id);
          }
          return new CheckedTenantStore(
              store(current.region(), current.shard()).open(id),
              () -> mirror,
              () -> checkWritable(id));
        });
  }

  /** Tenants closed to writes while they move, with the region each is moving to. */
  private final ConcurrentHashMap<TenantId, String> moving = new ConcurrentHashMap<>();

  /** Throws the retriable "unavailable" while the tenant moves: the server answers 503. */
  private void checkWritable(TenantId id) {
    String to = moving.get(id);
    if (to != null) {
      throw new StoreUnavailableException(
          "tenant " + id + " is moving to region " + to + "; writes resume when the move ends");
    }
  }

  /**
   * Closes the tenant to writes (they fail with the retriable {@link StoreUnavailableException})
   * and waits up to 30 s for operations already running on it to end, so no write lands after this
   * returns; reads go on. Throws {@link ConflictException} if it is closed already.
   */
  public void closeToWrites(TenantId id, String movingTo) {
    if (moving.putIfAbsent(id, movingTo) != null) {
      throw new ConflictException("tenant " + id + " is already moving");
    }
    try {
      handles.whilePaused(id, Duration.ofSeconds(30), () -> Boolean.TRUE);
    } catch (RuntimeException e) {
      moving.remove(id);
      throw e;
    }
  }

  /** Opens the tenant to writes again. */
  public void reopenToWrites(TenantId id) {
    moving.remove(id);
  }

  /**
   * Runs {@code action} while no store of the tenant is open (new leases wait for it to end,
   * running ones are waited for up to 30 s): how a move switches regions under no open handle,
   * unseen by readers.
   */
  public <T> T whileClosed(TenantId id, java.util.function.Supplier<T> action) {
    return handles.whilePaused(id, Duration.ofSeconds(30), action);
  }

  /** The store of one region's shard, opened on first use; what a move copies into and purges. */
  public MemoryStore regionStore(String region, String shard) {
    ensureOpen();
    return store(region, shard);
  }

  /** Checks that {@code region} is one tenants may live in; else names the known ones. */
  public String requireKnownRegion(String region) {
    TenantId.requireRegion(region);
    if (!regions.contains(region)) {
      throw new InvalidRequestException(
          "region",
          "unknown region '"
              + region
              + "'; configured regions: "
              + String.join(", ", regions.stream().sorted().toList()));
    }
    return region;
  }

  /** The shard of {@code region} a tenant arriving there is placed on. */
  public String shardFor(String region) {
    return placeShard(region);
  }

  /** Whether the tenant's namespace exists yet (checking never creates it). */
  public boolean namespaceExists(TenantInfo t) {
    return store(t.region(), t.shard()).exists(t.id());
  }

  /** Number of tenant stores currently open. */
  public int openCount() {
    return handles.openCount();
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

  private static NotFoundException notFound(TenantId id) {
    return new NotFoundException("tenant " + id + " not found");
  }

  /** Closes the open tenant stores, the region stores and the catalog. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    handles.close();
    for (MemoryStore s : stores.values()) {
      s.close();
    }
    catalog.close();
  }
}
