package io.mnemo4j.internal.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.AddOptions;
import io.mnemo4j.AddResult;
import io.mnemo4j.EventType;
import io.mnemo4j.MemoryEvent;
import io.mnemo4j.Message;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.internal.util.Json;
import io.mnemo4j.llm.TokenUsage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The JSON an operation record holds: an add's request (so a restart can run a queued add again)
 * and its result (so a retried add, or a poll, gets the first answer). Private to the core; stores
 * keep it as opaque text. Stateless.
 */
final class AddCodec {
  /** Writes maps with sorted keys at every depth, so equal metadata always hashes alike. */
  private static final com.fasterxml.jackson.databind.ObjectMapper CANONICAL =
      Json.MAPPER
          .copy()
          .configure(
              com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private AddCodec() {}

  /**
   * A queued add, decoded.
   *
   * @param messages the messages
   * @param scope the scope
   * @param options the options
   */
  record Request(List<Message> messages, Scope scope, AddOptions options) {}

  static String request(List<Message> messages, Scope scope, AddOptions options) {
    ObjectNode root = Json.object();
    ArrayNode ms = root.putArray("messages");
    for (Message m : messages) {
      ObjectNode o = ms.addObject().put("role", m.role().wireName()).put("content", m.content());
      if (m.name() != null) {
        o.put("name", m.name());
      }
      if (!m.metadata().isEmpty()) {
        o.set("metadata", Json.MAPPER.valueToTree(m.metadata()));
      }
    }
    root.set("scope", scopeJson(scope));
    ObjectNode op = root.putObject("options");
    op.set("metadata", Json.MAPPER.valueToTree(options.metadata()));
    op.set("categories", Json.MAPPER.valueToTree(options.categories()));
    op.put("expires_at", Json.time(options.expiresAt()));
    // The record's wire form predates the enum: true, false, or absent for AUTO.
    if (options.infer() != AddOptions.Infer.AUTO) {
      op.put("infer", options.infer() == AddOptions.Infer.ON);
    }
    op.put("idempotency_key", options.idempotencyKey());
    op.put("session_date", Json.time(options.sessionDate()));
    op.put("instructions", options.instructions());
    op.put("procedural", options.procedural());
    options.nearDuplicateThreshold().ifPresent(t -> op.put("near_duplicate_threshold", t));
    root.put("fingerprint", fingerprint(messages, scope, options));
    return root.toString();
  }

  /**
   * What a synchronous add's record keeps of its request: the scope (who may poll it) and the
   * fingerprint (what its idempotency key is bound to). The messages themselves are already stored
   * as raw messages; a finished add never runs again. The fingerprint is the one the add computed
   * once ({@link #fingerprint(List, Scope, AddOptions)}): hashing the request twice cost about 3 %
   * of an add's own work in a profile of one message per add.
   */
  static String summary(Scope scope, String fingerprint) {
    ObjectNode root = Json.object();
    root.set("scope", scopeJson(scope));
    root.put("fingerprint", fingerprint);
    return root.toString();
  }

  /**
   * A hash of everything that makes an add what it is (messages, scope, options), the idempotency
   * key aside: a key reused for another request is recognised by it.
   */
  static String fingerprint(List<Message> messages, Scope scope, AddOptions options) {
    ObjectNode root = Json.object();
    ArrayNode ms = root.putArray("messages");
    for (Message m : messages) {
      ObjectNode o = ms.addObject().put("role", m.role().wireName()).put("content", m.content());
      o.put("name", m.name());
      o.set("metadata", CANONICAL.valueToTree(m.metadata()));
    }
    root.set("scope", scopeJson(scope));
    ObjectNode op = root.putObject("options");
    op.set("metadata", CANONICAL.valueToTree(options.metadata()));
    op.set("categories", Json.MAPPER.valueToTree(options.categories()));
    op.put("expires_at", Json.time(options.expiresAt()));
    op.put("infer", options.infer().name());
    op.put("session_date", Json.time(options.sessionDate()));
    op.put("instructions", options.instructions());
    op.put("procedural", options.procedural());
    if (options.nearDuplicateThreshold().isPresent()) {
      op.put("near_duplicate_threshold", options.nearDuplicateThreshold().getAsDouble());
    }
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(
                  Json.MAPPER
                      .writeValueAsString(root)
                      .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest);
    } catch (JsonProcessingException | java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot fingerprint an add", e);
    }
  }

  /** The scope a record's request was made in (every record has one). */
  static Scope scope(String requestJson) {
    JsonNode sc = read(requestJson).path("scope");
    return Scope.of(text(sc, "user_id"), text(sc, "agent_id"), text(sc, "run_id"));
  }

