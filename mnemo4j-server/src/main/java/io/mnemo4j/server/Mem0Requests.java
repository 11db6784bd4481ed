package io.mnemo4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo4j.AddOptions;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Message;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Request DTOs of the Mem0-compatible routes, parsed by {@link Json#LENIENT}: fields Mem0 clients
 * send that Mnemo4j does not use ({@code output_format}, {@code version}, {@code org_id}, {@code
 * project_id}, {@code custom_categories}...) are ignored, not refused. Fields declared here as
 * {@link JsonNode} are interpreted (or deliberately ignored) by the parsing below, which turns
 * Mem0's looser fields into core values with a 400 naming the field. Records are immutable; the
 * parsing is stateless and thread-safe.
 */
final class Mem0Requests {
  /** Most items in one batch request, as in Mem0. */
  static final int MAX_BATCH = 1000;

  private Mem0Requests() {}

  /**
   * {@code POST /v3/memories/add/} and the legacy {@code POST /v1/memories/}.
   *
   * @param messages a string, one message object, or an array of {@code {role, content, name}}
   * @param userId user scope
   * @param agentId agent scope
   * @param appId Mem0 app scope (not supported: refused when set)
   * @param runId run scope
   * @param metadata JSON object attached to each memory
   * @param infer Mem0's LLM extraction switch (default true: use the language model; without one
   *     the user's messages are stored verbatim and assistant/system messages kept as raw context;
   *     false stores every message given, exact duplicates aside)
   * @param outputFormat {@code v1.0} (bare list) or {@code v1.1} (results object), legacy route
   *     only
   * @param expirationDate {@code YYYY-MM-DD} or ISO date-time after which the memories are not
   *     returned
   * @param enableGraph graph memory switch (no graph: answered with empty {@code relations})
   * @param asyncMode true queues the add and answers with its event id (default false here:
   *     processed synchronously, unlike Mem0's platform default)
   * @param customInstructions per-call instructions to the model
   * @param includes what the model should remember in particular (added to the instructions)
   * @param excludes what the model must never remember (added to the instructions)
   * @param memoryType {@code procedural_memory} stores one procedure summarising an agent run
   * @param timestamp Unix seconds when the conversation took place (the session date)
   * @param nearDuplicateThreshold Mnemo4j extension: this add's near-duplicate threshold in (0, 1]
   *     (default: 1.0 with {@code infer: false}, as Mem0 stores every message then; the server's
   *     setting otherwise)
   */
  record Add(
      @Nullable JsonNode messages,
      @Nullable String userId,
      @Nullable String agentId,
      @Nullable String appId,
      @Nullable String runId,
      @Nullable JsonNode metadata,
      @Nullable Boolean infer,
      @Nullable String outputFormat,
      @Nullable String expirationDate,
      @Nullable Boolean enableGraph,
      @Nullable JsonNode asyncMode,
      @Nullable String customInstructions,
      @Nullable String includes,
      @Nullable String excludes,
      @Nullable String memoryType,
      @Nullable JsonNode timestamp,
      @Nullable Double nearDuplicateThreshold) {}

  /**
   * {@code POST /v3/memories/search/} and the legacy {@code POST /v2/memories/search/}, {@code
   * /v1/memories/search/}.
   *
   * @param query the query text
   * @param filters Mem0 v2 filters; top-level {@code user_id}/{@code agent_id}/{@code run_id}
   *     equalities set the scope
   * @param userId legacy top-level user scope
   * @param agentId legacy top-level agent scope
   * @param runId legacy top-level run scope
   * @param appId Mem0 app scope (not supported: refused when set)
   * @param topK maximum hits (default 10)
   * @param limit alias of top_k sent by some clients
   * @param threshold minimum similarity, the query-memory cosine (default 0)
   * @param metadata top-level metadata equality filter, ANDed with filters
   * @param categories top-level categories filter (any of), ANDed with filters
   * @param outputFormat {@code v1.1} gives a results object on legacy routes
   * @param enableGraph graph memory switch (answered with empty {@code relations})
   * @param rerank accepted and ignored (no reranker)
   * @param keywordSearch accepted and ignored (search is always hybrid)
   * @param asOf ISO-8601 date or date-time: search the memory as it was then
   * @param includeExpired also find memories past their expiration date
   */
  record Search(
      @Nullable String query,
      @Nullable JsonNode filters,
      @Nullable String userId,
      @Nullable String agentId,
      @Nullable String runId,
      @Nullable String appId,
      @Nullable Integer topK,
      @Nullable Integer limit,
      @Nullable Double threshold,
      @Nullable JsonNode metadata,
      @Nullable List<String> categories,
      @Nullable String outputFormat,
      @Nullable Boolean enableGraph,
      @Nullable JsonNode rerank,
      @Nullable JsonNode keywordSearch,
      @Nullable String asOf,
      @Nullable Boolean includeExpired) {}

  /**
   * {@code POST /v3/memories/} (get_all): filters in the body, {@code page}/{@code page_size} in
   * the query (or body).
   *
   * @param filters Mem0 v2 filters
   * @param userId legacy top-level user scope
   * @param agentId legacy top-level agent scope
   * @param runId legacy top-level run scope
   * @param appId Mem0 app scope (not supported: refused when set)
   * @param page 1-based page number
   * @param pageSize page size, 1 to 1000 (default 100)
   * @param categories categories filter (any of)
   * @param asOf ISO-8601 date or date-time: list the memory as it was then
   * @param includeExpired also list memories past their expiration date
   * @param startDate only memories created at or after this ISO-8601 date or date-time
   * @param endDate only memories created at or before this ISO-8601 date (the whole day) or
   *     date-time
   */
  record GetAll(
      @Nullable JsonNode filters,
      @Nullable String userId,
      @Nullable String agentId,
      @Nullable String runId,
      @Nullable String appId,
      @Nullable Integer page,
      @Nullable Integer pageSize,
      @Nullable List<String> categories,
      @Nullable String asOf,
      @Nullable Boolean includeExpired,
      @Nullable String startDate,
      @Nullable String endDate) {}

  /**
   * {@code PUT /v1/memories/{id}/}.
   *
   * @param text new text (default: unchanged)
   * @param metadata new metadata (default: unchanged)
   * @param expirationDate changing expiry is not supported (501 when set)
   * @param timestamp Mem0's new creation time; not supported (501 when set): created_at is system
   *     time here
   */
  record Update(
      @Nullable String text,
      @Nullable JsonNode metadata,
      @Nullable JsonNode expirationDate,
      @Nullable JsonNode timestamp) {}

  /**
   * One item of a batch.
   *
   * @param memoryId the memory
   * @param text new text (update)
   * @param metadata new metadata
   */
  record BatchItem(@Nullable String memoryId, @Nullable String text, @Nullable JsonNode metadata) {
    /** The memory id, which {@link #batchItems} requires of every item it returns. */
    String id() {
      return Objects.requireNonNull(memoryId, "batchItems checks memory_id");
    }
  }

  /**
   * {@code PUT|DELETE /v1/batch/}.
   *
   * @param memories at most 1000 items
   */
  record Batch(@Nullable List<BatchItem> memories) {}

  // ---- parsing ----

  /** Mem0's {@code messages}: a string, one message object, or an array of them. */
  static List<Message> messages(@Nullable JsonNode node) {
    if (node == null || node.isNull()) {
      throw new InvalidRequestException("messages", "messages is required");
    }
    if (node.isTextual()) {
      return List.of(Requests.message(0, null, node.asText(), null));
    }
    List<JsonNode> items = new ArrayList<>();
    if (node.isObject()) {
      items.add(node);
    } else if (node.isArray()) {
      node.forEach(items::add);
    } else {
      throw new InvalidRequestException(
          "messages", "messages must be a string, a message object or an array");
    }
    if (items.isEmpty()) {
      throw new InvalidRequestException("messages", "messages must not be empty");
    }
    if (items.size() > Requests.MAX_MESSAGES) {
      throw new InvalidRequestException(
          "messages", "at most " + Requests.MAX_MESSAGES + " messages per request");
    }
    List<Message> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      out.add(message(i, items.get(i)));
    }
    return out;
  }

  private static Message message(int i, JsonNode m) {
    String at = "messages[" + i + "]";
    if (!m.isObject()) {
      throw new InvalidRequestException(at, "a message must be an object with role and content");
    }
    JsonNode content = m.get("content");
    if (content != null && !content.isNull() && !content.isTextual()) {
      throw new InvalidRequestException(
          at + ".content", "message content must be a string; multimodal content is not supported");
    }
    return Requests.message(i, text(m, "role", at), text(m, "content", at), text(m, "name", at));
  }

  private static @Nullable String text(JsonNode obj, String name, String at) {
    JsonNode v = obj.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new InvalidRequestException(at + "." + name, at + "." + name + " must be a string");
    }
    return v.asText();
  }

  /**
   * Mem0's {@code expiration_date}: a bare date keeps the memory through that day (UTC); a
   * date-time is the instant itself.
   */
  static @Nullable Instant expiry(@Nullable String date) {
    if (date == null || date.isEmpty()) {
      return null;
    }
    return Requests.dateOrInstant("expiration_date", date, true);
  }

  /** Refuses Mem0's {@code app_id}: Mnemo4j has no app scope. */
  static void refuseAppId(@Nullable String appId) {
    if (appId != null && !appId.isEmpty()) {
      throw new InvalidRequestException(
          "app_id",
          "app_id is not supported by Mnemo4j; scope memories with user_id, agent_id or run_id");
    }
  }

  /**
   * Mem0's {@code custom_instructions}, {@code includes} and {@code excludes} as one per-call
   * instruction text, or null when none is given.
   */
  static @Nullable String instructions(Add in) {
    StringBuilder sb = new StringBuilder();
    if (in.customInstructions() != null && !in.customInstructions().isBlank()) {
      sb.append(in.customInstructions().strip());
    }
    if (in.includes() != null && !in.includes().isBlank()) {
      sb.append(sb.isEmpty() ? "" : "\n").append("Remember in particular: ");
      sb.append(in.includes().strip());
    }
    if (in.excludes() != null && !in.excludes().isBlank()) {
      sb.append(sb.isEmpty() ? "" : "\n").append("Never remember: ");
      sb.append(in.excludes().strip());
    }
    if (sb.length() > AddOptions.MAX_INSTRUCTIONS) {
      throw new InvalidRequestException(
          "custom_instructions",
          "custom_instructions, includes and excludes together must be at most "
              + AddOptions.MAX_INSTRUCTIONS
              + " characters");
    }
    return sb.isEmpty() ? null : sb.toString();
  }

  /** Mem0's {@code memory_type}: {@code procedural_memory}, or absent for facts. */
  static boolean procedural(@Nullable String memoryType) {
    if (memoryType == null || memoryType.isEmpty()) {
      return false;
    }
    if (memoryType.equals("procedural_memory")) {
      return true;
    }
    throw new InvalidRequestException(
        "memory_type", "memory_type must be procedural_memory (or omitted for facts)");
  }

  /** Mem0's {@code async_mode}: absent or null means synchronous here. */
  static boolean asyncMode(@Nullable JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return false;
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    if (node.isTextual() && (node.asText().equals("true") || node.asText().equals("false"))) {
      return node.asText().equals("true");
    }
    throw new InvalidRequestException("async_mode", "async_mode must be true or false");
  }

  /** Mem0's {@code timestamp} (Unix seconds) as the session date, or null. */
  static @Nullable Instant timestamp(@Nullable JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (node.isNumber() && !node.isBigInteger() && Double.isFinite(node.asDouble())) {
      double seconds = node.asDouble();
      if (seconds >= 0 && seconds < 253_402_300_800d) { // before year 10000
        return Instant.ofEpochMilli((long) (seconds * 1000));
      }
    }
    throw new InvalidRequestException(
        "timestamp", "timestamp must be a Unix time in seconds, such as 1735689600");
  }

  /** The items of a batch: 1 to {@link #MAX_BATCH}, each naming its memory. */
  static List<BatchItem> batchItems(Batch in) {
    List<BatchItem> items = in.memories();
    if (items == null || items.isEmpty()) {
      throw new InvalidRequestException("memories", "memories is required and must not be empty");
    }
    if (items.size() > MAX_BATCH) {
      throw new InvalidRequestException("memories", "at most " + MAX_BATCH + " memories per batch");
    }
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i) == null || items.get(i).memoryId() == null) {
        throw new InvalidRequestException("memories[" + i + "].memory_id", "memory_id is required");
      }
    }
    return items;
  }

  /** Whether a Mem0 id parameter is absent, empty or the wildcard {@code *}. */
  static boolean isWildOrEmpty(@Nullable String s) {
    return s == null || s.isEmpty() || s.equals("*");
  }

  /** Null for an absent or empty text. */
  static @Nullable String emptyToNull(@Nullable String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
