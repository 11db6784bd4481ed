package io.mnemo4j;

/** The request clashes with existing state, for example creating a tenant whose id is taken. */
public final class ConflictException extends MnemoException {
  private static final long serialVersionUID = 1L;

  /** Creates a conflict error naming the clashing id. */
  public ConflictException(String message) {
    super(message);
  }
}
