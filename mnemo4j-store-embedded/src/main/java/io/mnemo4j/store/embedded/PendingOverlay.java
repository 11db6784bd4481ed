package io.mnemo4j.store.embedded;

import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.WriteBatch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The changes a tenant's current searcher may not show: for every memory written since, its latest
 * version or its removal (see {@link TenantEngine} for how reads use it). Values are immutable
 * snapshots: a write adds its changes after queueing them for the index writer; a refresh applies
 * the queue, refreshes the searcher, then {@link #forget forgets} exactly the entries it read
 * before, which the refreshed searcher therefore shows. A reader takes its snapshot before it
 * acquires a searcher: an entry is forgotten only after a searcher showing it became current.
 * Thread-safe.
 */
final class PendingOverlay {
  private final AtomicReference<Snapshot> pending = new AtomicReference<>(Snapshot.NONE);

  /** The pending changes now. */
  Snapshot snapshot() {
    return pending.get();
  }

  /** How many memories have a pending change. */
  int size() {
    return pending.get().changes().size();
  }

  /** Adds a committed batch's changes, made at {@code now} (nanos); returns the new snapshot. */
  Snapshot add(WriteBatch batch, long now) {
    return pending.updateAndGet(current -> current.with(batch, now));
  }

  /** Forgets the entries of {@code seen}, which a refreshed searcher now shows. */
  void forget(Snapshot seen) {
    pending.updateAndGet(current -> current.without(seen));
  }

  /** Forgets everything: the caller made the searcher show every change, holding every writer. */
  void clear() {
    pending.set(Snapshot.NONE);
  }

  /**
   * A change pending in the index writer: the memory's new version, or null for a removal. Equal
   * only to itself, so that forgetting a seen change keeps a newer change of the same memory.
   */
  record Entry(@Nullable StoredMemory memory) {
    @Override
    public boolean equals(Object o) {
      return this == o;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(this);
    }
  }

  /**
   * An immutable set of pending changes by memory id, the memories they put (for brute-force
   * search), and when the oldest of them was made.
   */
  record Snapshot(Map<String, Entry> changes, List<StoredMemory> live, long sinceNanos) {
    static final Snapshot NONE = new Snapshot(Map.of(), List.of(), 0);

    private static Snapshot of(Map<String, Entry> changes, long sinceNanos) {
      if (changes.isEmpty()) {
        return NONE;
      }
      List<StoredMemory> live = new ArrayList<>(changes.size());
      for (Entry change : changes.values()) {
        if (change.memory() != null) {
          live.add(change.memory());
        }
      }
      return new Snapshot(Collections.unmodifiableMap(changes), live, sinceNanos);
    }

    /** Whether nothing is pending. */
    boolean isEmpty() {
      return changes.isEmpty();
    }

    /** How many memories have a pending change. */
    int size() {
      return changes.size();
    }

    /**
     * Whether the memory has a pending change, so that whatever the searcher shows of it is stale:
     * its current version is in {@link #live}, or it was removed.
     */
    boolean overrides(String id) {
      return changes.containsKey(id);
    }

    /** Whether the oldest pending change is at least {@code nanos} old at {@code now}. */
    boolean olderThan(long nanos, long now) {
      return !changes.isEmpty() && now - sinceNanos >= nanos;
    }

    private Snapshot with(WriteBatch batch, long now) {
      Map<String, Entry> next = new HashMap<>(changes);
      for (Change change : batch.changes()) {
        switch (change) {
          case Change.Put put -> next.put(put.memory().id(), new Entry(put.memory()));
          case Change.Remove remove -> next.put(remove.id(), new Entry(null));
        }
      }
      return of(next, changes.isEmpty() ? now : sinceNanos);
    }

    /**
     * These changes minus those in {@code seen} (by identity, so a newer change of the same id
     * stays).
     */
    private Snapshot without(Snapshot seen) {
      if (this == seen || changes.isEmpty()) {
        return NONE;
      }
      Map<String, Entry> next = new HashMap<>(changes);
      seen.changes.forEach((id, change) -> next.remove(id, change));
      // Keeping the older start only makes the next age-triggered refresh come early.
      return of(next, sinceNanos);
    }
  }
}
