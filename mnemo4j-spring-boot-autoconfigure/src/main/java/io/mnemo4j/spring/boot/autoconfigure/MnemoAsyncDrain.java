package io.mnemo4j.spring.boot.autoconfigure;

import io.mnemo4j.Mnemo;
import java.time.Duration;
import org.springframework.context.SmartLifecycle;

/**
 * Waits, when the application context stops, for the Mnemo bean's queued adds (a lifecycle bean
 * stops before singletons are destroyed, so before the Mnemo bean closes). Adds still queued after
 * the timeout stay in the tenant's store and resume on the next start. Thread-safe.
 */
final class MnemoAsyncDrain implements SmartLifecycle {
  private static final System.Logger LOG = System.getLogger(MnemoAsyncDrain.class.getName());

  private final Mnemo mnemo;
  private final Duration timeout;
  private volatile boolean running;

  MnemoAsyncDrain(Mnemo mnemo, Duration timeout) {
    this.mnemo = mnemo;
    this.timeout = timeout;
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    try {
      if (!mnemo.operations().awaitAsyncAdds(timeout)) {
        LOG.log(
            System.Logger.Level.WARNING,
            "queued adds still running after {0}; they resume on the next start",
            timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
