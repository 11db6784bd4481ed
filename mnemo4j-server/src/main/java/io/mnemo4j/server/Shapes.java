package io.mnemo4j.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Hit;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryEvent;
import io.mnemo4j.PurgeReceipt;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.spi.ApiKey;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The native JSON shapes: snake_case, ISO-8601 UTC times, the same field names as the CLI's {@code --json} output.
 * Stateless and thread-safe.
 */
final class Shapes {
  private Shapes() {}

  static @Nullable String time(@Nullable Instant t) {
    return t == null ? null : t.toString();
  }

  static ObjectNode event(MemoryEvent e) {
    ObjectNode n = Json.object();
    n.put("id", e.id());
    n.put("memory", e.memory());
    n.put("event", e.event().name());
    if (e instanceof MemoryEvent.Updated u) {
      n.put("previous_memory", u.previous());
    }
    return n;
  }

  static ObjectNode events(List<MemoryEvent> events) {
    ObjectNode root = Json.object();
    ArrayNode results = root.putArray("results");
    events.forEach(e -> results.add(event(e)));
    return root;
  }

  static ObjectNode memory(Memory m) {
    ObjectNode n = Json.object();
    n.put("id", m.id());
    n.put("memory", m.text());
    n.put("user_id", m.scope().userId());
    n.put("agent_id", m.scope().agentId());
    n.put("run_id", m.scope().runId());
    n.set("metadata", Json.OUT.valueToTree(m.metadata()));
    n.set("categories", Json.OUT.valueToTree(m.categories()));
    n.put("actor", m.actor());
    n.put("role", m.role() == null ? null : m.role().wireName());
    n.put("created_at", time(m.createdAt()));
    n.put("updated_at", time(m.updatedAt()));
    if (m.expiresAt() != null) {
      n.put("expires_at", time(m.expiresAt()));
    }
    return n;
  }

  static ObjectNode hit(Hit h) {
    ObjectNode n = memory(h.memory());
    n.put("score", h.score());
    n.put("origin", h.origin().name().toLowerCase(Locale.ROOT));
    return n;
  }

  static ObjectNode history(HistoryEntry h) {
    ObjectNode n = Json.object();
    n.put("id", h.id());
    n.put("memory_id", h.memoryId());
    n.put("event", h.event().name());
    n.put("old_memory", h.oldText());
    n.put("new_memory", h.newText());
    n.put("actor", h.actor());
    n.put("created_at", time(h.at()));
    return n;
  }

  static ObjectNode tenant(TenantInfo t) {
    ObjectNode n = Json.object();
    n.put("id", t.id().value());
    n.put("region", t.region());
    n.put("created_at", time(t.createdAt()));
    return n;
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
    ObjectNode n = Json.object();
    n.put("tenant", r.tenant());
    n.put("region", r.region());
    n.put("memories", r.memories());
    n.put("history_rows", r.historyRows());
    n.put("messages", r.messages());
    n.put("files", r.files());
    n.put("bytes", r.bytes());
    n.put("purged_at", time(r.purgedAt()));
    return n;
  }
}
