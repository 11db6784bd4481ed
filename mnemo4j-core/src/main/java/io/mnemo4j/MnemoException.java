package io.mnemo4j;

/**
 * Root of every exception Mnemo4j throws. Messages name ids, fields and settings, never memory text
 * or keys.
 *
 * <p>Instances are immutable and thread-safe.
 */
public class MnemoException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message that names ids or settings, never memory text. */
  public MnemoException(String message) {
    super(message);
  }

  /** Creates an exception wrapping its cause. */
  public MnemoException(String message, Throwable cause) {
    super(message, cause);
  }
}
