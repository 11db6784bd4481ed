package io.mnemo4j.store.embedded;

import io.mnemo4j.spi.TenantStore;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What tests may do to an open tenant that no caller of the store can, after Lucene's {@code
 * TestSecrets}: read how many changes its searcher does not show yet, simulate a crash, inject an
 * unrecoverable failure. The engine registers the implementation once, from its static initialiser,
 * so the hooks reach its private state without a method on it that only tests call.
 * Package-private: nothing outside this package can reach it, and no production code in it calls
 * it. Thread-safe.
 */
final class TestSecrets {
  /** The hooks, implemented by the engine. */
  interface TenantAccess {
    /** How many memories have a change the searcher of the store's engine does not show yet. */
    int pendingChanges(EmbeddedTenantStore store);

    /**
     * Holds the store's engine's commits until closed (by the same thread): writes queue meanwhile,
     * and the next commit holds all of them.
     */
    AutoCloseable holdCommits(EmbeddedTenantStore store);

    /** Whether the store's engine has created its Lucene index writer. */
    boolean holdsIndexWriter(EmbeddedTenantStore store);

    /** How many written batches wait for a commit. */
    int queuedWrites(EmbeddedTenantStore store);

    /** How many SQLite commits writes have made since the engine opened. */
    long groupCommits(EmbeddedTenantStore store);

    /** SQLite's integer {@code PRAGMA pragma} on the engine's write connection. */
    int writerPragma(EmbeddedTenantStore store, String pragma);

    /** Closes the store's engine as an unrecoverable {@code cause} would. */
    void fail(EmbeddedTenantStore store, Throwable cause);
  }

  private static volatile @Nullable TenantAccess tenantAccess;

  private TestSecrets() {}

  /** Registers the engine's hooks; only its static initialiser calls this, once. */
  static void setTenantAccess(TenantAccess access) {
    if (tenantAccess != null) {
      throw new IllegalStateException("the tenant hooks are registered already");
    }
    tenantAccess = Objects.requireNonNull(access);
  }

  /** How many memories of the tenant have a change its searcher does not show yet. */
  static int pendingChanges(TenantStore store) {
    return access().pendingChanges(handle(store));
  }

  /**
   * Simulates a killed process: the tenant's engine closes without committing its index (it loses
   * what it had not committed, and replays it from the change log on the next open), and the store
   * refuses calls from then on.
   */
  static void crash(TenantStore store) {
    access().fail(handle(store), new IOException("simulated crash: the process was killed"));
  }

  /**
   * Holds the tenant's commits until the returned handle is closed, by the calling thread: writes
   * queue meanwhile, and the next commit holds every one of them.
   */
  static AutoCloseable holdCommits(TenantStore store) {
    return access().holdCommits(handle(store));
  }

  /**
   * Whether the tenant holds a Lucene index writer: one opened only for reading holds none until
   * its first write.
   */
  static boolean holdsIndexWriter(TenantStore store) {
    return access().holdsIndexWriter(handle(store));
  }

  /** How many written batches of the tenant wait for a commit. */
  static int queuedWrites(TenantStore store) {
    return access().queuedWrites(handle(store));
  }

  /** How many SQLite commits the tenant's writes have made since it was opened. */
  static long groupCommits(TenantStore store) {
    return access().groupCommits(handle(store));
  }

  /** SQLite's {@code synchronous} setting of the tenant's writes: 2 is FULL, 1 NORMAL. */
  static int synchronousMode(TenantStore store) {
    return access().writerPragma(handle(store), "synchronous");
  }

  /** Where SQLite keeps the temporary files of the tenant's writes: 2 is memory, 0 and 1 files. */
  static int tempStore(TenantStore store) {
    return access().writerPragma(handle(store), "temp_store");
  }

  /** Behaves as if {@code cause} were an unrecoverable I/O error of the tenant's engine. */
  static void fail(TenantStore store, Throwable cause) {
    access().fail(handle(store), cause);
  }

  private static EmbeddedTenantStore handle(TenantStore store) {
    if (store instanceof EmbeddedTenantStore handle) {
      return handle;
    }
    throw new IllegalArgumentException(
        "not a store this package opened (unwrapped): " + store.getClass().getName());
  }

  private static TenantAccess access() {
    TenantAccess access = tenantAccess;
    if (access != null) {
      return access;
    }
    try {
      MethodHandles.lookup().ensureInitialized(TenantEngine.class); // registers the hooks
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot initialise the tenant engine", e);
    }
    return Objects.requireNonNull(tenantAccess, "the tenant engine registered no hooks");
  }
}
