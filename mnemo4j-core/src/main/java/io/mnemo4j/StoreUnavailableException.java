package io.mnemo4j;

import org.jspecify.annotations.Nullable;

/**
 * A store could not serve the request: I/O failure, a closed store, a database that is down.
 * Retriable unless the store closed itself after an unrecoverable error, in which case every later
 * call fails with the original cause.
 */
public final class StoreUnavailableException extends MnemoException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with the underlying cause. */
  public StoreUnavailableException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  /** Creates the exception without a cause (for example a store used after close). */
  public StoreUnavailableException(String message) {
    super(message);
  }
}
