package io.mnemo4j.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryEvent;
import io.mnemo4j.Scope;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The writing tools: {@code update_memory}, {@code delete_memory}, {@code delete_all_memories} and
 * {@code delete_entities}, each held to the caller's write scope. Stateless and thread-safe.
 */
final class WriteTools {
  private WriteTools() {}

  /** {@code update_memory}: new text for one memory in the caller's write scope. */
  static JsonNode updateMemory(Caller caller, Args args) {
    String id = ToolSupport.memoryId(args);
    String text = args.requiredString("text");
    Selection sel = caller.writeById();
    ToolSupport.byId(() -> caller.memory().update(id, text, null, sel));
    Memory m =
        ToolSupport.byId(() -> caller.memory().get(id, sel))
            .orElseThrow(() -> ToolSupport.notFound(id));
    ObjectNode n = Shapes.memory(m);
    n.put("text", m.text());
    return n;
  }

  /** {@code delete_memory}: one memory in the caller's write scope. */
  static JsonNode deleteMemory(Caller caller, Args args) {
    String id = ToolSupport.memoryId(args);
    MemoryEvent e = ToolSupport.byId(() -> caller.memory().delete(id, caller.writeById()));
    ObjectNode n = Shapes.message("Memory deleted successfully!");
    n.put("id", e.id());
    return n;
  }

  /** {@code delete_all_memories}: a scope's memories, or the tenant's with {@code "*"}. */
  static JsonNode deleteAllMemories(Caller caller, Args args) {
    ToolSupport.refuseAppId(args);
    Optional<String> user = args.string("user_id");
    Optional<String> agent = args.string("agent_id");
    Optional<String> run = args.string("run_id");
    TenantMemory memory = caller.memory();
    long deleted;
    if (ToolSupport.isWild(user) || ToolSupport.isWild(agent) || ToolSupport.isWild(run)) {
      if (!(ToolSupport.wildOrEmpty(user)
          && ToolSupport.wildOrEmpty(agent)
          && ToolSupport.wildOrEmpty(run))) {
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
      Scope scope =
          ToolSupport.scope(
              user.orElse(caller.defaultUser()), agent.orElse(null), run.orElse(null));
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

  /** {@code delete_entities}: every memory of each user, agent or run named. */
  static JsonNode deleteEntities(Caller caller, Args args) {
    ToolSupport.refuseAppId(args);
    List<Scope> entities = new ArrayList<>();
    args.string("user_id").ifPresent(u -> entities.add(ToolSupport.scope(u, null, null)));
    args.string("agent_id").ifPresent(a -> entities.add(ToolSupport.scope(null, a, null)));
    args.string("run_id").ifPresent(r -> entities.add(ToolSupport.scope(null, null, r)));
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
}
