package io.mnemo4j;

import org.jspecify.annotations.Nullable;

/**
 * An embedding or language model failed. {@link #retriable()} says whether trying again may help.
 */
public final class ModelException extends MnemoException {
  private static final long serialVersionUID = 1L;
  private final boolean retriable;

  /**
   * Creates a model failure; {@code retriable} is true for timeouts, rate limits and server errors.
   */
  public ModelException(String message, boolean retriable, @Nullable Throwable cause) {
    super(message, cause);
    this.retriable = retriable;
  }

  /** Whether the same call may succeed when repeated. */
  public boolean retriable() {
    return retriable;
  }
}
