package io.mnemo4j.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.AddResult;
import io.mnemo4j.AddStatus;
import io.mnemo4j.EventType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Hit;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryEvent;
import io.mnemo4j.TenantId;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The JSON shapes of Mem0's Platform API, as its official clients read them: memories with {@code
 * hash} and {@code app_id}, add results with {@code data}, events with {@code latency}, pages with
 * {@code count}/{@code next}/{@code previous}. Stateless and thread-safe.
 */
final class Mem0Shapes {
  private Mem0Shapes() {}

  /** A memory as Mem0 returns it. */
  static ObjectNode memory(Memory m) {
    ObjectNode n = Json.object();
    n.put("id", m.id());
    n.put("memory", m.text());
    n.put("hash", m.hash());
    n.put("user_id", m.scope().userId());
    n.put("agent_id", m.scope().agentId());
    n.putNull("app_id");
    n.put("run_id", m.scope().runId());
    n.set("metadata", Json.OUT.valueToTree(m.metadata()));
    n.set("categories", Json.OUT.valueToTree(m.categories()));
    n.put("created_at", WireJson.time(m.createdAt()));
    n.put("updated_at", WireJson.time(m.updatedAt()));
    n.put("expiration_date", m.expiresAt() == null ? null : m.expiresAt().toString());
    // Not Mem0's: its clients ignore fields they do not know, and a user can act on this one.
    n.set("provenance", WireJson.provenance(m.provenance()));
    return n;
  }

  /** A search hit: the memory plus {@code score} and {@code similarity}. */
  static ObjectNode hit(Hit h) {
    ObjectNode m = memory(h.memory());
    m.put("score", h.score());
    m.put("similarity", h.similarity());
    return m;
  }

  /** The add results as Mem0 lists them: no-op (NONE) decisions are left out. */
  static ArrayNode addResults(AddResult result) {
    ArrayNode results = JsonNodeFactory.instance.arrayNode();
    for (MemoryEvent e : result.events()) {
      if (e.event() != EventType.NONE) {
        ObjectNode r = Json.object();
        r.put("id", e.id());
        r.put("memory", e.memory());
        r.put("event", e.event().name());
        r.putObject("data").put("memory", e.memory());
        if (e instanceof MemoryEvent.Updated u) {
          r.put("previous_memory", u.previous());
        }
        results.add(r);
      }
    }
    return results;
  }

  /** The answer to an add queued with {@code async_mode}. */
  static ObjectNode queued(AddStatus status) {
    ObjectNode queued = Json.object();
    queued.put("message", "Memory processing has been queued for background execution");
    queued.put("status", status.status().wireName());
    queued.put("event_id", status.id());
    return queued;
  }

  /** An add operation as {@code GET /v1/event/{event_id}/} reports it. */
  static ObjectNode event(AddStatus s) {
    ObjectNode n = Json.object();
    n.put("id", s.id());
    n.put("event_type", "ADD");
    n.put("status", s.status().wireName());
    n.set(
        "results",
        s.result() == null ? JsonNodeFactory.instance.arrayNode() : addResults(s.result()));
    n.put("created_at", WireJson.time(s.createdAt()));
    n.put("updated_at", WireJson.time(s.updatedAt()));
    boolean finished = s.status().finished();
    n.put("completed_at", finished ? WireJson.time(s.updatedAt()) : null);
    if (finished) {
      n.put("latency", Duration.between(s.createdAt(), s.updatedAt()).toMillis());
    } else {
      n.putNull("latency");
    }
    if (s.result() != null) {
      n.put("inferred", s.result().inferred());
      n.put("fallback_reason", s.result().fallbackReason());
    }
    if (s.errorCode() != null || s.errorMessage() != null) {
      ObjectNode err = n.putObject("error");
      err.put("code", s.errorCode() == null ? "internal" : s.errorCode());
      err.put("message", s.errorMessage() == null ? "the add failed" : s.errorMessage());
    }
    return n;
  }

  /**
   * One history entry; {@code user_id} and {@code categories} come from the memory while it lives
   * ({@code live}), as Mem0 reports them.
   */
  static ObjectNode history(HistoryEntry h, Optional<Memory> live) {
    ObjectNode n = Json.object();
    n.put("id", h.id());
    n.put("memory_id", h.memoryId());
    n.putArray("input");
    n.put("old_memory", h.oldText());
    n.put("new_memory", h.newText());
    n.put("user_id", live.map(m -> m.scope().userId()).orElse(null));
    n.set("categories", Json.OUT.valueToTree(live.map(Memory::categories).orElse(List.of())));
    n.put("event", h.event().name());
    n.put("actor", h.actor());
    n.put("created_at", WireJson.time(h.at()));
    n.put("updated_at", WireJson.time(h.at()));
    return n;
  }

  /** One user, agent or run of {@code GET /v1/entities/}, owned by the tenant. */
  static ObjectNode entity(Mem0Entities.Entity e, TenantId owner) {
    ObjectNode n = Json.object();
    n.put("id", e.name());
    n.put("name", e.name());
    n.put("type", e.type());
    n.put("total_memories", e.count());
    n.put("owner", owner.value());
    n.put("created_at", WireJson.time(e.created()));
    n.put("updated_at", WireJson.time(e.updated()));
    return n;
  }

  /** {@code {"message": text}}, Mem0's answer to a write that returns nothing else. */
  static ObjectNode message(String text) {
    ObjectNode n = Json.object();
    n.put("message", text);
    return n;
  }
}
