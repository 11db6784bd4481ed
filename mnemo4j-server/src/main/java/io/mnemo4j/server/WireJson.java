package io.mnemo4j.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.ErasureReceipt;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Hit;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryEvent;
import io.mnemo4j.PurgeReceipt;
import io.mnemo4j.TenantInfo;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The one rendering of Mnemo4j values as JSON (snake_case, times ISO-8601 UTC, unset ids as null),
 * so the CLI's {@code --json} output and the server's native routes cannot drift apart. Stateless,
 * thread-safe.
 */
public final class WireJson {
  /** The mapper used for values (metadata maps, lists). */
  public static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private WireJson() {}

  /** A new empty object node. */
  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** ISO-8601 UTC text of an instant, or null. */
  public static @Nullable String time(@Nullable Instant t) {
    return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t);
  }

  /**
   * {@code
   * {"id","memory","user_id","agent_id","run_id","metadata","categories","actor","role","created_at",
   * "updated_at","memory_type","inferred","valid_from","valid_to","provenance"}} plus {@code
   * expires_at} when set; {@code provenance} is {@link #provenance}.
   */
  public static ObjectNode memory(Memory m) {
    ObjectNode n = object();
    n.put("id", m.id());
    n.put("memory", m.text());
    n.put("user_id", m.scope().userId());
    n.put("agent_id", m.scope().agentId());
    n.put("run_id", m.scope().runId());
    n.set("metadata", MAPPER.valueToTree(m.metadata()));
    n.set("categories", MAPPER.valueToTree(m.categories()));
    n.put("actor", m.actor());
    n.put("role", m.role() == null ? null : m.role().wireName());
    n.put("created_at", time(m.createdAt()));
    n.put("updated_at", time(m.updatedAt()));
    n.put("memory_type", m.type().wireName());
    n.put("inferred", m.inferred());
    n.put("valid_from", time(m.validFrom()));
    n.put("valid_to", time(m.validTo()));
    if (m.expiresAt() != null) {
      n.put("expires_at", time(m.expiresAt()));
    }
    n.set("provenance", provenance(m.provenance()));
    return n;
  }

  /**
   * {@code {"source","message_ids"}}: how a memory was made ({@code verbatim} or {@code inferred})
   * and the ids of the raw messages it came from, which {@code DELETE /v1/messages/{id}} erases.
   */
  public static ObjectNode provenance(Memory.Provenance p) {
    ObjectNode n = object();
    n.put("source", p.source());
    ArrayNode ids = n.putArray("message_ids");
    p.messageIds().forEach(ids::add);
    return n;
  }

  /** {@code {"messages","memories","memories_kept"}}: what erasing messages removed. */
  public static ObjectNode erasure(ErasureReceipt r) {
    ObjectNode n = object();
    n.put("messages", r.messages());
    n.put("memories", r.memories());
    n.put("memories_kept", r.memoriesKept());
    return n;
  }

  /**
   * A memory plus {@code score}, {@code similarity} and {@code origin} ({@code scope} or {@code
   * tenant_wide}).
   */
  public static ObjectNode hit(Hit h) {
    ObjectNode n = memory(h.memory());
    n.put("score", h.score());
    n.put("similarity", h.similarity());
    n.put("origin", h.origin().name().toLowerCase(Locale.ROOT));
    return n;
  }

  /** {@code {"results":[hit...]}}. */
  public static ObjectNode hits(List<Hit> hits) {
    ObjectNode root = object();
    ArrayNode results = root.putArray("results");
    hits.forEach(h -> results.add(hit(h)));
    return root;
  }

  /** {@code {"id","memory","event"}}, plus {@code previous_memory} for an update. */
  public static ObjectNode event(MemoryEvent e) {
    ObjectNode n = object();
    n.put("id", e.id());
    n.put("memory", e.memory());
    n.put("event", e.event().name());
    if (e instanceof MemoryEvent.Updated u) {
      n.put("previous_memory", u.previous());
    }
    if (e instanceof MemoryEvent.Unchanged u && u.reason() != null) {
      n.put("reason", u.reason());
    }
    return n;
  }

  /** {@code {"results":[event...]}}. */
  public static ObjectNode events(List<MemoryEvent> events) {
    ObjectNode root = object();
    ArrayNode results = root.putArray("results");
    events.forEach(e -> results.add(event(e)));
    return root;
  }

  /** {@code {"id","memory_id","event","old_memory","new_memory","actor","created_at","reason"}}. */
  public static ObjectNode history(HistoryEntry h) {
    ObjectNode n = object();
    n.put("id", h.id());
    n.put("memory_id", h.memoryId());
    n.put("event", h.event().name());
    n.put("old_memory", h.oldText());
    n.put("new_memory", h.newText());
    n.put("actor", h.actor());
    n.put("created_at", time(h.at()));
    n.put("reason", h.reason());
    return n;
  }

  /** {@code {"id","region","shard","created_at"}}. */
  public static ObjectNode tenant(TenantInfo t) {
    ObjectNode n = object();
    n.put("id", t.id().value());
    n.put("region", t.region());
    n.put("shard", t.shard());
    n.put("created_at", time(t.createdAt()));
    return n;
  }

  /**
   * {@code {"tenant","region","memories","history_rows","messages","files","bytes","purged_at"}}.
   */
  public static ObjectNode receipt(PurgeReceipt r) {
    ObjectNode n = object();
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

  /** A move's receipt, both sides. */
  public static ObjectNode move(io.mnemo4j.MoveReceipt r) {
    ObjectNode n = object();
    n.put("tenant", r.tenant());
    n.put("outcome", r.outcome());
    n.set("from", side(r.from()));
    n.set("to", side(r.to()));
    n.put("bytes_purged", r.bytesPurged());
    n.put("seconds", r.took().toNanos() / 1e9);
    return n;
  }

  private static ObjectNode side(io.mnemo4j.MoveReceipt.Side s) {
    ObjectNode n = object();
    n.put("region", s.region());
    n.put("shard", s.shard());
    ObjectNode counts = n.putObject("counts");
    new java.util.TreeMap<>(s.counts()).forEach(counts::put);
    ObjectNode checksums = n.putObject("checksums");
    new java.util.TreeMap<>(s.checksums()).forEach(checksums::put);
    return n;
  }
}
