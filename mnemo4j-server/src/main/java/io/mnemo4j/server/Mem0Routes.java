package io.mnemo4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.mnemo4j.AddOptions;
import io.mnemo4j.AddResult;
import io.mnemo4j.AddStatus;
import io.mnemo4j.EventType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Hit;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryEvent;
import io.mnemo4j.Message;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.filter.FilterParser;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The Mem0 Platform routes its official Python and TypeScript clients call, with Mem0's request and
 * response JSON, so an app written for Mem0 changes only its host and key. Unknown request fields
 * are ignored (Mem0 clients send many); features Mnemo4j lacks answer in the documented shape where
 * that is harmless, else 501. Adds use the language model when one is configured ({@code infer},
 * default true), run synchronously unless {@code async_mode} is true, and are polled at {@code
 * /v1/event/{event_id}/}; searches and listings accept {@code as_of} and {@code include_expired}.
 * The tenant is the key's ({@code org_id} in {@code /v1/ping/}). Thread-safe.
 */
final class Mem0Routes {
  /** Most items in one batch request, as in Mem0. */
  static final int MAX_BATCH = 1000;

  private static final int DEFAULT_TOP_K = 10;
  private static final int DEFAULT_PAGE_SIZE = 100;
  private static final int MAX_SKIPPED = 100_000;
  private static final int ENTITY_SCAN_LIMIT = 1_000_000;
  private static final String PROJECT_ID = "default";

  private final Auth auth;
  private final NativeRoutes natives;
  private final ServerMetrics metrics;

  Mem0Routes(Auth auth, NativeRoutes natives, ServerMetrics metrics) {
    this.auth = auth;
    this.natives = natives;
    this.metrics = metrics;
  }

  void register(RoutesConfig r) {
    r.get("/v1/ping/", this::ping);
    r.post("/v3/memories/add/", ctx -> add(ctx, true));
    r.post("/v3/memories/search/", ctx -> search(ctx, true));
    r.post("/v3/memories/", this::getAll);
    r.post("/v2/memories/search/", ctx -> search(ctx, false));
    r.post("/v1/memories/search/", ctx -> search(ctx, false));
    r.post("/v1/memories/", ctx -> add(ctx, false));
    r.delete("/v1/memories/", this::deleteAll);
    r.get("/v1/memories/{memory_id}/history/", this::history);
    r.get("/v1/memories/{memory_id}/", this::get);
    r.put("/v1/memories/{memory_id}/", this::update);
    r.delete("/v1/memories/{memory_id}/", this::delete);
    r.get("/v1/entities/", this::entities);
    r.delete("/v2/entities/{entity_type}/{entity_id}/", this::deleteEntity);
    // The deprecated v1 route (the TypeScript client's deleteUser) does the same.
    r.delete("/v1/entities/{entity_type}/{entity_id}/", this::deleteEntity);
    r.put("/v1/batch/", this::batchUpdate);
    r.delete("/v1/batch/", this::batchDelete);
    r.get("/v1/event/{event_id}/", this::event);
    // Mem0 features Mnemo4j does not have: an explicit 501 naming the feature, after
    // authentication.
    unsupported(r, "POST", "/v1/feedback/", "memory feedback");
    unsupported(r, "POST", "/v1/exports/", "memory exports");
    unsupported(r, "POST", "/v1/exports/get/", "memory exports");
    unsupported(r, "POST", "/v1/summary/", "summaries");
    unsupported(r, "GET", "/api/v1/orgs/organizations/{org_id}/projects/{project_id}/", "projects");
    unsupported(
        r, "PATCH", "/api/v1/orgs/organizations/{org_id}/projects/{project_id}/", "projects");
    unsupported(r, "GET", "/api/v1/webhooks/projects/{project_id}/", "webhooks");
    unsupported(r, "POST", "/api/v1/webhooks/projects/{project_id}/", "webhooks");
    unsupported(r, "PUT", "/api/v1/webhooks/{webhook_id}/", "webhooks");
    unsupported(r, "DELETE", "/api/v1/webhooks/{webhook_id}/", "webhooks");
  }

