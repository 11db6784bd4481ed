package io.mnemo4j.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.AddResult;
import io.mnemo4j.EventType;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryEvent;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import org.jspecify.annotations.Nullable;

/**
 * The JSON the tools answer with: the shapes of Mem0's Platform API (what Mem0's MCP server passes
 * through), so an agent reads the same fields. Stateless.
 */
final class Shapes {
  /** ISO-8601 UTC text of an instant (what Mem0's clients parse), or null. */
  static @Nullable String time(@Nullable Instant t) {
    return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t);
  }

  static final ObjectMapper MAPPER = new ObjectMapper();

  private Shapes() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** A memory as Mem0 returns it. */
  static ObjectNode memory(Memory m) {
    ObjectNode n = object();
    n.put("id", m.id());
    n.put("memory", m.text());
    n.put("hash", m.hash());
    n.put("user_id", m.scope().userId());
    n.put("agent_id", m.scope().agentId());
    n.putNull("app_id");
    n.put("run_id", m.scope().runId());
    n.set("metadata", MAPPER.valueToTree(m.metadata()));
    n.set("categories", MAPPER.valueToTree(m.categories()));
    n.put("created_at", Shapes.time(m.createdAt()));
    n.put("updated_at", Shapes.time(m.updatedAt()));
    n.put("expiration_date", m.expiresAt() == null ? null : m.expiresAt().toString());
    // Beyond Mem0's shape: the raw messages it came from, which a user may ask to erase.
    ObjectNode provenance = n.putObject("provenance");
    provenance.put("source", m.provenance().source());
    m.provenance().messageIds().forEach(provenance.putArray("message_ids")::add);
    return n;
  }

  /**
   * An add's answer: Mem0's results list (no-op decisions left out, as Mem0 does), with a message
   * saying in words what happened, so an agent seeing no result knows why.
   */
  static ObjectNode added(AddResult result) {
    ObjectNode root = object();
    ArrayNode results = root.putArray("results");
    int added = 0;
    int updated = 0;
    int deleted = 0;
    int unchanged = 0;
    for (MemoryEvent e : result.events()) {
      switch (e.event()) {
        case ADD -> added++;
        case UPDATE -> updated++;
        case DELETE -> deleted++;
        case NONE -> unchanged++;
      }
      if (e.event() == EventType.NONE) {
        continue;
      }
      ObjectNode r = results.addObject();
      r.put("id", e.id());
      r.put("memory", e.memory());
      r.put("event", e.event().name());
      r.putObject("data").put("memory", e.memory());
      if (e instanceof MemoryEvent.Updated u) {
        r.put("previous_memory", u.previous());
      }
    }
    root.put("message", summary(added, updated, deleted, unchanged));
    root.put("status", "SUCCEEDED");
    root.put("inferred", result.inferred());
    if (result.fallbackReason() != null) {
      root.put("fallback_reason", result.fallbackReason());
    }
    return root;
  }

  private static String summary(int added, int updated, int deleted, int unchanged) {
    StringBuilder sb = new StringBuilder();
    append(sb, added, "memory added", "memories added");
    append(sb, updated, "memory updated", "memories updated");
    append(sb, deleted, "memory deleted", "memories deleted");
    if (sb.isEmpty()) {
      return unchanged > 0 ? "nothing new: this is already remembered" : "nothing to remember";
    }
    if (unchanged > 0) {
      sb.append("; ").append(unchanged).append(" already remembered");
    }
    return sb.toString();
  }

  private static void append(StringBuilder sb, int n, String one, String many) {
    if (n > 0) {
      sb.append(sb.isEmpty() ? "" : ", ").append(n).append(' ').append(n == 1 ? one : many);
    }
  }

  /** A one-field answer {@code {"message": ...}}. */
  static ObjectNode message(String text) {
    ObjectNode n = object();
    n.put("message", text);
    return n;
  }
}
