package io.mnemo4j.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.mnemo4j.AddOptions;
import io.mnemo4j.AddResult;
import io.mnemo4j.AddStatus;
import io.mnemo4j.EntityCount;
import io.mnemo4j.EntityType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Hit;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryType;
import io.mnemo4j.Message;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.filter.FilterParser;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The native memory API under {@code /v1/mem}: add (synchronous or queued, with the language model
 * when configured), search, list (cursor pages; both can look at the past with {@code as_of}), get,
 * update, delete, delete-all, history; and {@code /v1/events/{id}} to poll add operations. The
 * tenant is the key's; a user-narrowed key is held to its user. Thread-safe (stateless apart from
 * its collaborators).
 */
final class NativeRoutes {
  static final String PREFIX = "/v1/mem";

  /** Where add operations (asynchronous or idempotency-keyed adds) are polled. */
  static final String EVENTS = "/v1/events";

  /** Describes the calling key (any valid key). */
  static final String WHOAMI = "/v1/whoami";

  private static final int DEFAULT_PAGE_SIZE = 100;

  /** The query parameters that choose a selection (list, count). */
  private static final Set<String> SELECTION_PARAMS =
      Set.of(
          "user_id",
          "agent_id",
          "run_id",
          "include_tenant_wide",
          "all",
          "filters",
          "as_of",
          "include_expired",
          "include_closed");

  private static final Set<String> LIST_PARAMS =
      union(SELECTION_PARAMS, Set.of("cursor", "page_size"));

  private static final Set<String> ENTITY_PARAMS =
      Set.of(
          "type",
          "user_id",
          "agent_id",
          "run_id",
          "filters",
          "as_of",
          "include_expired",
          "include_closed",
          "cursor",
          "page_size");

  private final Auth auth;
  private final AddOperations adds;
  private final ServerMetrics metrics;

  NativeRoutes(Auth auth, AddOperations adds, ServerMetrics metrics) {
    this.auth = auth;
    this.adds = adds;
    this.metrics = metrics;
  }

  void register(RoutesConfig r) {
    r.get(WHOAMI, this::whoami);
    r.post(PREFIX + "/add", this::add);
    r.post(PREFIX + "/search", this::search);
    r.post(PREFIX + "/delete-all", this::deleteAll);
    r.get(PREFIX, this::list);
    // Fixed paths before /{id}, which would otherwise take "count" and "entities" for ids.
    r.get(PREFIX + "/count", this::count);
    r.get(PREFIX + "/entities", this::entities);
    r.get(PREFIX + "/{id}", this::get);
    r.put(PREFIX + "/{id}", this::update);
    r.delete(PREFIX + "/{id}", this::delete);
    r.get(PREFIX + "/{id}/history", this::history);
    r.get(PREFIX + "/{id}/versions", this::versions);
    r.get(EVENTS + "/{id}", this::event);
  }

  /**
   * {@code {"key_id","role","tenant","user_id"}}: what the calling key is (role {@code admin} or
   * {@code tenant}; a tenant key's tenant and, when narrowed, its user). Never the secret.
   */
  private void whoami(Context ctx) {
    ObjectNode n = Json.object();
    switch (auth.any(ctx)) {
      case Principal.Admin a -> {
        n.put("key_id", a.keyId());
        n.put("role", "admin");
        n.putNull("tenant");
        n.putNull("user_id");
      }
      case Principal.Tenant t -> {
        auth.memory(t); // a key of a tenant purged a moment ago is no longer valid: 401
        n.put("key_id", t.keyId());
        n.put("role", "tenant");
        n.put("tenant", t.tenant().value());
        n.put("user_id", t.user());
      }
    }
    Json.ok(ctx, n);
  }

  private void add(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    Requests.AddIn in = Json.strict(ctx, Requests.AddIn.class);
    List<Message> messages = Requests.messages(in);
    Scope scope = p.writeScope(Scope.of(in.userId(), in.agentId(), in.runId()));
    AddOptions options =
        Requests.addOptions(
                in.metadata(), in.categories(), Requests.instant("expires_at", in.expiresAt()))
            .withInfer(
                in.infer() == null
                    ? AddOptions.Infer.AUTO
                    : in.infer() ? AddOptions.Infer.ON : AddOptions.Infer.OFF)
            .withIdempotencyKey(AddOperations.idempotencyKey(ctx, in.idempotencyKey()))
            .withSessionDate(Requests.dateOrInstant("session_date", in.sessionDate()))
            .withInstructions(in.instructions())
            .withProcedural(procedural(in.memoryType()));
    if (in.nearDuplicateThreshold() != null) {
      options = options.withNearDuplicateThreshold(in.nearDuplicateThreshold());
    }
    TenantMemory memory = auth.memory(p);
    if (Requests.flag(in.async())) {
      AddStatus status = memory.addAsync(messages, scope, options);
      ObjectNode root = Json.object();
      root.put("event_id", status.id());
      root.put("status", status.status().wireName());
      Json.send(ctx, 202, root);
      return;
    }
    AddResult result = memory.ingest(messages, scope, options);
    adds.countApplied(p, result);
    Json.ok(ctx, Shapes.addResult(result));
  }