  private void unsupported(RoutesConfig r, String method, String path, String feature) {
    io.javalin.http.Handler h =
        ctx -> {
          auth.any(ctx);
          throw ApiException.notImplemented(feature);
        };
    switch (method) {
      case "GET" -> r.get(path, h);
      case "POST" -> r.post(path, h);
      case "PUT" -> r.put(path, h);
      case "PATCH" -> r.patch(path, h);
      case "DELETE" -> r.delete(path, h);
      default -> throw new IllegalArgumentException(method);
    }
  }

  private void ping(Context ctx) {
    Principal p = auth.any(ctx);
    ObjectNode n = Json.object();
    n.put("status", "ok");
    if (p instanceof Principal.Tenant t) {
      n.put("org_id", t.tenant().value());
      n.put("project_id", PROJECT_ID);
    } else {
      n.putNull("org_id");
      n.putNull("project_id");
    }
    n.putNull("user_email");
    Json.ok(ctx, n);
  }

  // ---- add ----

  private void add(Context ctx, boolean v3) {
    Principal.Tenant p = auth.tenant(ctx);
    Mem0Requests.Add in = Json.lenient(ctx, Mem0Requests.Add.class);
    refuseAppId(in.appId());
    List<Message> messages = messages(in.messages());
    Scope scope = p.writeScope(Scope.of(in.userId(), in.agentId(), in.runId()));
    // Mem0's infer defaults to true ("use the model"; without one, what the user said is stored).
    // infer: false stores every message given, exact duplicates aside, as Mem0 does.
    boolean verbatim = Boolean.FALSE.equals(in.infer());
    AddOptions options =
        Requests.addOptions(in.metadata(), null, expiry(in.expirationDate()))
            .withInfer(!verbatim)
            .withInstructions(instructions(in))
            .withProcedural(procedural(in.memoryType()))
            .withSessionDate(timestamp(in.timestamp()))
            .withIdempotencyKey(NativeRoutes.idempotencyKey(ctx, null));
    if (in.nearDuplicateThreshold() != null) {
      options = options.withNearDuplicateThreshold(in.nearDuplicateThreshold());
    } else if (verbatim) {
      options = options.withNearDuplicateThreshold(1.0);
    }
    boolean asyncMode = asyncMode(in.asyncMode());
    if (scope.isTenantWide()) {
      // Mem0 refuses this too; stored tenant-wide, no Mem0 read (which needs an entity) could
      // ever reach it.
      throw new InvalidRequestException(
          "user_id",
          "at least one of user_id, agent_id or run_id is required; tenant-wide memory is"
              + " written on the native route POST /v1/mem/add");
    }
    TenantMemory memory = auth.memory(p);
    boolean legacyList = !v3 && !"v1.1".equals(in.outputFormat());
    if (asyncMode) {
      AddStatus status = memory.addAsync(messages, scope, options);
      ObjectNode queued = Json.object();
      queued.put("message", "Memory processing has been queued for background execution");
      queued.put("status", status.status().wireName());
      queued.put("event_id", status.id());
      if (v3) {
        Json.ok(ctx, queued);
      } else if (legacyList) {
        Json.ok(ctx, JsonNodeFactory.instance.arrayNode().add(queued));
      } else {
        ObjectNode root = Json.object();
        root.putArray("results").add(queued);
        Json.ok(ctx, root);
      }
      return;
    }
    AddResult result = memory.ingest(messages, scope, options);
    natives.countAdds(p, result);
    ArrayNode results = results(result);
    boolean inferRequested = in.infer() == null || in.infer();
    if (legacyList) {
      Json.ok(ctx, results); // v1.0: a bare list
      return;
    }
    ObjectNode root = Json.object();
    root.set("results", results);
    if (v3) {
      root.put("message", "memories processed synchronously");
      root.put("status", "SUCCEEDED");
      root.put(
          "event_id", result.eventId() != null ? result.eventId() : UUID.randomUUID().toString());
    }
    if (inferRequested) {
      root.put("inferred", result.inferred());
      root.put("fallback_reason", result.fallbackReason());
    }
    if (Requests.flag(in.enableGraph())) {
      root.putArray("relations");
    }
    Json.ok(ctx, root);
  }

