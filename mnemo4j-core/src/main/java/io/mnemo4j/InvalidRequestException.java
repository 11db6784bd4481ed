package io.mnemo4j;

/**
 * The caller sent something we refuse: a bad tenant id, an unknown filter operator, a forbidden
 * metadata key. Carries the name of the offending field so a server can answer 400 naming it and a
 * CLI can print it.
 */
public final class InvalidRequestException extends MnemoException {
  private static final long serialVersionUID = 1L;
  private final String field;

  /**
   * Creates the exception for {@code field} (a JSON-style path such as {@code
   * filters.AND[0].score}).
   */
  public InvalidRequestException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** The offending field, as a JSON-style path. */
  public String field() {
    return field;
  }
}
