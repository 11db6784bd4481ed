package io.mnemo4j.mcp;

import static io.mnemo4j.mcp.ToolDefinitions.ADD_MEMORY;
import static io.mnemo4j.mcp.ToolDefinitions.DELETE_ALL_MEMORIES;
import static io.mnemo4j.mcp.ToolDefinitions.DELETE_ENTITIES;
import static io.mnemo4j.mcp.ToolDefinitions.DELETE_MEMORY;
import static io.mnemo4j.mcp.ToolDefinitions.GET_MEMORIES;
import static io.mnemo4j.mcp.ToolDefinitions.GET_MEMORY;
import static io.mnemo4j.mcp.ToolDefinitions.LIST_ENTITIES;
import static io.mnemo4j.mcp.ToolDefinitions.SEARCH_MEMORIES;
import static io.mnemo4j.mcp.ToolDefinitions.UPDATE_MEMORY;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.AddOptions;
import io.mnemo4j.AddResult;
import io.mnemo4j.ConflictException;
import io.mnemo4j.EventType;
import io.mnemo4j.Hit;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryEvent;
import io.mnemo4j.Message;
import io.mnemo4j.ModelException;
import io.mnemo4j.NotFoundException;
import io.mnemo4j.OverloadedException;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.Selection;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantMemory;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory tools of Mem0's MCP server, over one tenant's memory per {@link Caller}: {@code
 * add_memory}, {@code search_memories}, {@code get_memories}, {@code get_memory}, {@code
 * update_memory}, {@code delete_memory}, {@code delete_all_memories}, {@code delete_entities} and
 * {@code list_entities}, with Mem0's argument names and answer shapes (JSON text, also given as
 * structured content).
 *
 * <p>Every failure is a tool result with {@code isError: true} whose text is {@code
 * {"error":{"code","message","field"}}}, the REST API's error shape: {@code field} names the
 * argument ({@code limit}, {@code filters.AND[1].created_at}, {@code messages[0].role}). A call
 * never throws and never ends the session. Thread-safe.
 */
