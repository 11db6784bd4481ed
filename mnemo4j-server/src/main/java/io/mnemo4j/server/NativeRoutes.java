package io.mnemo4j.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.mnemo4j.AddOptions;
import io.mnemo4j.EventType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Hit;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryEvent;
import io.mnemo4j.Message;
import io.mnemo4j.NotFoundException;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.filter.FilterParser;
import io.mnemo4j.json.WireJson;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The native memory API under {@code /v1/mem}: add, search, list (cursor pages), get, update,
 * delete, delete-all, history. The tenant is the key's; a user-narrowed key is held to its user.
 * Thread-safe (stateless apart from its collaborators).
 */
final class NativeRoutes {
  static final String PREFIX = "/v1/mem";
  private static final int DEFAULT_PAGE_SIZE = 100;
  private static final Set<String> LIST_PARAMS =
      Set.of(
          "user_id",
          "agent_id",
          "run_id",
          "include_tenant_wide",
          "all",
          "filters",
          "cursor",
          "page_size");

  private final Auth auth;
  private final ServerMetrics metrics;

  NativeRoutes(Auth auth, ServerMetrics metrics) {
    this.auth = auth;
    this.metrics = metrics;
  }

  void register(RoutesConfig r) {
    r.post(PREFIX + "/add", this::add);
    r.post(PREFIX + "/search", this::search);
    r.post(PREFIX + "/delete-all", this::deleteAll);
    r.get(PREFIX, this::list);
    r.get(PREFIX + "/{id}", this::get);
    r.put(PREFIX + "/{id}", this::update);
    r.delete(PREFIX + "/{id}", this::delete);
    r.get(PREFIX + "/{id}/history", this::history);
  }

  private void add(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    Requests.AddIn in = Json.strict(ctx, Requests.AddIn.class);
    List<Message> messages = Requests.messages(in);
    Scope scope = p.writeScope(Scope.of(in.userId(), in.agentId(), in.runId()));
    AddOptions options =
        Requests.addOptions(
            in.metadata(), in.categories(), Requests.instant("expires_at", in.expiresAt()));
    TenantMemory memory = auth.memory(p);
    List<MemoryEvent> events = memory.add(messages, scope, options);
    countAdds(p, events);
    Json.ok(ctx, WireJson.events(events));
  }

  void countAdds(Principal.Tenant p, List<MemoryEvent> events) {
    Map<EventType, Long> byEvent =
        events.stream().collect(Collectors.groupingBy(MemoryEvent::event, Collectors.counting()));
    byEvent.forEach((e, n) -> metrics.added(p.tenant(), e.name(), n.intValue()));
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
    Map<String, List<String>> params = ctx.queryParamMap();
    for (Map.Entry<String, List<String>> e : params.entrySet()) {
      if (!LIST_PARAMS.contains(e.getKey())) {
        throw new InvalidRequestException(
            clip(e.getKey()),
            "unknown query parameter '"
                + clip(e.getKey())
                + "'; allowed: "
                + LIST_PARAMS.stream().sorted().toList());
      }
      if (e.getValue().size() > 1) {
        throw new InvalidRequestException(
            e.getKey(), "query parameter '" + e.getKey() + "' is given more than once");
      }
    }
    Function<String, String> q = ctx::queryParam;
    Scope requested = Scope.of(q.apply("user_id"), q.apply("agent_id"), q.apply("run_id"));
    String filters = q.apply("filters");
    FilterExpr filter = filters == null ? new FilterExpr.All() : FilterParser.parse(filters);
    Selection sel =
        Requests.selection(
            p, requested, bool(ctx, "include_tenant_wide"), bool(ctx, "all"), filter);
    int size = intParam(ctx, "page_size", DEFAULT_PAGE_SIZE);
    String cursor = q.apply("cursor");
    Page<Memory> page = auth.memory(p).getAll(sel, new PageRequest(cursor, size));
    ObjectNode root = Json.object();
    ArrayNode results = root.putArray("results");
    page.items().forEach(m -> results.add(WireJson.memory(m)));
    root.put("next_cursor", page.nextCursor());
    Json.ok(ctx, root);
  }

  private void get(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    String id = ctx.pathParam("id");
    Memory m = auth.memory(p).get(id, p.readById()).orElseThrow(() -> notFound(id));
    Json.ok(ctx, WireJson.memory(m));
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
      text = memory.get(id, sel).orElseThrow(() -> notFound(id)).text();
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
    List<HistoryEntry> entries = auth.memory(p).history(id, p.readById());
    ObjectNode root = Json.object();
    ArrayNode results = root.putArray("results");
    entries.forEach(h -> results.add(WireJson.history(h)));
    Json.ok(ctx, root);
  }

  static NotFoundException notFound(String id) {
    return new NotFoundException("memory " + clip(id) + " not found");
  }

  static String clip(String s) {
    String c = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    StringBuilder sb = new StringBuilder(c.length());
    for (char ch : c.toCharArray()) {
      sb.append(Character.isISOControl(ch) ? '?' : ch);
    }
    return sb.toString();
  }

  static boolean bool(Context ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return false;
    }
    return switch (v) {
      case "true", "1" -> true;
      case "false", "0", "" -> false;
      default -> throw new InvalidRequestException(name, name + " must be true or false");
    };
  }

  static int intParam(Context ctx, String name, int dflt) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(name, name + " must be an integer");
    }
  }
}
