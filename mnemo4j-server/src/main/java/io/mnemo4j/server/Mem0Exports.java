package io.mnemo4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.NotFoundException;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantMemory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Mem0's memory export routes, answered without a language model: {@code POST /v1/exports/} ({@code
 * createMemoryExport}) records the request and answers 201 {@code {"message","id"}}; {@code POST
 * /v1/exports/get/} ({@code getMemoryExport}) answers the memories the recorded request selects, in
 * Mem0's memory shape, under the schema's list property. Mem0 fills an arbitrary Pydantic schema
 * with a model; a schema whose top level is not a list of memories (a profile with named fields)
 * would need one and is refused with 501 naming that. The export runs when it is fetched, so it is
 * never stale; the recorded requests live in memory (the latest 1,000 per server), like Mem0's
 * "latest export". Thread-safe.
 */
final class Mem0Exports {
  /** How many recorded export requests the server keeps, oldest dropped first. */
  static final int MAX_RECORDED = 1_000;

  /** The most memories one export holds. */
  static final int MAX_MEMORIES = 10_000;

  private final Auth auth;
  private final Map<String, Recorded> recorded =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Recorded> eldest) {
          return size() > MAX_RECORDED;
        }
      };

  /** One export request: whose tenant and key, which list field the memories go in, which query. */
  private record Recorded(
      String id, String tenant, String keyId, String listField, Mem0Requests.GetAll query) {}

  /**
   * {@code createMemoryExport}'s body.
   *
   * @param schema the JSON schema of the export (required)
   * @param filters Mem0 filters selecting the memories
   * @param userId only this user's memories
   * @param agentId only this agent's memories
   * @param runId only this run's memories
   * @param appId not supported (400 when set)
   * @param exportInstructions instructions for Mem0's model; there is none here, so they are
   *     ignored
   */
  record CreateIn(
      @Nullable JsonNode schema,
      @Nullable JsonNode filters,
      @Nullable String userId,
      @Nullable String agentId,
      @Nullable String runId,
      @Nullable String appId,
      @Nullable String exportInstructions) {}

  /**
   * {@code getMemoryExport}'s body.
   *
   * @param memoryExportId the export asked for; the latest of this tenant when absent
   */
  record GetIn(@Nullable String memoryExportId) {}

  Mem0Exports(Auth auth) {
    this.auth = auth;
  }

  void register(RoutesConfig r) {
    r.post("/v1/exports/", this::create);
    r.post("/v1/exports/get/", this::get);
  }

  private void create(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    CreateIn in = Json.lenient(ctx, CreateIn.class);
    Mem0Requests.refuseAppId(in.appId());
    String listField = listField(in.schema());
    Mem0Requests.GetAll query =
        new Mem0Requests.GetAll(
            in.filters(),
            in.userId(),
            in.agentId(),
            in.runId(),
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null);
    // Checks the selection now, so a bad filter is refused when the export is asked for.
    Mem0Filters.selection(p, Mem0Filters.Query.of(query));
    String id = UUID.randomUUID().toString();
    synchronized (recorded) {
      recorded.put(id, new Recorded(id, p.tenant().value(), p.keyId(), listField, query));
    }
    ObjectNode n = Json.object();
    n.put("message", "Memory export request received. The export will be ready in a few seconds.");
    n.put("id", id);
    Json.send(ctx, 201, n);
  }

  private void get(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    GetIn in = Json.lenient(ctx, GetIn.class);
    Recorded r = find(p, in.memoryExportId());
    Selection sel = Mem0Filters.selection(p, Mem0Filters.Query.of(r.query()));
    TenantMemory memory = auth.memory(p);
    ObjectNode root = Json.object();
    ArrayNode list = root.putArray(r.listField());
    String cursor = null;
    int total = 0;
    do {
      Page<Memory> page = memory.getAll(sel, new PageRequest(cursor, PageRequest.MAX_SIZE));
      for (Memory m : page.items()) {
        if (total++ == MAX_MEMORIES) {
          throw new InvalidRequestException(
              "filters",
              "an export holds at most "
                  + MAX_MEMORIES
                  + " memories; narrow the filters, or use GET /v1/tenants/{id}/export");
        }
        list.add(Mem0Shapes.memory(m));
      }
      cursor = page.nextCursor();
    } while (cursor != null);
    Json.ok(ctx, root);
  }

  /** The recorded request of this tenant (and key) with that id, or its latest. */
  private Recorded find(Principal.Tenant p, @Nullable String id) {
    String tenant = p.tenant().value();
    String key = p.keyId();
    synchronized (recorded) {
      Recorded found = null;
      for (Recorded r : recorded.values()) {
        boolean mine = r.tenant().equals(tenant) && r.keyId().equals(key);
        if (mine && (id == null || r.id().equals(id))) {
          found = r; // later entries are newer
        }
      }
      if (found == null) {
        throw new NotFoundException(
            id == null
                ? "no memory export was requested; create one with POST /v1/exports/"
                : "memory export " + Ids.clip(id) + " not found");
      }
      return found;
    }
  }

  /**
   * Where the memories go: the schema's one top-level array property, or {@code memories} for a
   * schema that is itself an array. Anything else needs a model to fill.
   */
  static String listField(@Nullable JsonNode schema) {
    if (schema == null || !schema.isObject()) {
      throw new InvalidRequestException("schema", "schema is required: a JSON schema object");
    }
    if ("array".equals(schema.path("type").asText())) {
      return "memories";
    }
    JsonNode properties = schema.get("properties");
    if (properties != null && properties.isObject()) {
      List<String> arrays = new java.util.ArrayList<>();
      for (Map.Entry<String, JsonNode> e : properties.properties()) {
        if ("array".equals(e.getValue().path("type").asText())) {
          arrays.add(e.getKey());
        }
      }
      if (arrays.size() == 1 && properties.size() == 1) {
        return arrays.get(0);
      }
    }
    throw ApiException.notImplemented(
        "memory exports into a schema other than a list of memories (filling one needs a"
            + " language model)",
        "schema");
  }
}