  private static boolean procedural(@Nullable String memoryType) {
    if (memoryType == null) {
      return false;
    }
    if (memoryType.equals(MemoryType.PROCEDURAL.wireName())) {
      return true;
    }
    throw new InvalidRequestException(
        "memory_type", "memory_type must be procedural (or omitted for facts)");
  }

  private void event(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    String id = ctx.pathParam("id");
    Json.ok(ctx, Shapes.addStatus(adds.status(p, id, "id")));
  }

  private void search(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    Requests.SearchIn in = Json.strict(ctx, Requests.SearchIn.class);
    String query = Requests.required("query", in.query());
    Scope requested = Scope.of(in.userId(), in.agentId(), in.runId());
    Selection sel =
        Requests.selection(
            p,
            requested,
            Requests.flag(in.includeTenantWide()),
            Requests.flag(in.all()),
            Requests.filter(in.filters()));
    sel =
        Requests.view(sel, "as_of", in.asOf(), in.includeExpired())
            .includingClosed(Requests.flag(in.includeClosed()));
    Search search =
        new Search(
            sel,
            in.limit() == null ? Search.DEFAULT_LIMIT : in.limit(),
            in.threshold() == null ? 0 : in.threshold(),
            Requests.mode(in.mode()));
    List<Hit> hits = auth.memory(p).search(query, search);
    metrics.searched(p.tenant());
    ObjectNode root = Json.object();
    ArrayNode results = root.putArray("results");
    hits.forEach(h -> results.add(WireJson.hit(h)));
    Json.ok(ctx, root);
  }

  private void list(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    QueryParams.checkOnly(ctx, LIST_PARAMS);
    Selection sel = selection(ctx, p);
    int size = QueryParams.integer(ctx, "page_size", DEFAULT_PAGE_SIZE);
    String cursor = Requests.cursor("cursor", ctx.queryParam("cursor"));
    Page<Memory> page = auth.memory(p).getAll(sel, new PageRequest(cursor, size));
    ObjectNode root = Json.object();
    ArrayNode results = root.putArray("results");
    page.items().forEach(m -> results.add(WireJson.memory(m)));
    root.put("next_cursor", page.nextCursor());
    Json.ok(ctx, root);
  }

  /**
   * {@code {"count": N}}: how many memories the list with the same parameters would page through.
   */
  private void count(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    QueryParams.checkOnly(ctx, SELECTION_PARAMS);
    long n = auth.memory(p).count(selection(ctx, p));
    ObjectNode root = Json.object();
    root.put("count", n);
    Json.ok(ctx, root);
  }

  /**
   * One page of the users, agents or runs ({@code type}) with how many memories each holds: the
   * whole tenant (a narrowed key: its user) or the given scope, narrowed by {@code filters}.
   */
  private void entities(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    QueryParams.checkOnly(ctx, ENTITY_PARAMS);
    String typeParam = ctx.queryParam("type");
    EntityType type = EntityType.parse("type", Requests.required("type", typeParam));
    Function<String, @Nullable String> q = ctx::queryParam;
    Scope requested = Scope.of(q.apply("user_id"), q.apply("agent_id"), q.apply("run_id"));
    Selection sel;
    if (p.narrowed()) {
      sel = Selection.in(p.writeScope(requested));
    } else if (requested.isTenantWide()) {
      sel = Selection.everywhere();
    } else {
      sel = Selection.in(requested);
    }
    String filters = q.apply("filters");
    sel =
        sel.filter(filters == null ? new FilterExpr.All() : FilterParser.parse(filters))
            .asOf(Requests.dateOrInstant("as_of", q.apply("as_of")))
            .includingExpired(QueryParams.bool(ctx, "include_expired"))
            .includingClosed(QueryParams.bool(ctx, "include_closed"));
    int size = QueryParams.integer(ctx, "page_size", DEFAULT_PAGE_SIZE);
    Page<EntityCount> page =
        auth.memory(p).entities(type, sel, new PageRequest(q.apply("cursor"), size));
    ObjectNode root = Json.object();
    ArrayNode results = root.putArray("results");
    for (EntityCount e : page.items()) {
      ObjectNode n = results.addObject();
      n.put("type", e.type().wireName());
      n.put("id", e.id());
      n.put("memories", e.memories());
    }
    root.put("next_cursor", page.nextCursor());
    Json.ok(ctx, root);
  }

