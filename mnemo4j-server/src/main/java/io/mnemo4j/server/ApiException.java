package io.mnemo4j.server;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP-level refusal that the core has no exception for (401, 403, 413, 501...). Thrown by
 * handlers and turned into the JSON error body by {@link ErrorMapper}; handlers never write error
 * bodies themselves. Immutable.
 */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String code;
  private final @Nullable String field;

  ApiException(int status, String code, String message, @Nullable String field) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  /** The message: never null, the constructor takes one. */
  @Override
  public String getMessage() {
    return Objects.requireNonNull(super.getMessage());
  }

  static ApiException unauthorized(String message) {
    return new ApiException(401, "unauthorized", message, null);
  }

  static ApiException forbidden(String message) {
    return new ApiException(403, "forbidden", message, null);
  }

  static ApiException notImplemented(String feature) {
    return new ApiException(501, "not_implemented", feature + " is not supported by Mnemo4j", null);
  }

  static ApiException notImplemented(String feature, String field) {
    return new ApiException(
        501, "not_implemented", feature + " is not supported by Mnemo4j", field);
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  @Nullable String field() {
    return field;
  }
}