public final class MemoryTools {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryTools.class);
  private static final int MAX_MESSAGES = 256;
  private static final int MAX_SKIPPED = 100_000;
  private static final int ENTITY_SCAN_LIMIT = 1_000_000;

  private final List<McpSchema.Tool> tools = ToolDefinitions.all();
  private final Map<String, Set<String>> arguments = new LinkedHashMap<>();
  private final ToolListener listener;

  private MemoryTools(ToolListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    for (McpSchema.Tool t : tools) {
      arguments.put(t.name(), new LinkedHashSet<>(ToolDefinitions.argumentNames(t)));
    }
  }

  /** The tool set, reporting to no one. */
  public static MemoryTools create() {
    return new MemoryTools(ToolListener.NONE);
  }

  /** The tool set, reporting every finished call to {@code listener}. */
  public static MemoryTools create(ToolListener listener) {
    return new MemoryTools(listener);
  }

  /** The tools as listed by {@code tools/list}: names, descriptions, input schemas and hints. */
  public List<McpSchema.Tool> tools() {
    return tools;
  }

  /**
   * Runs one tool for {@code caller}. Never throws: failures are results with {@code isError} true.
   */
  public McpSchema.CallToolResult call(
      Caller caller, String tool, @Nullable Map<String, Object> args) {
    long t0 = System.nanoTime();
    List<EventType> events = new ArrayList<>();
    String errorCode = null;
    McpSchema.CallToolResult result;
    try {
      result = success(run(caller, tool, args, events));
    } catch (RuntimeException e) {
      Problem p = problem(caller, tool, e);
      errorCode = p.code();
      result = failure(p);
    }
    ToolCall call =
        new ToolCall(
            tool,
            caller.memory().info().id(),
            caller.principal(),
            errorCode,
            events,
            Duration.ofNanos(System.nanoTime() - t0));
    try {
      listener.called(call);
    } catch (RuntimeException e) {
      LOG.warn("tool listener failed on {}: {}", tool, e.toString());
    }
    LOG.debug(
        "tool={} tenant={} caller={} error={} ms={}",
        tool,
        call.tenant().value(),
        call.principal(),
        errorCode == null ? "-" : errorCode,
        call.took().toMillis());
    return result;
  }

  /** The tools bound to one caller, for a session (stdio) server. */
  List<McpServerFeatures.SyncToolSpecification> forSession(Caller caller) {
    return tools.stream()
        .map(
            t ->
                McpServerFeatures.SyncToolSpecification.builder()
                    .tool(t)
                    .callHandler((exchange, req) -> call(caller, t.name(), req.arguments()))
                    .build())
        .toList();
  }

  /** The tools resolving their caller from each request's transport context (stateless HTTP). */
  List<McpStatelessServerFeatures.SyncToolSpecification> forRequests(
      Function<McpTransportContext, Caller> callers) {
    return tools.stream()
        .map(
            t ->
                McpStatelessServerFeatures.SyncToolSpecification.builder()
                    .tool(t)
                    .callHandler((ctx, req) -> call(callers.apply(ctx), t.name(), req.arguments()))
                    .build())
        .toList();
  }

  private JsonNode run(
      Caller caller, String tool, @Nullable Map<String, Object> raw, List<EventType> events) {
    Set<String> known = arguments.get(tool);
    if (known == null) {
      throw new ToolException("not_found", "no tool named '" + Args.clip(tool) + "'", "name");
    }
    Args args = Args.of(tool, raw, known);
    return switch (tool) {
      case ADD_MEMORY -> addMemory(caller, args, events);
      case SEARCH_MEMORIES -> searchMemories(caller, args);
      case GET_MEMORIES -> getMemories(caller, args);
      case GET_MEMORY -> getMemory(caller, args);
      case UPDATE_MEMORY -> updateMemory(caller, args);
      case DELETE_MEMORY -> deleteMemory(caller, args);
      case DELETE_ALL_MEMORIES -> deleteAllMemories(caller, args);
      case DELETE_ENTITIES -> deleteEntities(caller, args);
      case LIST_ENTITIES -> listEntities(caller);
      default -> throw new IllegalStateException("tool without implementation: " + tool);
    };
  }

  // ---- add ----

  private static JsonNode addMemory(Caller caller, Args args, List<EventType> events) {
    refuseAppId(args);
    String text = args.requiredString("text");
    List<Message> messages = messages(args).orElseGet(() -> List.of(userMessage(text)));
    Optional<String> user = args.string("user_id");
    Optional<String> agent = args.string("agent_id");
    Optional<String> run = args.string("run_id");
    Scope requested;
    if (user.isEmpty() && agent.isEmpty() && run.isEmpty()) {
      requested = new Scope(caller.defaultUser(), caller.defaultAgent(), null);
    } else {
      // As Mem0's server: ids named in the call replace the defaults.
      requested = scope(user.orElse(null), agent.orElse(null), run.orElse(null));
    }
    Scope scope = caller.writeScope(requested, "user_id");
    AddOptions options = AddOptions.none();
    Optional<ObjectNode> metadata = args.object("metadata");
    if (metadata.isPresent()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> md = Shapes.MAPPER.convertValue(metadata.get(), Map.class);
      options = options.withMetadata(md);
    }
    AddResult result = caller.memory().ingest(messages, scope, options);
    result.events().forEach(e -> events.add(e.event()));
    ObjectNode answer = Shapes.added(result);
    if (args.bool("enable_graph").orElse(false)) {
      answer.putArray("relations");
    }
    return answer;
  }

  private static Message userMessage(String text) {
    try {
      return new Message(Role.USER, text, null);
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException("text", e.getMessage().replace("message content", "text"));
    }
  }

  private static Optional<List<Message>> messages(Args args) {
    Optional<JsonNode> node = args.array("messages");
    if (node.isEmpty() || node.get().isEmpty()) {
      return Optional.empty();
    }
    JsonNode items = node.get();
    if (items.size() > MAX_MESSAGES) {
      throw new InvalidRequestException(
          "messages", "at most " + MAX_MESSAGES + " messages per call");
    }
    List<Message> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      String at = "messages[" + i + "]";
      JsonNode m = items.get(i);
      if (!m.isObject()) {
        throw new InvalidRequestException(at, at + " must be an object with role and content");
      }
      for (var it = m.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!key.equals("role") && !key.equals("content") && !key.equals("name")) {
          throw new InvalidRequestException(
              at + "." + Args.clip(key),
              "unknown field '"
                  + Args.clip(key)
                  + "' in "
                  + at
                  + "; a message has role, content"
                  + " and name");
        }
      }
      String role = text(m, "role", at, true);
      String content = text(m, "content", at, true);
      String name = text(m, "name", at, false);
      Role r = Role.parse(at + ".role", Objects.requireNonNull(role));
      try {
        out.add(new Message(r, Objects.requireNonNull(content), name));
      } catch (InvalidRequestException e) {
        throw new InvalidRequestException(e.field().replace("messages", at), e.getMessage());
      }
    }
    return Optional.of(out);
  }

  private static @Nullable String text(JsonNode obj, String name, String at, boolean required) {
    JsonNode v = obj.get(name);
    if (v == null || v.isNull()) {
      if (required) {
        throw new InvalidRequestException(at + "." + name, at + "." + name + " is required");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new InvalidRequestException(at + "." + name, at + "." + name + " must be a string");
    }
    return v.asText();
  }

  // ---- search and list ----

  private static JsonNode searchMemories(Caller caller, Args args) {
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

  private static JsonNode getMemories(Caller caller, Args args) {
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

  // ---- by id ----

  private static JsonNode getMemory(Caller caller, Args args) {
    String id = memoryId(args);
    Memory m =
        byId(() -> caller.memory().get(id, caller.readById())).orElseThrow(() -> notFound(id));
    return Shapes.memory(m);
  }

  private static JsonNode updateMemory(Caller caller, Args args) {
    String id = memoryId(args);
    String text = args.requiredString("text");
    Selection sel = caller.writeById();
    byId(() -> caller.memory().update(id, text, null, sel));
    Memory m = byId(() -> caller.memory().get(id, sel)).orElseThrow(() -> notFound(id));
    ObjectNode n = Shapes.memory(m);
    n.put("text", m.text());
    return n;
  }

  private static JsonNode deleteMemory(Caller caller, Args args) {
    String id = memoryId(args);
    MemoryEvent e = byId(() -> caller.memory().delete(id, caller.writeById()));
    ObjectNode n = Shapes.message("Memory deleted successfully!");
    n.put("id", e.id());
    return n;
  }

  private static String memoryId(Args args) {
    return args.requiredString("memory_id").strip();
  }

  // The core names a malformed id "id"; the tools' argument is memory_id.
  private static <T> T byId(java.util.function.Supplier<T> op) {
    try {
      return op.get();
    } catch (InvalidRequestException e) {
      throw e.field().equals("id") ? new InvalidRequestException("memory_id", e.getMessage()) : e;
    }
  }

  private static NotFoundException notFound(String id) {
    return new NotFoundException("memory " + id + " not found");
  }

  // ---- deletes of scopes and entities ----

  private static JsonNode deleteAllMemories(Caller caller, Args args) {
    refuseAppId(args);
    Optional<String> user = args.string("user_id");
    Optional<String> agent = args.string("agent_id");
    Optional<String> run = args.string("run_id");
    TenantMemory memory = caller.memory();
    long deleted;
    if (isWild(user) || isWild(agent) || isWild(run)) {
      if (!(wildOrEmpty(user) && wildOrEmpty(agent) && wildOrEmpty(run))) {
        throw new InvalidRequestException(
            "user_id", "\"*\" deletes every memory and cannot be combined with an id");
      }
      if (caller.narrowedUser() != null) {
        throw new ToolException(
            "forbidden",
            "this key is limited to one user and cannot delete the whole tenant",
            "user_id");
      }
      deleted = memory.deleteAll(TenantMemory.Wildcard.ALL);
    } else {
      // As Mem0's server: the user defaults to the session's even when an agent or run is named.
      Scope scope = scope(user.orElse(caller.defaultUser()), agent.orElse(null), run.orElse(null));
      if (scope.isTenantWide() && caller.defaultAgent() != null) {
        scope = Scope.agent(caller.defaultAgent());
      }
      if (scope.isTenantWide()) {
        throw new InvalidRequestException(
            "user_id",
            "delete_all_memories needs user_id, agent_id or run_id (this session has no default"
                + " user); user_id \"*\" deletes every memory of the organisation");
      }
      deleted = memory.deleteAll(caller.writeScope(scope, "user_id"));
    }
    ObjectNode n = Shapes.message("Memories deleted successfully!");
    n.put("deleted", deleted);
    return n;
  }

  private static JsonNode deleteEntities(Caller caller, Args args) {
    refuseAppId(args);
    List<Scope> entities = new ArrayList<>();
    args.string("user_id").ifPresent(u -> entities.add(scope(u, null, null)));
    args.string("agent_id").ifPresent(a -> entities.add(scope(null, a, null)));
    args.string("run_id").ifPresent(r -> entities.add(scope(null, null, r)));
    if (entities.isEmpty()) {
      throw new InvalidRequestException(
          "user_id", "delete_entities needs user_id, agent_id or run_id");
    }
    List<Scope> targets = new ArrayList<>();
    for (Scope s : entities) {
      targets.add(caller.writeScope(s, "user_id")); // all checked before anything is deleted
    }
    long deleted = 0;
    for (Scope s : targets) {
      deleted += caller.memory().deleteAll(s);
    }
    ObjectNode n =
        Shapes.message(
            entities.size() == 1
                ? "Entity deleted successfully."
                : "Entities deleted successfully.");
    n.put("deleted", deleted);
    return n;
  }

  private static JsonNode listEntities(Caller caller) {
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

  // ---- shared ----

  private static Scope scope(@Nullable String user, @Nullable String agent, @Nullable String run) {
    return new Scope(user, agent, run); // validates each id and names the argument it refuses
  }

  private static boolean isWild(Optional<String> id) {
    return id.isPresent() && id.get().equals("*");
  }

  private static boolean wildOrEmpty(Optional<String> id) {
    return id.isEmpty() || id.get().equals("*");
  }

  private static void refuseAppId(Args args) {
    if (args.string("app_id").isPresent()) {
      throw new InvalidRequestException(
          "app_id",
          "app_id is not supported by Mnemo4j; scope memories with user_id, agent_id or run_id");
    }
  }

  // ---- results ----

  /** The code, message and argument of a failed call. */
  record Problem(String code, String message, @Nullable String field) {}

  private static McpSchema.CallToolResult success(JsonNode answer) {
    return McpSchema.CallToolResult.builder()
        .content(List.of(McpSchema.TextContent.builder(json(answer)).build()))
        .structuredContent(Shapes.MAPPER.convertValue(answer, Map.class))
        .isError(false)
        .build();
  }

  private static McpSchema.CallToolResult failure(Problem p) {
    ObjectNode root = Shapes.object();
    ObjectNode err = root.putObject("error");
    err.put("code", p.code());
    err.put("message", p.message());
    err.put("field", p.field());
    return McpSchema.CallToolResult.builder()
        .content(List.of(McpSchema.TextContent.builder(json(root)).build()))
        .structuredContent(Shapes.MAPPER.convertValue(root, Map.class))
        .isError(true)
        .build();
  }

  /** The one exception-to-error table of the tools, the same codes as the REST API's. */
  private static Problem problem(Caller caller, String tool, RuntimeException e) {
    return switch (e) {
      case InvalidRequestException ire ->
          new Problem("invalid_request", ire.getMessage(), ire.field());
      case ToolException te -> new Problem(te.code(), te.getMessage(), te.field());
      case NotFoundException nf -> new Problem("not_found", nf.getMessage(), null);
      case ConflictException c -> new Problem("conflict", c.getMessage(), null);
      case OverloadedException o -> new Problem("overloaded", o.getMessage(), null);
      case StoreUnavailableException su -> {
        LOG.warn("store unavailable in tool {}: {}", tool, su.getMessage());
        yield new Problem("store_unavailable", "the store is unavailable; retry later", null);
      }
      case ModelException me -> {
        LOG.warn("model failure in tool {}: {}", tool, me.getMessage());
        yield me.retriable()
            ? new Problem("model_unavailable", "the model is unavailable; retry later", null)
            : new Problem("model_error", "the model failed", null);
      }
      default -> {
        String incident = UUID.randomUUID().toString();
        LOG.error(
            "internal error {} in tool {} (tenant {})",
            incident,
            tool,
            caller.memory().info().id().value(),
            e);
        yield new Problem("internal_error", "internal error; incident " + incident, null);
      }
    };
  }

  private static String json(JsonNode n) {
    try {
      return Shapes.MAPPER.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }
}
