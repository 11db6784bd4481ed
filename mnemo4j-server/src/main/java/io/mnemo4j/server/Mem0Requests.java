package io.mnemo4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Request DTOs of the Mem0-compatible routes, parsed by {@link Json#LENIENT}: fields Mem0 clients
 * send that Mnemo4j does not use ({@code output_format}, {@code version}, {@code org_id}, {@code
 * project_id}, {@code custom_categories}...) are ignored, not refused. Fields declared here as
 * {@link JsonNode} are accepted and interpreted (or deliberately ignored) by {@link Mem0Routes}.
 * Records are immutable.
 */
final class Mem0Requests {
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
   * One item of a batch. @param memoryId the memory @param text new text (update) @param metadata
   * new metadata
   */
  record BatchItem(@Nullable String memoryId, @Nullable String text, @Nullable JsonNode metadata) {}

  /** {@code PUT|DELETE /v1/batch/}. @param memories at most 1000 items */
  record Batch(@Nullable List<BatchItem> memories) {}
}
