package io.mnemo4j.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.Hit;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantMemory;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The reading tools: {@code search_memories}, {@code get_memories} (numbered pages), {@code
 * get_memory} and {@code list_entities}. Stateless and thread-safe.
 */
final class ReadTools {
  private static final int MAX_SKIPPED = 100_000;
  private static final int ENTITY_SCAN_LIMIT = 1_000_000;

  private ReadTools() {}

  /** {@code search_memories}: hybrid search in the read selection, with each hit's score. */
  static JsonNode searchMemories(Caller caller, Args args) {
    String query = args.requiredString("query");
    int limit = args.integer("limit", 1, Search.MAX_LIMIT).orElse(ToolDefinitions.DEFAULT_LIMIT);
    Selection selection = Selections.forRead(caller, args.object("filters"));
    List<Hit> hits =
        caller.memory().search(query, new Search(selection, limit, 0, Search.Mode.HYBRID));
    ObjectNode root = Shapes.object();
    ArrayNode results = root.putArray("results");
    for (Hit h : hits) {
      ObjectNode m = Shapes.memory(h.memory());
      m.put("score", h.score());
      results.add(m);
    }
    if (args.bool("enable_graph").orElse(false)) {
      root.putArray("relations");
    }
    return root;
  }

  /** {@code get_memories}: one numbered page of the read selection, with the total count. */
  static JsonNode getMemories(Caller caller, Args args) {
    int page = args.integer("page", 1, MAX_SKIPPED).orElse(1);
    int size =
        args.integer("page_size", 1, PageRequest.MAX_SIZE)
            .orElse(ToolDefinitions.DEFAULT_PAGE_SIZE);
    if ((long) (page - 1) * size > MAX_SKIPPED) {
      throw new InvalidRequestException(
          "page", "page * page_size may skip at most " + MAX_SKIPPED + " memories");
    }
    Selection selection = Selections.forRead(caller, args.object("filters"));
    boolean graph = args.bool("enable_graph").orElse(false);
    TenantMemory memory = caller.memory();
    String cursor = null;
    List<Memory> items = List.of();
    boolean more = false;
    for (int i = 1; i <= page; i++) {
      Page<Memory> p = memory.getAll(selection, new PageRequest(cursor, size));
      cursor = p.nextCursor();
      if (i == page) {
        items = p.items();
        more = cursor != null;
      } else if (cursor == null) {
        break;
      }
    }
    ObjectNode root = Shapes.object();
    root.put("count", memory.count(selection));
    if (more) {
      root.put("next", page + 1);
    } else {
      root.putNull("next");
    }
    if (page > 1) {
      root.put("previous", page - 1);
    } else {
      root.putNull("previous");
    }
    ArrayNode results = root.putArray("results");
    items.forEach(m -> results.add(Shapes.memory(m)));
    if (graph) {
      root.putArray("relations");
    }
    return root;
  }

  /** {@code get_memory}: one memory the caller may read. */
  static JsonNode getMemory(Caller caller, Args args) {
    String id = ToolSupport.memoryId(args);
    Memory m =
        ToolSupport.byId(() -> caller.memory().get(id, caller.readById()))
            .orElseThrow(() -> ToolSupport.notFound(id));
    return Shapes.memory(m);
  }

  /** {@code list_entities}: every user, agent and run the caller may see, with counts. */
  static JsonNode listEntities(Caller caller) {
    TenantMemory memory = caller.memory();
    Selection sel =
        caller.narrowedUser() == null
            ? Selection.everywhere()
            : Selection.in(Scope.user(caller.narrowedUser()));
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
    ObjectNode root = Shapes.object();
    root.put("count", entities.size());
    root.putNull("next");
    root.putNull("previous");
    ArrayNode results = root.putArray("results");
    String owner = memory.info().id().value();
    for (Entity e : entities.values()) {
      ObjectNode n = results.addObject();
      n.put("id", e.name);
      n.put("name", e.name);
      n.put("type", e.type);
      n.put("total_memories", e.count);
      n.put("owner", owner);
      n.put("created_at", Shapes.time(e.created));
      n.put("updated_at", Shapes.time(e.updated));
    }
    return root;
  }

  /** One user, agent or run seen while listing entities. Not thread-safe (one call). */
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
}
