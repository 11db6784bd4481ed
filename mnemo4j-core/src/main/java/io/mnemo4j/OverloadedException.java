package io.mnemo4j;

import java.time.Duration;

/**
 * Too much work is queued: the caller should retry later (HTTP 429). Back-pressure instead of
 * running out of memory.
 */
public final class OverloadedException extends MnemoException {
  private static final long serialVersionUID = 1L;
  private final Duration retryAfter;

  /** Creates the exception with a suggested wait. */
  public OverloadedException(String message, Duration retryAfter) {
    super(message);
    this.retryAfter = retryAfter;
  }

  /** How long the caller should wait before retrying. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
