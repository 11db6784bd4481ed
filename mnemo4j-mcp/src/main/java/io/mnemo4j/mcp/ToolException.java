package io.mnemo4j.mcp;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A refusal the core has no exception for ({@code forbidden}, {@code not_implemented}): turned into
 * a tool error with this code, message and argument. Immutable.
 */
final class ToolException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String code;
  private final @Nullable String field;

  ToolException(String code, String message, @Nullable String field) {
    super(message, null, false, false);
    this.code = code;
    this.field = field;
  }

  /** The message: never null, the constructor takes one. */
  @Override
  public String getMessage() {
    return Objects.requireNonNull(super.getMessage());
  }

  String code() {
    return code;
  }

  @Nullable String field() {
    return field;
  }
}