  /** The fingerprint a record's request carries, if it was recorded with one. */
  static java.util.Optional<String> fingerprint(String requestJson) {
    return java.util.Optional.ofNullable(text(read(requestJson), "fingerprint"));
  }

  private static ObjectNode scopeJson(Scope scope) {
    ObjectNode sc = Json.object();
    scope.user().ifPresent(v -> sc.put("user_id", v));
    scope.agent().ifPresent(v -> sc.put("agent_id", v));
    scope.run().ifPresent(v -> sc.put("run_id", v));
    return sc;
  }

  @SuppressWarnings("unchecked")
  static Request request(String json) {
    JsonNode root = read(json);
    List<Message> messages = new ArrayList<>();
    for (JsonNode m : root.get("messages")) {
      Map<String, Object> md =
          m.has("metadata") ? Json.MAPPER.convertValue(m.get("metadata"), Map.class) : Map.of();
      messages.add(
          new Message(
              Role.parse("role", m.get("role").asText()),
              m.get("content").asText(),
              m.hasNonNull("name") ? m.get("name").asText() : null,
              md));
    }
    JsonNode sc = root.get("scope");
    Scope scope = Scope.of(text(sc, "user_id"), text(sc, "agent_id"), text(sc, "run_id"));
    JsonNode op = root.get("options");
    AddOptions options =
        new AddOptions(
            Json.MAPPER.convertValue(op.get("metadata"), Map.class),
            Json.MAPPER.convertValue(op.get("categories"), List.class),
            time(op, "expires_at"),
            !op.hasNonNull("infer")
                ? AddOptions.Infer.AUTO
                : op.get("infer").asBoolean() ? AddOptions.Infer.ON : AddOptions.Infer.OFF,
            text(op, "idempotency_key"),
            time(op, "session_date"),
            text(op, "instructions"),
            op.path("procedural").asBoolean(false),
            op.hasNonNull("near_duplicate_threshold")
                ? java.util.OptionalDouble.of(op.get("near_duplicate_threshold").asDouble())
                : java.util.OptionalDouble.empty());
    return new Request(messages, scope, options);
  }

  static String result(AddResult r) {
    ObjectNode root = Json.object();
    ArrayNode results = root.putArray("results");
    for (MemoryEvent e : r.events()) {
      ObjectNode n = results.addObject();
      n.put("id", e.id());
      n.put("memory", e.memory());
      n.put("event", e.event().name());
      if (e instanceof MemoryEvent.Updated u) {
        n.put("previous_memory", u.previous());
      }
      if (e instanceof MemoryEvent.Unchanged u && u.reason() != null) {
        n.put("reason", u.reason());
      }
    }
    root.put("inferred", r.inferred());
    root.put("fallback_reason", r.fallbackReason());
    root.putObject("usage")
        .put("input_tokens", r.usage().inputTokens())
        .put("output_tokens", r.usage().outputTokens())
        .put("calls", r.usage().calls());
    if (r.truncation().any()) {
      root.putObject("truncated")
          .put("facts_dropped", r.truncation().factsDropped())
          .put("facts_shortened", r.truncation().factsShortened());
    }
    return root.toString();
  }

  static AddResult result(String json, String eventId) {
    JsonNode root = read(json);
    List<MemoryEvent> events = new ArrayList<>();
    for (JsonNode e : root.get("results")) {
      String id = e.path("id").asText();
      String memory = e.path("memory").asText();
      events.add(
          switch (EventType.valueOf(e.get("event").asText())) {
            case ADD -> new MemoryEvent.Added(id, memory);
            case UPDATE -> new MemoryEvent.Updated(id, memory, e.path("previous_memory").asText());
            case DELETE -> new MemoryEvent.Deleted(id, memory);
            case NONE -> new MemoryEvent.Unchanged(id, memory, text(e, "reason"));
          });
    }
    JsonNode u = root.path("usage");
    return new AddResult(
        events,
        root.path("inferred").asBoolean(),
        text(root, "fallback_reason"),
        new TokenUsage(
            u.path("input_tokens").asLong(),
            u.path("output_tokens").asLong(),
            u.path("calls").asInt()),
        eventId,
        false,
        new AddResult.Truncation(
            root.path("truncated").path("facts_dropped").asInt(0),
            root.path("truncated").path("facts_shortened").asInt(0)));
  }

  static String error(String code, String message) {
    ObjectNode root = Json.object();
    root.putObject("error").put("code", code).put("message", message);
    return root.toString();
  }

  private static JsonNode read(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable operation record", e);
    }
  }

  private static @Nullable String text(JsonNode node, String field) {
    return node.hasNonNull(field) ? node.get(field).asText() : null;
  }

  private static @Nullable Instant time(JsonNode node, String field) {
    return node.hasNonNull(field) ? Instant.parse(node.get(field).asText()) : null;
  }
}
