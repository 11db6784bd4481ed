package io.mnemo4j.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Hit;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryEvent;
import io.mnemo4j.PurgeReceipt;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.json.WireJson;
import io.mnemo4j.spi.ApiKey;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The native JSON shapes: snake_case, ISO-8601 UTC times, the same field names as the CLI's {@code
 * --json} output. Stateless and thread-safe.
 */
final class Shapes {
  private Shapes() {}

  static @Nullable String time(@Nullable Instant t) {
    return WireJson.time(t);
  }

  static ObjectNode event(MemoryEvent e) {
    return WireJson.event(e);
  }

  static ObjectNode events(List<MemoryEvent> events) {
    return WireJson.events(events);
  }

  static ObjectNode memory(Memory m) {
    return WireJson.memory(m);
  }

  static ObjectNode hit(Hit h) {
    return WireJson.hit(h);
  }

  static ObjectNode history(HistoryEntry h) {
    return WireJson.history(h);
  }

  static ObjectNode tenant(TenantInfo t) {
    return WireJson.tenant(t);
  }

  static ObjectNode key(ApiKey k) {
    ObjectNode n = Json.object();
    n.put("id", k.id());
    n.put("tenant", k.tenant() == null ? null : k.tenant().value());
    n.put("user_id", k.userId());
    n.put("created_at", time(k.createdAt()));
    return n;
  }

  static ObjectNode receipt(PurgeReceipt r) {
    return WireJson.receipt(r);
  }
}
