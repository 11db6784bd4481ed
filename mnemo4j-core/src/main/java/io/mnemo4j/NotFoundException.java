package io.mnemo4j;

/**
 * The thing asked for does not exist <em>for this caller</em>: a memory id of another tenant or
 * scope gets exactly this answer too, so the exception never confirms that an id exists elsewhere.
 */
public final class NotFoundException extends MnemoException {
  private static final long serialVersionUID = 1L;

  /** Creates a not-found error naming what was looked up (an id, never text). */
  public NotFoundException(String message) {
    super(message);
  }
}