  /** The selection a list or count asks for, with the key's limits applied. */
  private static Selection selection(Context ctx, Principal.Tenant p) {
    Function<String, @Nullable String> q = ctx::queryParam;
    Scope requested = Scope.of(q.apply("user_id"), q.apply("agent_id"), q.apply("run_id"));
    String filters = q.apply("filters");
    FilterExpr filter = filters == null ? new FilterExpr.All() : FilterParser.parse(filters);
    Selection sel =
        Requests.selection(
            p,
            requested,
            QueryParams.bool(ctx, "include_tenant_wide"),
            QueryParams.bool(ctx, "all"),
            filter);
    return sel.asOf(Requests.dateOrInstant("as_of", q.apply("as_of")))
        .includingExpired(QueryParams.bool(ctx, "include_expired"))
        .includingClosed(QueryParams.bool(ctx, "include_closed"));
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new java.util.HashSet<>(a);
    all.addAll(b);
    return Set.copyOf(all);
  }

  private void get(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    String id = ctx.pathParam("id");
    Memory m = auth.memory(p).get(id, p.readById()).orElseThrow(() -> Ids.memoryNotFound(id));
    Json.ok(ctx, Shapes.memoryDetail(m));
  }

  private void update(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    String id = ctx.pathParam("id");
    Requests.UpdateIn in = Json.strict(ctx, Requests.UpdateIn.class);
    if (in.text() == null && in.metadata() == null) {
      throw new InvalidRequestException("text", "send text, metadata or both");
    }
    TenantMemory memory = auth.memory(p);
    Selection sel = p.writeById();
    String text = in.text();
    if (text == null) {
      text = memory.get(id, sel).orElseThrow(() -> Ids.memoryNotFound(id)).text();
    }
    Map<String, Object> md =
        in.metadata() == null || in.metadata().isNull()
            ? null
            : Json.object("metadata", in.metadata());
    Json.ok(ctx, WireJson.event(memory.update(id, text, md, sel)));
  }

  private void delete(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    String id = ctx.pathParam("id");
    Json.ok(ctx, WireJson.event(auth.memory(p).delete(id, p.writeById())));
  }

  private void deleteAll(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    Requests.DeleteAllIn in = Json.strict(ctx, Requests.DeleteAllIn.class);
    Scope requested = Scope.of(in.userId(), in.agentId(), in.runId());
    boolean all = Requests.flag(in.all());
    if (all && !requested.isTenantWide()) {
      throw new InvalidRequestException(
          "all", "all cannot be combined with user_id, agent_id or run_id");
    }
    long deleted;
    if (p.narrowed()) {
      if (all) {
        throw ApiException.forbidden(
            "this API key is limited to one user and cannot delete the whole tenant");
      }
      deleted = auth.memory(p).deleteAll(p.writeScope(requested));
    } else if (all) {
      deleted = auth.memory(p).deleteAll(TenantMemory.Wildcard.ALL);
    } else if (requested.isTenantWide()) {
      throw new InvalidRequestException(
          "scope",
          "delete-all needs user_id, agent_id or run_id; to delete every memory of the tenant send \"all\": true");
    } else {
      deleted = auth.memory(p).deleteAll(requested);
    }
    ObjectNode root = Json.object();
    root.put("deleted", deleted);
    Json.ok(ctx, root);
  }

  private void history(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    String id = ctx.pathParam("id");
    TenantMemory memory = auth.memory(p);
    List<HistoryEntry> entries = memory.history(id, p.readById());
    ObjectNode root = Json.object();
    ArrayNode results = root.putArray("results");
    entries.forEach(h -> results.add(WireJson.history(h)));
    // History rows do not keep provenance: the memory's, while it exists, is where they came from.
    root.set(
        "provenance",
        memory
            .get(id, p.readById())
            .map(m -> (com.fasterxml.jackson.databind.JsonNode) WireJson.provenance(m.provenance()))
            .orElse(com.fasterxml.jackson.databind.node.NullNode.getInstance()));
    Json.ok(ctx, root);
  }

  /** {@code {"results":[memory...]}}: the closed earlier versions of a memory, oldest first. */
  private void versions(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    String id = ctx.pathParam("id");
    List<Memory> versions = auth.memory(p).versions(id, p.readById());
    ObjectNode root = Json.object();
    ArrayNode results = root.putArray("results");
    versions.forEach(m -> results.add(WireJson.memory(m)));
    Json.ok(ctx, root);
  }
}
