package io.mnemo4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.mnemo4j.AddOptions;
import io.mnemo4j.AddResult;
import io.mnemo4j.AddStatus;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Hit;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.Message;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantMemory;
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
 * The tenant is the key's ({@code org_id} in {@code /v1/ping/}).
 *
 * <p>Request parsing is {@link Mem0Requests}, selections {@link Mem0Filters}, answers {@link
 * Mem0Shapes}; what adds share with the native routes is {@link AddOperations}. Thread-safe.
 */
final class Mem0Routes {
  private static final int DEFAULT_TOP_K = 10;
  private static final int DEFAULT_PAGE_SIZE = 100;
  private static final int MAX_SKIPPED = 100_000;
  private static final String PROJECT_ID = "default";

  private final Auth auth;
  private final AddOperations adds;
  private final ServerMetrics metrics;

  Mem0Routes(Auth auth, AddOperations adds, ServerMetrics metrics) {
    this.auth = auth;
    this.adds = adds;
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
    new Mem0Exports(auth).register(r);
    // Mem0 features Mnemo4j does not have: an explicit 501 naming the feature, after
    // authentication.
    unsupported(r, "POST", "/v1/feedback/", "memory feedback");
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
    Handler h =
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

  /**
   * Mem0's answer layouts: the v3 routes', and the legacy routes' by {@code output_format}: {@code
   * v1.1} a results object, anything else (v1.0) a bare list.
   */
  private enum Format {
    V3,
    RESULTS,
    LIST;

    static Format of(boolean v3, @Nullable String outputFormat) {
      return v3 ? V3 : "v1.1".equals(outputFormat) ? RESULTS : LIST;
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

  // ---- add and events ----

  private void add(Context ctx, boolean v3) {
    Principal.Tenant p = auth.tenant(ctx);
    Mem0Requests.Add in = Json.lenient(ctx, Mem0Requests.Add.class);
    Mem0Requests.refuseAppId(in.appId());
    List<Message> messages = Mem0Requests.messages(in.messages());
    Scope scope = p.writeScope(Scope.of(in.userId(), in.agentId(), in.runId()));
    AddOptions options = addOptions(ctx, in);
    boolean asyncMode = Mem0Requests.asyncMode(in.asyncMode());
    if (scope.isTenantWide()) {
      // Mem0 refuses this too; stored tenant-wide, no Mem0 read (which needs an entity) could
      // ever reach it.
      throw new InvalidRequestException(
          "user_id",
          "at least one of user_id, agent_id or run_id is required; tenant-wide memory is"
              + " written on the native route POST /v1/mem/add");
    }
    TenantMemory memory = auth.memory(p);
    Format format = Format.of(v3, in.outputFormat());
    if (asyncMode) {
      Json.ok(ctx, queued(memory.addAsync(messages, scope, options), format));
      return;
    }
    AddResult result = memory.ingest(messages, scope, options);
    adds.countApplied(p, result);
    Json.ok(ctx, applied(in, result, format));
  }

  private static AddOptions addOptions(Context ctx, Mem0Requests.Add in) {
    // Mem0's infer defaults to true ("use the model"; without one, what the user said is stored).
    // infer: false stores every message given, exact duplicates aside, as Mem0 does.
    boolean verbatim = Boolean.FALSE.equals(in.infer());
    AddOptions options =
        Requests.addOptions(in.metadata(), null, Mem0Requests.expiry(in.expirationDate()))
            .withInfer(!verbatim)
            .withInstructions(Mem0Requests.instructions(in))
            .withProcedural(Mem0Requests.procedural(in.memoryType()))
            .withSessionDate(Mem0Requests.timestamp(in.timestamp()))
            .withIdempotencyKey(AddOperations.idempotencyKey(ctx, null));
    if (in.nearDuplicateThreshold() != null) {
      return options.withNearDuplicateThreshold(in.nearDuplicateThreshold());
    }
    return verbatim ? options.withNearDuplicateThreshold(1.0) : options;
  }

  private static JsonNode queued(AddStatus status, Format format) {
    ObjectNode queued = Mem0Shapes.queued(status);
    return switch (format) {
      case V3 -> queued;
      case LIST -> JsonNodeFactory.instance.arrayNode().add(queued);
      case RESULTS -> {
        ObjectNode root = Json.object();
        root.putArray("results").add(queued);
        yield root;
      }
    };
  }

  private static JsonNode applied(Mem0Requests.Add in, AddResult result, Format format) {
    ArrayNode results = Mem0Shapes.addResults(result);
    if (format == Format.LIST) {
      return results;
    }
    ObjectNode root = Json.object();
    root.set("results", results);
    if (format == Format.V3) {
      root.put("message", "memories processed synchronously");
      root.put("status", "SUCCEEDED");
      root.put(
          "event_id", result.eventId() != null ? result.eventId() : UUID.randomUUID().toString());
    }
    if (in.infer() == null || in.infer()) {
      root.put("inferred", result.inferred());
      root.put("fallback_reason", result.fallbackReason());
    }
    if (Requests.flag(in.enableGraph())) {
      root.putArray("relations");
    }
    return root;
  }

  private void event(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    Json.ok(ctx, Mem0Shapes.event(adds.status(p, ctx.pathParam("event_id"), "event_id")));
  }

  // ---- search and list ----

  private void search(Context ctx, boolean v3) {
    Principal.Tenant p = auth.tenant(ctx);
    Mem0Requests.Search in = Json.lenient(ctx, Mem0Requests.Search.class);
    Mem0Requests.refuseAppId(in.appId());
    String query = Requests.required("query", in.query());
    Selection sel = Mem0Filters.selection(p, Mem0Filters.Query.of(in));
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
    hits.forEach(h -> results.add(Mem0Shapes.hit(h)));
    if (Format.of(v3, in.outputFormat()) == Format.LIST) {
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
    Mem0Requests.refuseAppId(in.appId());
    Selection sel = Mem0Filters.selection(p, Mem0Filters.Query.of(in));
    sel = Requests.view(sel, "as_of", in.asOf(), in.includeExpired());
    sel = Mem0Filters.createdBetween(sel, in.startDate(), in.endDate());
    int page = QueryParams.integer(ctx, "page", in.page() == null ? 1 : in.page());
    int size =
        QueryParams.integer(
            ctx, "page_size", in.pageSize() == null ? DEFAULT_PAGE_SIZE : in.pageSize());
    checkPageNumber(page);
    checkPageSize(size);
    if ((long) (page - 1) * size > MAX_SKIPPED) {
      throw new InvalidRequestException(
          "page", "page * page_size may skip at most " + MAX_SKIPPED + " memories");
    }
    TenantMemory memory = auth.memory(p);
    NumberedPage shown = numberedPage(memory, sel, page, size);
    ObjectNode root = Json.object();
    root.put("count", memory.count(sel));
    root.put("next", shown.more() ? pageUrl(ctx, page + 1, size) : null);
    root.put("previous", page > 1 ? pageUrl(ctx, page - 1, size) : null);
    ArrayNode results = root.putArray("results");
    shown.items().forEach(m -> results.add(Mem0Shapes.memory(m)));
    Json.ok(ctx, root);
  }

  /**
   * One page of a numbered listing.
   *
   * @param more whether a next page exists
   */
  private record NumberedPage(List<Memory> items, boolean more) {}

  // Mem0 pages by number; the core by cursor: walk the cursor pages up to the one asked for.
  private static NumberedPage numberedPage(TenantMemory memory, Selection sel, int page, int size) {
    String cursor = null;
    for (int i = 1; i <= page; i++) {
      Page<Memory> pg = memory.getAll(sel, new PageRequest(cursor, size));
      cursor = pg.nextCursor();
      if (i == page) {
        return new NumberedPage(pg.items(), cursor != null);
      } else if (cursor == null) {
        break;
      }
    }
    return new NumberedPage(List.of(), false);
  }

  private static int checkPageNumber(int page) {
    if (page < 1) {
      throw new InvalidRequestException("page", "page must be 1 or more");
    }
    return page;
  }

  private static int checkPageSize(int size) {
    if (size < 1 || size > PageRequest.MAX_SIZE) {
      throw new InvalidRequestException(
          "page_size", "page_size must be 1 to " + PageRequest.MAX_SIZE);
    }
    return size;
  }

  private static String pageUrl(Context ctx, int page, int size) {
    String host = ctx.host() == null ? "localhost" : ctx.host();
    return ctx.scheme() + "://" + host + ctx.path() + "?page=" + page + "&page_size=" + size;
  }

  // ---- by id ----

  private void get(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    String id = ctx.pathParam("memory_id");
    Memory m = auth.memory(p).get(id, p.readById()).orElseThrow(() -> Ids.memoryNotFound(id));
    Json.ok(ctx, Mem0Shapes.memory(m));
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
    Memory updated = apply(auth.memory(p), p, id, in.text(), in.metadata());
    ObjectNode n = Mem0Shapes.memory(updated);
    n.put("text", updated.text());
    Json.ok(ctx, n);
  }

  /** Updates one memory (text, metadata or both; absent ones unchanged) and reads it back. */
  private static Memory apply(
      TenantMemory memory,
      Principal.Tenant p,
      String id,
      @Nullable String text,
      @Nullable JsonNode metadata) {
    Selection sel = p.writeById();
    String newText = text;
    if (newText == null) {
      newText = memory.get(id, sel).orElseThrow(() -> Ids.memoryNotFound(id)).text();
    }
    Map<String, Object> md =
        metadata == null || metadata.isNull() ? null : Json.object("metadata", metadata);
    memory.update(id, newText, md, sel);
    return memory.get(id, sel).orElseThrow(() -> Ids.memoryNotFound(id));
  }

  private void delete(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    String id = ctx.pathParam("memory_id");
    auth.memory(p).delete(id, p.writeById());
    Json.ok(ctx, Mem0Shapes.message("Memory deleted successfully!"));
  }

  private void history(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    String id = ctx.pathParam("memory_id");
    TenantMemory memory = auth.memory(p);
    List<HistoryEntry> entries = memory.history(id, p.readById());
    Optional<Memory> live = memory.get(id, p.readById());
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    entries.forEach(h -> out.add(Mem0Shapes.history(h, live)));
    Json.ok(ctx, out);
  }

  // ---- delete all, entities, batch ----

  private void deleteAll(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    Mem0Requests.refuseAppId(ctx.queryParam("app_id"));
    String user = ctx.queryParam("user_id");
    String agent = ctx.queryParam("agent_id");
    String run = ctx.queryParam("run_id");
    boolean wildcard = "*".equals(user) || "*".equals(agent) || "*".equals(run);
    TenantMemory memory = auth.memory(p);
    long deleted;
    if (wildcard) {
      if (!(Mem0Requests.isWildOrEmpty(user)
          && Mem0Requests.isWildOrEmpty(agent)
          && Mem0Requests.isWildOrEmpty(run))) {
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
    ObjectNode n = Mem0Shapes.message("Memories deleted successfully!");
    n.put("deleted", deleted);
    Json.ok(ctx, n);
  }

  private void entities(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    TenantMemory memory = auth.memory(p);
    String user = p.user();
    Selection sel = user != null ? Selection.in(Scope.user(user)) : Selection.everywhere();
    List<Mem0Entities.Entity> all = Mem0Entities.scan(memory, sel);
    // Without page or page_size every entity is listed (the clients' deleteUsers() deletes what
    // users() returns: a silent first page would leave the rest behind); with either, Mem0's
    // pages (page_size 100 by default).
    int page = checkPageNumber(QueryParams.integer(ctx, "page", 1));
    boolean paged = ctx.queryParam("page_size") != null || ctx.queryParam("page") != null;
    int size = checkPageSize(QueryParams.integer(ctx, "page_size", DEFAULT_PAGE_SIZE));
    List<Mem0Entities.Entity> shown = all;
    boolean more = false;
    if (paged) {
      long from = (long) (page - 1) * size;
      shown =
          from >= all.size()
              ? List.of()
              : all.subList((int) from, (int) Math.min(all.size(), from + size));
      more = from + size < all.size();
    }
    ObjectNode root = Json.object();
    root.put("count", all.size());
    root.put("next", more ? pageUrl(ctx, page + 1, size) : null);
    root.put("previous", paged && page > 1 ? pageUrl(ctx, page - 1, size) : null);
    ArrayNode results = root.putArray("results");
    shown.forEach(e -> results.add(Mem0Shapes.entity(e, p.tenant())));
    Json.ok(ctx, root);
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
    Json.ok(ctx, Mem0Shapes.message("Entity deleted successfully."));
  }

  private void batchUpdate(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    List<Mem0Requests.BatchItem> items =
        Mem0Requests.batchItems(Json.lenient(ctx, Mem0Requests.Batch.class));
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
      apply(memory, p, it.id(), it.text(), it.metadata());
    }
    Json.ok(ctx, Mem0Shapes.message("Successfully updated " + items.size() + " memories"));
  }

  private void batchDelete(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    List<Mem0Requests.BatchItem> items =
        Mem0Requests.batchItems(Json.lenient(ctx, Mem0Requests.Batch.class));
    TenantMemory memory = auth.memory(p);
    checkAllVisible(memory, p, items);
    for (Mem0Requests.BatchItem it : items) {
      memory.delete(it.id(), p.writeById());
    }
    Json.ok(ctx, Mem0Shapes.message("Successfully deleted " + items.size() + " memories"));
  }

  // All ids are checked before anything is written, so a batch naming a foreign or missing id
  // changes nothing.
  private static void checkAllVisible(
      TenantMemory memory, Principal.Tenant p, List<Mem0Requests.BatchItem> items) {
    for (Mem0Requests.BatchItem it : items) {
      if (memory.get(it.id(), p.writeById()).isEmpty()) {
        throw Ids.memoryNotFound(it.id());
      }
    }
  }
}
