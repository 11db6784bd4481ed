package io.mnemo4j;

import io.mnemo4j.internal.Engine;
import io.mnemo4j.spi.Embedder;
import java.time.Duration;

/**
 * Operational controls of one {@link Mnemo}: run the expiry sweep now, wait for queued adds, see
 * how many tenant stores are open, the embedder and the inference settings in use. Reached through
 * {@link Mnemo#operations()}. Thread-safe.
 */
public final class Operations {
  private final Engine engine;
  private final Runnable ensureOpen;

  Operations(Engine engine, Runnable ensureOpen) {
    this.engine = engine;
    this.ensureOpen = ensureOpen;
  }

  /**
   * Deletes, in every tenant, the memories that expired more than the sweep's grace period ago
   * (each keeps a DELETE in its history); returns how many. Also runs on its own every sweep
   * interval.
   */
  public long sweepExpired() {
    ensureOpen.run();
    return engine.sweepExpired();
  }

  /**
   * Waits until no asynchronous add is queued or running in this instance; false on timeout. For
   * orderly shutdowns and tests.
   */
  public boolean awaitAsyncAdds(Duration timeout) throws InterruptedException {
    return engine.async().awaitIdle(timeout);
  }

  /** Number of tenant stores currently open (bounded by {@code maxOpenTenants}). */
  public int openTenants() {
    return engine.context().tenants().openCount();
  }

  /** The embedder in use. */
  public Embedder embedder() {
    return engine.context().embedder();
  }

  /** The inference settings of a tenant: its own override, else the instance's. */
  public InferenceSettings inference(TenantId tenant) {
    ensureOpen.run();
    return engine.context().inference(tenant);
  }
}
