package io.mnemo4j.server;

import io.javalin.http.Context;
import io.mnemo4j.InvalidRequestException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Query parameters of the native and Mem0 routes: booleans, integers and the check that refuses
 * unknown or repeated parameters. Every failure is a 400 naming the parameter. Stateless and
 * thread-safe.
 */
final class QueryParams {
  private QueryParams() {}

  /** {@code true}/{@code 1} or {@code false}/{@code 0}/empty; absent is false. */
  static boolean bool(Context ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return false;
    }
    return switch (v) {
      case "true", "1" -> true;
      case "false", "0", "" -> false;
      default -> throw new InvalidRequestException(name, name + " must be true or false");
    };
  }

  /** An integer parameter, or {@code dflt} when absent. */
  static int integer(Context ctx, String name, int dflt) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(name, name + " must be an integer");
    }
  }

  /** Refuses unknown and repeated query parameters, naming them. */
  static void checkOnly(Context ctx, Set<String> allowed) {
    for (Map.Entry<String, List<String>> e : ctx.queryParamMap().entrySet()) {
      if (!allowed.contains(e.getKey())) {
        throw new InvalidRequestException(
            Ids.clip(e.getKey()),
            "unknown query parameter '"
                + Ids.clip(e.getKey())
                + "'; allowed: "
                + allowed.stream().sorted().toList());
      }
      if (e.getValue().size() > 1) {
        throw new InvalidRequestException(
            e.getKey(), "query parameter '" + e.getKey() + "' is given more than once");
      }
    }
  }
}
