package io.mnemo4j.internal;

import io.mnemo4j.TenantInfo;
import io.mnemo4j.internal.ingest.AddPipeline;
import io.mnemo4j.internal.ingest.AsyncAdds;
import io.mnemo4j.internal.ingest.Edits;
import io.mnemo4j.internal.ingest.Erasure;
import io.mnemo4j.internal.search.HybridSearch;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The pipelines of one {@code Mnemo}, built from its {@link Context}, and the background work they
 * need (resuming queued adds, the expiry sweep). The public API is a facade over this. Background
 * work starts only when {@link #start} is called, after construction. Thread-safe.
 */
public final class Engine implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Engine.class.getName());

  private final Context context;
  private final AddPipeline adds;
  private final AsyncAdds async;
  private final HybridSearch search;
  private final Reads reads;
  private final Edits edits;
  private final Erasure erasure;
  private final Reembedding reembedding;
  private final Duration sweepInterval;
  private final Duration sweepGrace;
  private @Nullable Thread sweeper;
  private volatile boolean closed;

  /**
   * @param asyncCapacity most asynchronous adds queued in this process
   * @param asyncWorkers most asynchronous adds running at once
   * @param sweepInterval how often the expiry sweep runs (zero: never)
   * @param sweepGrace how long after expiry the sweep deletes a memory
   */
  public Engine(
      Context context,
      int asyncCapacity,
      int asyncWorkers,
      Duration sweepInterval,
      Duration sweepGrace) {
    this.context = context;
    this.adds = new AddPipeline(context);
    this.async = new AsyncAdds(context, adds, asyncCapacity, asyncWorkers);
    this.search = new HybridSearch(context);
    this.reads = new Reads(context);
    this.edits = new Edits(context);
    this.erasure = new Erasure(context);
    this.reembedding = new Reembedding(context);
    this.sweepInterval = sweepInterval;
    this.sweepGrace = sweepGrace;
  }

  /**
   * Starts the background work: resuming the unfinished asynchronous adds an earlier run left (if
   * {@code resumeQueuedAdds}) and the periodic expiry sweep. Called once, after construction.
   */
  public synchronized void start(boolean resumeQueuedAdds) {
    if (resumeQueuedAdds) {
      async.resumeAll();
    }
    if (!sweepInterval.isZero()) {
      sweeper = Thread.ofVirtual().name("mnemo-expiry-sweep").start(this::sweepLoop);
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

  /** Runs the expiry sweep over every tenant now; returns how many memories it deleted. */
  public long sweepExpired() {
    long deleted = 0;
    for (TenantInfo t : context.tenants().list()) {
      if (closed) {
        break;
      }
      // Opening a tenant that never stored anything would create its namespace: skip those.
      if (context.tenants().namespaceExists(t)) {
        deleted += edits.sweepExpired(t, sweepGrace);
      }
    }
    return deleted;
  }

  /** The shared context. */
  public Context context() {
    return context;
  }

  /** The add pipeline. */
  public AddPipeline adds() {
    return adds;
  }

  /** The asynchronous add queue. */
  public AsyncAdds async() {
    return async;
  }

  /** Search. */
  public HybridSearch search() {
    return search;
  }

  /** Reads by id, page, count and history. */
  public Reads reads() {
    return reads;
  }

  /** Updates, deletes and bulk removals. */
  public Edits edits() {
    return edits;
  }

  /** Changing the embedding model. */
  public Reembedding reembedding() {
    return reembedding;
  }

  /** Erasing raw messages and what came only from them. */
  public Erasure erasure() {
    return erasure;
  }

  /**
   * Stops the background work (queued adds stay queued for the next start; a sweep in progress lets
   * go of its tenant first), then closes the tenants and the embedder. Idempotent.
   */
  @Override
  public void close() {
    Thread sweep;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      sweep = sweeper;
    }
    async.close();
    if (sweep != null) {
      sweep.interrupt();
      try {
        sweep.join(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    context.tenants().close();
    context.embedder().close();
  }
}
