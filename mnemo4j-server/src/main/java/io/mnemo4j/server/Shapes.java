package io.mnemo4j.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.json.WireJson;
import io.mnemo4j.spi.ApiKey;

/**
 * The native JSON shapes: snake_case, ISO-8601 UTC times, the same field names as the CLI's {@code
 * --json} output. Stateless and thread-safe.
 */
final class Shapes {
  private Shapes() {}

  static ObjectNode key(ApiKey k) {
    ObjectNode n = Json.object();
    n.put("id", k.id());
    n.put("tenant", k.tenant() == null ? null : k.tenant().value());
    n.put("user_id", k.userId());
    n.put("created_at", WireJson.time(k.createdAt()));
    return n;
  }
}
