package io.mnemo4j.internal;

import io.mnemo4j.ConflictException;
import io.mnemo4j.NotFoundException;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantId;
import io.mnemo4j.spi.TenantStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A bounded LRU of open tenant stores with leases: an evicted store is closed only when its last
 * lease is released, so eviction never pulls a store from under a running operation. Opening
 * happens outside the lock, so a slow open of one tenant does not block others. Thread-safe.
 */
public final class TenantHandles implements AutoCloseable {
  /** How long a new lease waits out a pause before it answers "unavailable". */
  private static final Duration PAUSE_WAIT = Duration.ofSeconds(30);

  private final int maxOpen;
  private final LinkedHashMap<TenantId, Entry> open = new LinkedHashMap<>(16, 0.75f, true);

  /** Tenants closed for an action; true where new leases wait for it instead of "not found". */
  private final Map<TenantId, Boolean> closing = new HashMap<>();

  private boolean closed;

  TenantHandles(int maxOpen) {
    this.maxOpen = maxOpen;
  }

  /** A use of one open store; closing the lease releases it. */
  public final class Lease implements AutoCloseable {
    private final Entry entry;
    private boolean released;

    private Lease(Entry entry) {
      this.entry = entry;
    }

    public TenantStore store() {
      return Objects.requireNonNull(
          entry.store, "a lease is handed out only once its store is open");
    }

    @Override
    public void close() {
      if (!released) {
        released = true;
        release(entry);
      }
    }
  }

  private static final class Entry {
    final CompletableFuture<TenantStore> opening = new CompletableFuture<>();
    // Set once the store is open, before any lease is handed out.
    @Nullable TenantStore store;
    int leases;
    boolean evicted;
  }

  /** Leases the tenant's store, opening it with {@code opener} on a miss. */
  Lease acquire(TenantId tenant, Function<TenantId, TenantStore> opener) {
    Entry entry;
    boolean mustOpen = false;
    List<Entry> toClose;
    synchronized (this) {
      if (closed) {
        throw new StoreUnavailableException("Mnemo is closed");
      }
      waitWhilePaused(tenant);
      entry = open.get(tenant);
      if (entry == null) {
        entry = new Entry();
        open.put(tenant, entry);
        mustOpen = true;
      }
      entry.leases++;
      toClose = evictOverflow();
    }
    closeAll(toClose);
    if (mustOpen) {
      try {
        entry.store = opener.apply(tenant);
        entry.opening.complete(entry.store);
      } catch (RuntimeException | Error e) {
        synchronized (this) {
          open.remove(tenant, entry);
          entry.leases--;
        }
        entry.opening.completeExceptionally(e);
        throw e;
      }
    } else {
      try {
        entry.store = entry.opening.join();
      } catch (CompletionException e) {
        synchronized (this) {
          entry.leases--;
        }
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        throw new StoreUnavailableException("opening tenant " + tenant + " failed", e.getCause());
      }
    }
    return new Lease(entry);
  }

  private void release(Entry entry) {
    boolean close;
    synchronized (this) {
      entry.leases--;
      close = entry.evicted && entry.leases == 0;
      notifyAll();
    }
    if (close) {
      closeQuietly(entry);
    }
  }

  // Caller holds the lock. Returns evicted entries with no lease, to close outside the lock.
  private List<Entry> evictOverflow() {
    List<Entry> toClose = new ArrayList<>();
    Iterator<Map.Entry<TenantId, Entry>> it = open.entrySet().iterator();
    while (open.size() > maxOpen && it.hasNext()) {
      Entry eldest = it.next().getValue();
      if (!eldest.opening.isDone()) {
        continue; // still opening; its opener will hold it, evict something else
      }
      it.remove();
      eldest.evicted = true;
      if (eldest.leases == 0) {
        toClose.add(eldest);
      }
    }
    return toClose;
  }

  /**
   * Runs {@code action} while the tenant is closed and blocked: new leases fail with "not found",
   * existing leases are waited for (up to {@code wait}).
   */
  <T> T whileClosed(TenantId tenant, Duration wait, java.util.function.Supplier<T> action) {
    return closedFor(tenant, wait, false, action);
  }

  /**
   * As {@link #whileClosed}, but new leases wait (up to {@code wait}) for {@code action} to end
   * instead of failing: a short pause that readers should not see, such as a move's region switch.
   */
  <T> T whilePaused(TenantId tenant, Duration wait, java.util.function.Supplier<T> action) {
    return closedFor(tenant, wait, true, action);
  }

  /**
   * Blocks while the tenant is paused, fails with "not found" while it is closed. Caller holds this
   * monitor.
   */
  private void waitWhilePaused(TenantId tenant) {
    long deadline = System.nanoTime() + PAUSE_WAIT.toNanos();
    for (Boolean waits = closing.get(tenant); waits != null; waits = closing.get(tenant)) {
      if (!waits) {
        throw new NotFoundException("tenant " + tenant + " not found");
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new StoreUnavailableException(
            "tenant " + tenant + " still paused after " + PAUSE_WAIT);
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreUnavailableException("interrupted while waiting for tenant " + tenant, e);
      }
    }
  }

  private <T> T closedFor(
      TenantId tenant, Duration wait, boolean leasesWait, java.util.function.Supplier<T> action) {
    Entry entry;
    synchronized (this) {
      if (closing.putIfAbsent(tenant, leasesWait) != null) {
        throw new ConflictException("tenant " + tenant + " is already being purged");
      }
      entry = open.remove(tenant);
      if (entry != null) {
        entry.evicted = true;
      }
    }
    try {
      if (entry != null) {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (this) {
          while (entry.leases > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              throw new StoreUnavailableException(
                  "tenant " + tenant + " still in use after " + wait);
            }
            try {
              wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new StoreUnavailableException(
                  "interrupted while waiting for tenant " + tenant, e);
            }
          }
        }
        if (entry.opening.isDone() && !entry.opening.isCompletedExceptionally()) {
          closeQuietly(entry);
        }
      }
      return action.get();
    } finally {
      synchronized (this) {
        closing.remove(tenant);
        notifyAll(); // leases waiting out a pause
      }
    }
  }

  /** Number of stores currently open. */
  synchronized int openCount() {
    return open.size();
  }

  @Override
  public void close() {
    List<Entry> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(open.values());
      open.clear();
      for (Entry e : all) {
        e.evicted = true;
      }
    }
    for (Entry e : all) {
      if (e.opening.isDone() && !e.opening.isCompletedExceptionally()) {
        closeQuietly(e);
      }
    }
  }

  private static void closeAll(List<Entry> entries) {
    for (Entry e : entries) {
      closeQuietly(e);
    }
  }

  private static void closeQuietly(Entry e) {
    try {
      if (e.store != null) {
        e.store.close();
      }
    } catch (RuntimeException ignored) {
      // A failed close of an evicted store must not fail the unrelated request that triggered
      // eviction.
    }
  }
}
