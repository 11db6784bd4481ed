package io.mnemo4j.spring.boot.autoconfigure;

import java.time.Duration;

/** Asynchronous adds: {@code mnemo.async.*}. Not thread-safe (bound once). */
public class MnemoAsyncProperties {
  /** Most adds queued in this process. */
  private int capacity = 1000;

  /** Adds running at once. */
  private int workers = 4;

  /**
   * How long shutdown waits for queued adds to finish; those still queued then are resumed on the
   * next start.
   */
  private Duration shutdownTimeout = Duration.ofSeconds(30);

  /** Returns the shutdown timeout. */
  public Duration getShutdownTimeout() {
    return shutdownTimeout;
  }

  /** Sets the shutdown timeout. */
  public void setShutdownTimeout(Duration shutdownTimeout) {
    this.shutdownTimeout = shutdownTimeout;
  }

  /** Returns the capacity. */
  public int getCapacity() {
    return capacity;
  }

  /** Sets the capacity. */
  public void setCapacity(int capacity) {
    this.capacity = capacity;
  }

  /** Returns the worker count. */
  public int getWorkers() {
    return workers;
  }

  /** Sets the worker count. */
  public void setWorkers(int workers) {
    this.workers = workers;
  }
}
