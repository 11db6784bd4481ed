package io.mnemo4j;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Root of every exception Mnemo4j throws: invalid request, not found, conflict, overloaded, store
 * unavailable, model failure (of the embedder, {@link ModelException}, or of a language model,
 * {@link io.mnemo4j.llm.LanguageModelException}). Catch it to catch everything Mnemo4j throws.
 * Messages name ids, fields and settings, never memory text or keys.
 *
 * <p>Instances are immutable and thread-safe.
 */
public abstract class MnemoException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message that names ids or settings, never memory text. */
  protected MnemoException(String message) {
    super(message);
  }

  /** Creates an exception wrapping its cause. */
  protected MnemoException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  /** The message: never null, every constructor takes one. */
  @Override
  public String getMessage() {
    return Objects.requireNonNull(super.getMessage());
  }
}
