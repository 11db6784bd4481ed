package io.mnemo4j.spi;

import java.util.Locale;

/**
 * Where an add operation stands (asynchronous adds, and synchronous ones given an idempotency key).
 */
public enum EventStatus {
  /** Queued, not yet started. */
  PENDING,
  /** Being processed now. */
  RUNNING,
  /** Done; the result is stored. */
  SUCCEEDED,
  /** Gave up; the result holds the error. */
  FAILED;

  /** Whether the operation has finished, one way or the other. */
  public boolean finished() {
    return this == SUCCEEDED || this == FAILED;
  }

  /** The upper-case wire name ({@code PENDING}...). */
  public String wireName() {
    return name().toUpperCase(Locale.ROOT);
  }
}
