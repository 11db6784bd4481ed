package io.mnemo4j;

/** The request clashes with existing state, for example creating a tenant whose id is taken. */
public final class ConflictException extends MnemoException {
  private static final long serialVersionUID = 1L;

  private final @org.jspecify.annotations.Nullable String field;

  /** Creates a conflict error naming the clashing id. */
  public ConflictException(String message) {
    super(message);
    this.field = null;
  }

  /** Creates a conflict error about one request field (a JSON-style path). */
  public ConflictException(String field, String message) {
    super(message);
    this.field = java.util.Objects.requireNonNull(field, "field");
  }

  /** The request field the conflict is about, if it is about one. */
  public java.util.Optional<String> field() {
    return java.util.Optional.ofNullable(field);
  }
}
