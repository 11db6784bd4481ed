package io.mnemo4j.store.embedded;

import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantId;
import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.spi.PurgeStats;
import io.mnemo4j.spi.TenantStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The embedded store of one region: under its root directory, one directory per tenant holding
 * {@code memories.db} (SQLite, the source of truth) and {@code index/} (Lucene, rebuilt from SQLite
 * when lost). Thread-safe.
 *
 * <p>Durability: a write returns once its SQLite transaction commits with {@code synchronous=FULL}
 * (the WAL is fsynced), so an acknowledged write survives a killed process and a power loss; {@link
 * Durability#PROCESS}, off by default, skips that fsync and survives a killed process only. The
 * index is updated off the write path, yet every read after the write sees it (vector searches also
 * scan the changes the searcher does not show yet; other index reads catch the index up first). The
 * index is committed only every 1000 changes, every 60 s of writes, and on close: a change log in
 * SQLite replays whatever a crash took from the index when the tenant next opens. A lost or corrupt
 * index is rebuilt from SQLite.
 *
 * <p>It caches no idle tenants (the core's LRU decides what stays open). It only tracks open
 * handles, because Lucene allows one writer per index: two opens of one tenant share one engine,
 * closed with the last handle, and purge refuses a tenant that is still open.
 */
public final class EmbeddedStore implements MemoryStore {
  private static final int STRIPES = 64;

  private final Path root;
  private final Durability durability;
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
  // Open engines and their handle counts; an entry changes only under its tenant's stripe lock.
  private final Map<String, Entry> open = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private static final class Entry {
    final TenantEngine engine;
    int handles;

    Entry(TenantEngine engine) {
      this.engine = engine;
    }
  }

  private EmbeddedStore(Path root, Durability durability) {
    this.root = root;
    this.durability = durability;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /**
   * Opens the store rooted at {@code regionDir}, creating the directory if needed, with {@link
   * Durability#FULL}.
   */
  public static EmbeddedStore open(Path regionDir) {
    return open(regionDir, Durability.FULL);
  }

  /**
   * Opens the store rooted at {@code regionDir}, creating the directory if needed; every tenant's
   * commits are as durable as {@code durability} says.
   *
   * @param regionDir the directory holding the region's tenants
   * @param durability what an acknowledged write survives
   * @return the store
   */
  public static EmbeddedStore open(Path regionDir, Durability durability) {
    Path root = regionDir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new StoreUnavailableException("cannot create the store directory " + root, e);
    }
    return new EmbeddedStore(root, durability);
  }

  /** What an acknowledged write of this store survives. */
  public Durability durability() {
    return durability;
  }

  /** Returns {@code embedded}. */
  @Override
  public String kind() {
    return "embedded";
  }

  /** The directory of the store. */
  public Path root() {
    return root;
  }

  /**
   * Opens the tenant, creating its directory on first use and bringing its index up to date with
   * its database. Throws {@link StoreUnavailableException} if another process has the tenant open.
   */
  @Override
  public TenantStore open(TenantId tenant) {
    ReentrantLock lock = stripe(tenant);
    lock.lock();
    try {
      ensureOpen();
      Entry entry = open.get(tenant.value());
      if (entry == null || !entry.engine.usable()) {
        if (entry != null) {
          entry.engine
              .close(); // it failed: its files must be released before a new engine opens them
        }
        entry = new Entry(TenantEngine.open(tenant, tenantDir(tenant), durability));
        open.put(tenant.value(), entry);
      }
      entry.handles++;
      return new EmbeddedTenantStore(this, entry.engine);
    } finally {
      lock.unlock();
    }
  }

  /** Counts a handle's close; the engine closes with its last handle. */
  void release(EmbeddedTenantStore handle) {
    TenantEngine engine = handle.engine();
    ReentrantLock lock = stripe(engine.tenant);
    lock.lock();
    try {
      Entry entry = open.get(engine.tenant.value());
      if (entry != null && entry.engine == engine) {
        if (--entry.handles == 0) {
          open.remove(engine.tenant.value());
          engine.close();
        }
      } else {
        engine.close(); // a failed engine already replaced by a new one
      }
    } finally {
      lock.unlock();
    }
  }

  /** Whether the tenant has a directory in this store. */
  @Override
  public boolean exists(TenantId tenant) {
    return Files.isDirectory(tenantDir(tenant));
  }

  /**
   * Deletes the tenant's directory, and with it every memory, history row, message and operation
   * record and conversation window (events have no count in {@link PurgeStats}; their rows are in
   * the file and byte counts). Counts come from its database before deletion; a count is -1 if the
   * database could not be read (the purge still removes everything: offboarding must not depend on
   * intact data). Throws {@link IllegalStateException} if a {@link TenantStore} of the tenant is
   * still open here, and {@link StoreUnavailableException} if another process has it open.
   */
  @Override
  public PurgeStats purge(TenantId tenant) {
    ReentrantLock lock = stripe(tenant);
    lock.lock();
    try {
      ensureOpen();
      Entry entry = open.get(tenant.value());
      if (entry != null) {
        if (entry.engine.usable()) {
          throw new IllegalStateException(
              "tenant '"
                  + tenant
                  + "' has "
                  + entry.handles
                  + " open store(s) in this process; close them before purging");
        }
        entry.engine.close();
        open.remove(tenant.value());
      }
      Path dir = tenantDir(tenant);
      if (!Files.isDirectory(dir)) {
        return new PurgeStats(0, 0, 0, 0, 0);
      }
      long[] counts = countRows(dir.resolve(TenantEngine.DATABASE));
      requireNotOpenElsewhere(tenant, dir);
      FileTrees.Removed removed = FileTrees.deleteRecursively(dir);
      return new PurgeStats(counts[0], counts[1], counts[2], removed.files(), removed.bytes());
    } catch (IOException e) {
      throw new StoreUnavailableException(
          "cannot delete the directory of tenant '" + tenant + "'", e);
    } finally {
      lock.unlock();
    }
  }

  private static void requireNotOpenElsewhere(TenantId tenant, Path dir) throws IOException {
    Path lockFile = dir.resolve(TenantEngine.LOCK_FILE);
    if (!Files.exists(lockFile)) {
      return;
    }
    // Released before deleting so that the lock file itself can go on every platform; an open in
    // the instant
    // between would then fail on its missing database directory, not corrupt anything.
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
        FileLock held = channel.tryLock()) {
      if (held == null) {
        throw new StoreUnavailableException(
            "tenant '" + tenant + "' is open in another process; not purged");
      }
    } catch (OverlappingFileLockException e) {
      throw new IllegalStateException(
          "tenant '" + tenant + "' is open by another store in this process", e);
    }
  }

  private static long[] countRows(Path database) {
    long[] counts = {0, 0, 0};
    if (!Files.exists(database)) {
      return counts;
    }
    String[] tables = {"memories", "history", "messages"};
    try (Connection c = Sqlite.open(database, false)) {
      for (int i = 0; i < tables.length; i++) {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + tables[i]);
            ResultSet rs = ps.executeQuery()) {
          counts[i] = rs.next() ? rs.getLong(1) : 0;
        }
      }
      // Conversation-window messages count as messages (PurgeStats); a database closed before
      // schema v4 has no such table.
      try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'conversations'");
          ResultSet rs = ps.executeQuery()) {
        if (rs.next() && rs.getLong(1) > 0) {
          try (PreparedStatement count = c.prepareStatement("SELECT COUNT(*) FROM conversations");
              ResultSet n = count.executeQuery()) {
            counts[2] += n.next() ? n.getLong(1) : 0;
          }
        }
      }
    } catch (SQLException e) {
      return new long[] {-1, -1, -1};
    }
    return counts;
  }

  /**
   * Closes every tenant still open; later calls throw {@link StoreUnavailableException}.
   * Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    for (String key : List.copyOf(open.keySet())) {
      ReentrantLock lock = stripes[Math.floorMod(key.hashCode(), STRIPES)];
      lock.lock();
      try {
        Entry entry = open.remove(key);
        if (entry != null) {
          entry.engine.close();
        }
      } finally {
        lock.unlock();
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new StoreUnavailableException("the embedded store at " + root + " is closed");
    }
  }

  private ReentrantLock stripe(TenantId tenant) {
    return stripes[Math.floorMod(tenant.value().hashCode(), STRIPES)];
  }

  /**
   * The tenant's directory: built only from the validated id, and checked to stay directly under
   * the root.
   */
  Path tenantDir(TenantId tenant) {
    Path dir = root.resolve(tenant.value()).normalize();
    if (!root.equals(dir.getParent())) {
      throw new IllegalStateException("tenant directory escapes the store root: " + tenant);
    }
    return dir;
  }
}
