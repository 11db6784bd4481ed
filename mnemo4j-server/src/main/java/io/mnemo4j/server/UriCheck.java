package io.mnemo4j.server;

import io.javalin.http.Context;
import io.mnemo4j.InvalidRequestException;
import org.jspecify.annotations.Nullable;

/**
 * Checks the raw request target before any route decodes it. A malformed percent escape (such as
 * the IIS-style {@code %u0041}) in the path or the query string makes the URL decoder throw while
 * Javalin extracts path or query parameters, which would surface as a 500 with a logged stack
 * trace; here it is a 400 naming {@code path} or {@code query}. Stateless and thread-safe.
 */
final class UriCheck {
  private UriCheck() {}

  /** A before-handler: refuses a request whose path or query holds a malformed escape. */
  static void check(Context ctx) {
    if (!wellEscaped(ctx.req().getRequestURI())) {
      throw new InvalidRequestException(
          "path",
          "the request path holds a malformed percent escape; encode '%' as %25 and other"
              + " characters as %XX with two hexadecimal digits");
    }
    if (!wellEscaped(ctx.queryString())) {
      throw new InvalidRequestException(
          "query",
          "the query string holds a malformed percent escape; encode '%' as %25 and other"
              + " characters as %XX with two hexadecimal digits");
    }
  }

  /** Whether every {@code %} in {@code raw} starts a two-hex-digit escape. */
  static boolean wellEscaped(@Nullable String raw) {
    if (raw == null) {
      return true;
    }
    for (int i = raw.indexOf('%'); i >= 0; i = raw.indexOf('%', i + 1)) {
      if (i + 2 >= raw.length() || !hex(raw.charAt(i + 1)) || !hex(raw.charAt(i + 2))) {
        return false;
      }
    }
    return true;
  }

  private static boolean hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