  /** The add results as Mem0 lists them: no-op (NONE) decisions are left out. */
  private static ArrayNode results(AddResult result) {
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

  /**
   * Mem0's {@code custom_instructions}, {@code includes} and {@code excludes} as one per-call
   * instruction text, or null when none is given.
   */
  static @Nullable String instructions(Mem0Requests.Add in) {
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

  private static boolean procedural(@Nullable String memoryType) {
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
  private static boolean asyncMode(@Nullable JsonNode node) {
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
  private static @Nullable Instant timestamp(@Nullable JsonNode node) {
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

  // ---- events ----

  private void event(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    AddStatus s = natives.addStatus(p, ctx.pathParam("event_id"), "event_id");
    ObjectNode n = Json.object();
    n.put("id", s.id());
    n.put("event_type", "ADD");
    n.put("status", s.status().wireName());
    n.set(
        "results", s.result() == null ? JsonNodeFactory.instance.arrayNode() : results(s.result()));
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
    Json.ok(ctx, n);
  }

  private static List<Message> messages(@Nullable JsonNode node) {
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
      JsonNode m = items.get(i);
      String at = "messages[" + i + "]";
      if (!m.isObject()) {
        throw new InvalidRequestException(at, "a message must be an object with role and content");
      }
      JsonNode content = m.get("content");
      if (content != null && !content.isNull() && !content.isTextual()) {
        throw new InvalidRequestException(
            at + ".content",
            "message content must be a string; multimodal content is not supported");
      }
      out.add(
          Requests.message(i, text(m, "role", at), text(m, "content", at), text(m, "name", at)));
    }
    return out;
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
  private static @Nullable Instant expiry(@Nullable String date) {
    if (date == null || date.isEmpty()) {
      return null;
    }
    return Requests.dateOrInstant("expiration_date", date, true);
  }

  private static void refuseAppId(@Nullable String appId) {
    if (appId != null && !appId.isEmpty()) {
      throw new InvalidRequestException(
          "app_id",
          "app_id is not supported by Mnemo4j; scope memories with user_id, agent_id or run_id");
    }
  }

  // ---- search and list ----

  private void search(Context ctx, boolean v3) {
    Principal.Tenant p = auth.tenant(ctx);
    Mem0Requests.Search in = Json.lenient(ctx, Mem0Requests.Search.class);
    refuseAppId(in.appId());
    String query = Requests.required("query", in.query());
    Selection sel =
        selection(
            p, in.filters(), in.userId(), in.agentId(), in.runId(), in.metadata(), in.categories());
    sel = Requests.view(sel, "as_of", in.asOf(), in.includeExpired());
    int topK = in.topK() != null ? in.topK() : in.limit() != null ? in.limit() : DEFAULT_TOP_K;
    if (topK < 1 || topK > Search.MAX_LIMIT) {
      throw new InvalidRequestException("top_k", "top_k must be 1 to " + Search.MAX_LIMIT);
    }
    Search search =
        new Search(sel, topK, in.threshold() == null ? 0 : in.threshold(), Search.Mode.HYBRID);
    List<Hit> hits = auth.memory(p).search(query, search);
    metrics.searched(p.tenant());
    ArrayNode results = JsonNodeFactory.instance.arrayNode();
    for (Hit h : hits) {
      ObjectNode m = memory(h.memory());
      m.put("score", h.score());
      m.put("similarity", h.similarity());
      results.add(m);
    }
    if (!v3 && !"v1.1".equals(in.outputFormat())) {
      Json.ok(ctx, results);
      return;
    }
    ObjectNode root = Json.object();
    root.set("results", results);
    if (Requests.flag(in.enableGraph())) {
      root.putArray("relations");
    }
    Json.ok(ctx, root);
  }

  private void getAll(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    Mem0Requests.GetAll in = Json.lenient(ctx, Mem0Requests.GetAll.class);
    refuseAppId(in.appId());
    Selection sel =
        selection(p, in.filters(), in.userId(), in.agentId(), in.runId(), null, in.categories());
    sel = Requests.view(sel, "as_of", in.asOf(), in.includeExpired());
    sel = createdBetween(sel, in.startDate(), in.endDate());
    int page = queryInt(ctx, "page", in.page() == null ? 1 : in.page());
    int size =
        queryInt(ctx, "page_size", in.pageSize() == null ? DEFAULT_PAGE_SIZE : in.pageSize());
    if (page < 1) {
      throw new InvalidRequestException("page", "page must be 1 or more");
    }
    if (size < 1 || size > PageRequest.MAX_SIZE) {
      throw new InvalidRequestException(
          "page_size", "page_size must be 1 to " + PageRequest.MAX_SIZE);
    }
    if ((long) (page - 1) * size > MAX_SKIPPED) {
      throw new InvalidRequestException(
          "page", "page * page_size may skip at most " + MAX_SKIPPED + " memories");
    }
    TenantMemory memory = auth.memory(p);
    String cursor = null;
    List<Memory> items = List.of();
    boolean more = false;
    for (int i = 1; i <= page; i++) {
      Page<Memory> pg = memory.getAll(sel, new PageRequest(cursor, size));
      cursor = pg.nextCursor();
      if (i == page) {
        items = pg.items();
        more = cursor != null;
      } else if (cursor == null) {
        break;
      }
    }
    long count = memory.count(sel);
    ObjectNode root = Json.object();
    root.put("count", count);
    root.put("next", more ? pageUrl(ctx, page + 1, size) : null);
    root.put("previous", page > 1 ? pageUrl(ctx, page - 1, size) : null);
    ArrayNode results = root.putArray("results");
    items.forEach(m -> results.add(memory(m)));
    Json.ok(ctx, root);
  }

  /**
   * Narrows a listing to memories created from {@code start_date} to {@code end_date}, both
   * inclusive (a bare end date counts its whole day), as Mem0's get_all does.
   */
  private static Selection createdBetween(
      Selection sel, @Nullable String startDate, @Nullable String endDate) {
    Instant from = Requests.dateOrInstant("start_date", emptyToNull(startDate));
    Instant to = Requests.dateOrInstant("end_date", emptyToNull(endDate), true);
    if (from != null && to != null && from.isAfter(to)) {
      throw new InvalidRequestException("end_date", "end_date is before start_date");
    }
    List<FilterExpr> parts = new ArrayList<>();
    parts.add(sel.filter());
    FilterExpr.Field created = FilterExpr.Field.of(FilterExpr.Kind.CREATED_AT);
    if (from != null) {
      parts.add(
          new FilterExpr.Compare(created, FilterExpr.Op.GTE, new FilterExpr.Value.Time(from)));
    }
    if (to != null) {
      parts.add(new FilterExpr.Compare(created, FilterExpr.Op.LTE, new FilterExpr.Value.Time(to)));
    }
    return parts.size() == 1 ? sel : sel.filter(new FilterExpr.And(parts));
  }

  private static @Nullable String emptyToNull(@Nullable String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static String pageUrl(Context ctx, int page, int size) {
    String host = ctx.host() == null ? "localhost" : ctx.host();
    return ctx.scheme() + "://" + host + ctx.path() + "?page=" + page + "&page_size=" + size;
  }

  private static int queryInt(Context ctx, String name, int dflt) {
    return NativeRoutes.intParam(ctx, name, dflt);
  }

  /**
   * The selection for a Mem0 search or listing: scope from top-level ids and top-level equalities
   * on user_id, agent_id and run_id in {@code filters}; the full filter narrows further. A request
   * with neither a scope nor filters is refused, as by Mem0.
   */
  private static Selection selection(
      Principal.Tenant p,
      @Nullable JsonNode filters,
      @Nullable String userId,
      @Nullable String agentId,
      @Nullable String runId,
      @Nullable JsonNode metadata,
      @Nullable List<String> categories) {
    JsonNode combined = combine(filters, metadata, categories);
    FilterExpr filter = FilterParser.parse(combined);
    Scope fromFilters = entityScope(filters);
    Scope scope =
        new Scope(
            merge("user_id", userId, fromFilters.userId()),
            merge("agent_id", agentId, fromFilters.agentId()),
            merge("run_id", runId, fromFilters.runId()));
    if (p.narrowed()) {
      return Selection.in(p.writeScope(scope)).filter(filter);
    }
    if (!scope.isTenantWide()) {
      return Selection.in(scope).filter(filter);
    }
    if (combined == null || (combined.isObject() && combined.isEmpty())) {
      throw new InvalidRequestException(
          "filters",
          "filters must name at least one of user_id, agent_id or run_id (or use \"*\" for any)");
    }
    return Selection.everywhere().filter(filter);
  }

  private static @Nullable JsonNode combine(
      @Nullable JsonNode filters, @Nullable JsonNode metadata, @Nullable List<String> categories) {
    List<JsonNode> parts = new ArrayList<>();
    if (filters != null && !filters.isNull()) {
      parts.add(filters);
    }
    if (metadata != null && !metadata.isNull()) {
      if (!metadata.isObject()) {
        throw new InvalidRequestException("metadata", "metadata must be a JSON object");
      }
      if (!metadata.isEmpty()) {
        ObjectNode m = Json.object();
        m.set("metadata", metadata);
        parts.add(m);
      }
    }
    if (categories != null && !categories.isEmpty()) {
      ObjectNode c = Json.object();
      c.putObject("categories").set("in", Json.OUT.valueToTree(categories));
      parts.add(c);
    }
    if (parts.isEmpty()) {
      return null;
    }
    if (parts.size() == 1) {
      return parts.get(0);
    }
    ObjectNode and = Json.object();
    ArrayNode arr = and.putArray("AND");
    parts.forEach(arr::add);
    return and;
  }

  // Top-level equalities only: {"user_id": "a"} or {"AND": [{"user_id": "a"}, ...]}; "*" and
  // operators are filters.
  private static Scope entityScope(@Nullable JsonNode filters) {
    Map<String, String> ids = new LinkedHashMap<>();
    if (filters != null && filters.isObject()) {
      collect(filters, ids);
      JsonNode and = filters.get("AND");
      if (and != null && and.isArray()) {
        and.forEach(
            f -> {
              if (f.isObject()) {
                collect(f, ids);
              }
            });
      }
    }
    return Scope.of(ids.get("user_id"), ids.get("agent_id"), ids.get("run_id"));
  }

  private static void collect(JsonNode obj, Map<String, String> ids) {
    for (String key : List.of("user_id", "agent_id", "run_id")) {
      JsonNode v = obj.get(key);
      if (v != null && v.isTextual() && !v.asText().equals("*") && !v.asText().isEmpty()) {
        String prev = ids.putIfAbsent(key, v.asText());
        if (prev != null && !prev.equals(v.asText())) {
          throw new InvalidRequestException(
              "filters." + key, "filters name two different " + key + " values");
        }
      }
    }
  }

  private static @Nullable String merge(
      String field, @Nullable String top, @Nullable String fromFilters) {
    String t = top == null || top.isEmpty() ? null : top;
    if (t != null && fromFilters != null && !t.equals(fromFilters)) {
      throw new InvalidRequestException(field, field + " differs from filters." + field);
    }
    return t != null ? t : fromFilters;
  }

  // ---- by id ----

  private void get(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    String id = ctx.pathParam("memory_id");
    Memory m = auth.memory(p).get(id, p.readById()).orElseThrow(() -> NativeRoutes.notFound(id));
    Json.ok(ctx, memory(m));
  }

  private void update(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    String id = ctx.pathParam("memory_id");
    Mem0Requests.Update in = Json.lenient(ctx, Mem0Requests.Update.class);
    if (in.expirationDate() != null && !in.expirationDate().isNull()) {
      throw ApiException.notImplemented(
          "changing expiration_date of a stored memory", "expiration_date");
    }
    if (in.timestamp() != null && !in.timestamp().isNull()) {
      // Mem0 rewrites the memory's creation time; here created_at is system time (when Mnemo4j
      // learned the fact), which as_of queries and history depend on, so it is never rewritten.
      throw ApiException.notImplemented(
          "changing the timestamp (creation time) of a stored memory", "timestamp");
    }
    if (in.text() == null && (in.metadata() == null || in.metadata().isNull())) {
      throw new InvalidRequestException("text", "send text, metadata or both");
    }
    TenantMemory memory = auth.memory(p);
    Memory updated = apply(memory, p, id, in.text(), in.metadata());
    ObjectNode n = memory(updated);
    n.put("text", updated.text());
    Json.ok(ctx, n);
  }

  private static Memory apply(
      TenantMemory memory,
      Principal.Tenant p,
      String id,
      @Nullable String text,
      @Nullable JsonNode metadata) {
    Selection sel = p.writeById();
    String newText = text;
    if (newText == null) {
      newText = memory.get(id, sel).orElseThrow(() -> NativeRoutes.notFound(id)).text();
    }
    Map<String, Object> md =
        metadata == null || metadata.isNull() ? null : Json.object("metadata", metadata);
    memory.update(id, newText, md, sel);
    return memory.get(id, sel).orElseThrow(() -> NativeRoutes.notFound(id));
  }

  private void delete(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    String id = ctx.pathParam("memory_id");
    auth.memory(p).delete(id, p.writeById());
    ObjectNode n = Json.object();
    n.put("message", "Memory deleted successfully!");
    Json.ok(ctx, n);
  }

  private void history(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    String id = ctx.pathParam("memory_id");
    TenantMemory memory = auth.memory(p);
    List<HistoryEntry> entries = memory.history(id, p.readById());
    Optional<Memory> live = memory.get(id, p.readById());
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    for (HistoryEntry h : entries) {
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
      out.add(n);
    }
    Json.ok(ctx, out);
  }

  // ---- delete all, entities, batch ----

  private void deleteAll(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    refuseAppId(ctx.queryParam("app_id"));
    String user = ctx.queryParam("user_id");
    String agent = ctx.queryParam("agent_id");
    String run = ctx.queryParam("run_id");
    boolean wildcard = "*".equals(user) || "*".equals(agent) || "*".equals(run);
    TenantMemory memory = auth.memory(p);
    long deleted;
    if (wildcard) {
      if (!(isWildOrEmpty(user) && isWildOrEmpty(agent) && isWildOrEmpty(run))) {
        throw new InvalidRequestException(
            "user_id", "'*' deletes everything and cannot be combined with an id");
      }
      if (p.narrowed()) {
        throw ApiException.forbidden(
            "this API key is limited to one user and cannot delete the whole tenant");
      }
      deleted = memory.deleteAll(TenantMemory.Wildcard.ALL);
    } else {
      Scope scope = Scope.of(user, agent, run);
      if (scope.isTenantWide()) {
        throw new InvalidRequestException(
            "user_id",
            "delete-all needs user_id, agent_id or run_id; pass user_id=* to delete every memory of the tenant");
      }
      deleted = memory.deleteAll(p.writeScope(scope));
    }
    ObjectNode n = Json.object();
    n.put("message", "Memories deleted successfully!");
    n.put("deleted", deleted);
    Json.ok(ctx, n);
  }

  private static boolean isWildOrEmpty(@Nullable String s) {
    return s == null || s.isEmpty() || s.equals("*");
  }

  private void entities(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    TenantMemory memory = auth.memory(p);
    Selection sel = p.narrowed() ? Selection.in(Scope.user(p.user())) : Selection.everywhere();
    Map<String, Entity> entities = new LinkedHashMap<>();
    String cursor = null;
    int seen = 0;
    do {
      Page<Memory> page = memory.getAll(sel, new PageRequest(cursor, PageRequest.MAX_SIZE));
      for (Memory m : page.items()) {
        track(entities, "user", m.scope().userId(), m);
        track(entities, "agent", m.scope().agentId(), m);
        track(entities, "run", m.scope().runId(), m);
      }
      seen += page.items().size();
      cursor = page.nextCursor();
    } while (cursor != null && seen < ENTITY_SCAN_LIMIT);
    // Without page or page_size every entity is listed (the clients' deleteUsers() deletes what
    // users() returns: a silent first page would leave the rest behind); with either, Mem0's
    // pages (page_size 100 by default).
    List<Entity> all = List.copyOf(entities.values());
    int page = queryInt(ctx, "page", 1);
    if (page < 1) {
      throw new InvalidRequestException("page", "page must be 1 or more");
    }
    boolean paged = ctx.queryParam("page_size") != null || ctx.queryParam("page") != null;
    int size = queryInt(ctx, "page_size", DEFAULT_PAGE_SIZE);
    if (size < 1 || size > PageRequest.MAX_SIZE) {
      throw new InvalidRequestException(
          "page_size", "page_size must be 1 to " + PageRequest.MAX_SIZE);
    }
    List<Entity> shown;
    boolean more;
    if (paged) {
      long from = (long) (page - 1) * size;
      shown =
          from >= all.size()
              ? List.of()
              : all.subList((int) from, (int) Math.min(all.size(), from + size));
      more = from + size < all.size();
    } else {
      shown = all;
      more = false;
    }
    ObjectNode root = Json.object();
    root.put("count", all.size());
    root.put("next", more ? pageUrl(ctx, page + 1, size) : null);
    root.put("previous", paged && page > 1 ? pageUrl(ctx, page - 1, size) : null);
    ArrayNode results = root.putArray("results");
    for (Entity e : shown) {
      ObjectNode n = Json.object();
      n.put("id", e.name);
      n.put("name", e.name);
      n.put("type", e.type);
      n.put("total_memories", e.count);
      n.put("owner", p.tenant().value());
      n.put("created_at", WireJson.time(e.created));
      n.put("updated_at", WireJson.time(e.updated));
      results.add(n);
    }
    Json.ok(ctx, root);
  }

  /** One user, agent or run seen while listing entities. Not thread-safe (one request). */
  private static final class Entity {
    final String type;
    final String name;
    long count;
    Instant created;
    Instant updated;

    Entity(String type, String name, Memory first) {
      this.type = type;
      this.name = name;
      this.created = first.createdAt();
      this.updated = first.updatedAt();
    }
  }

  private static void track(
      Map<String, Entity> entities, String type, @Nullable String name, Memory m) {
    if (name == null) {
      return;
    }
    Entity e = entities.computeIfAbsent(type + "\u0000" + name, k -> new Entity(type, name, m));
    e.count++;
    if (m.createdAt().isBefore(e.created)) {
      e.created = m.createdAt();
    }
    if (m.updatedAt().isAfter(e.updated)) {
      e.updated = m.updatedAt();
    }
  }

  private void deleteEntity(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    String type = ctx.pathParam("entity_type");
    String name = ctx.pathParam("entity_id");
    Scope scope =
        switch (type) {
          case "user" -> Scope.user(name);
          case "agent" -> Scope.agent(name);
          case "run" -> Scope.run(name);
          case "app" ->
              throw new InvalidRequestException(
                  "entity_type", "app entities are not supported by Mnemo4j");
          default ->
              throw new InvalidRequestException(
                  "entity_type", "entity_type must be user, agent or run");
        };
    auth.memory(p).deleteAll(p.writeScope(scope));
    ObjectNode n = Json.object();
    n.put("message", "Entity deleted successfully.");
    Json.ok(ctx, n);
  }

  private void batchUpdate(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    List<Mem0Requests.BatchItem> items = batch(ctx);
    TenantMemory memory = auth.memory(p);
    for (int i = 0; i < items.size(); i++) {
      Mem0Requests.BatchItem it = items.get(i);
      if (it.text() == null && (it.metadata() == null || it.metadata().isNull())) {
        throw new InvalidRequestException(
            "memories[" + i + "].text", "each item needs text, metadata or both");
      }
    }
    checkAllVisible(memory, p, items);
    for (Mem0Requests.BatchItem it : items) {
      apply(memory, p, it.memoryId(), it.text(), it.metadata());
    }
    ObjectNode n = Json.object();
    n.put("message", "Successfully updated " + items.size() + " memories");
    Json.ok(ctx, n);
  }

  private void batchDelete(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    List<Mem0Requests.BatchItem> items = batch(ctx);
    TenantMemory memory = auth.memory(p);
    checkAllVisible(memory, p, items);
    for (Mem0Requests.BatchItem it : items) {
      memory.delete(it.memoryId(), p.writeById());
    }
    ObjectNode n = Json.object();
    n.put("message", "Successfully deleted " + items.size() + " memories");
    Json.ok(ctx, n);
  }

  private static List<Mem0Requests.BatchItem> batch(Context ctx) {
    Mem0Requests.Batch in = Json.lenient(ctx, Mem0Requests.Batch.class);
    List<Mem0Requests.BatchItem> items = in.memories();
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

  // All ids are checked before anything is written, so a batch naming a foreign or missing id
  // changes nothing.
  private static void checkAllVisible(
      TenantMemory memory, Principal.Tenant p, List<Mem0Requests.BatchItem> items) {
    for (Mem0Requests.BatchItem it : items) {
      if (memory.get(it.memoryId(), p.writeById()).isEmpty()) {
        throw NativeRoutes.notFound(it.memoryId());
      }
    }
  }

  // ---- shapes ----

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
    return n;
  }
}
