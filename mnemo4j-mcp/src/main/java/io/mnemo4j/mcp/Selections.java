package io.mnemo4j.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Scope;
import io.mnemo4j.Selection;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.filter.FilterParser;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Which memories {@code search_memories} and {@code get_memories} read, from their {@code filters}
 * and the caller.
 *
 * <ul>
 *   <li>Top-level equalities on {@code user_id}, {@code agent_id} and {@code run_id} (directly or
 *       inside a top-level {@code AND}) become the scope, and organisation (tenant-wide) memory is
 *       read next to it; the rest of the filter narrows both.
 *   <li>A filter naming an entity otherwise ({@code "*"}, {@code in}, inside {@code OR}...) reads
 *       the whole tenant through that filter.
 *   <li>A filter naming no entity reads the caller's default user (else default agent) plus
 *       organisation memory, as Mem0's server injects its default user; with no default, only
 *       organisation memory, as the CLI's search without a scope.
 *   <li>A narrowed caller always reads its user's scope (plus organisation memory); a filter naming
 *       another user at the top level is refused.
 * </ul>
 *
 * Stateless.
 */
final class Selections {
  private static final List<String> ENTITIES = List.of("user_id", "agent_id", "run_id");

  private Selections() {}

  static Selection forRead(Caller caller, Optional<ObjectNode> filters) {
    // Parsed as sent first, so error paths (filters.AND[2]...) point into the caller's JSON.
    FilterParser.parse(filters.orElse(null));
    Scope named = namedScope(filters.orElse(null));
    ObjectNode rest = filters.map(f -> strip(f, named)).orElse(Shapes.object());
    FilterExpr filter = FilterParser.parse(rest);
    if (caller.narrowedUser() != null) {
      caller.checkUser(named.userId(), "filters.user_id");
      return Selection.in(named.withUser(caller.narrowedUser())).withTenantWide().filter(filter);
    }
    if (!named.isTenantWide()) {
      return Selection.in(named).withTenantWide().filter(filter);
    }
    if (mentionsEntity(rest)) {
      return Selection.everywhere().filter(filter);
    }
    if (caller.defaultUser() != null) {
      return Selection.in(Scope.user(caller.defaultUser())).withTenantWide().filter(filter);
    }
    if (caller.defaultAgent() != null) {
      return Selection.in(Scope.agent(caller.defaultAgent())).withTenantWide().filter(filter);
    }
    return Selection.in(Scope.tenantWide()).filter(filter);
  }

  /** The scope named by top-level equalities; two different values of one id are refused. */
  static Scope namedScope(@Nullable ObjectNode filters) {
    Map<String, String> ids = new LinkedHashMap<>();
    if (filters != null) {
      collect(filters, ids);
      JsonNode and = filters.get("AND");
      if (and != null && and.isArray()) {
        for (JsonNode f : and) {
          if (f.isObject()) {
            collect(f, ids);
          }
        }
      }
    }
    try {
      return new Scope(ids.get("user_id"), ids.get("agent_id"), ids.get("run_id"));
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException("filters." + e.field(), e.getMessage());
    }
  }

  private static void collect(JsonNode obj, Map<String, String> ids) {
    for (String key : ENTITIES) {
      String v = equality(obj.get(key));
      if (v != null) {
        String prev = ids.putIfAbsent(key, v);
        if (prev != null && !prev.equals(v)) {
          throw new InvalidRequestException(
              "filters." + key, "filters name two different " + key + " values");
        }
      }
    }
  }

  // A plain string other than "*", or {"eq": string}: an equality that can be a scope.
  private static @Nullable String equality(@Nullable JsonNode v) {
    if (v == null) {
      return null;
    }
    if (v.isObject() && v.size() == 1 && v.has("eq")) {
      v = v.get("eq");
    }
    if (v.isTextual() && !v.asText().isEmpty() && !v.asText().equals("*")) {
      return v.asText();
    }
    return null;
  }

  /** A copy of {@code filters} without the equalities that became {@code scope}. */
  private static ObjectNode strip(ObjectNode filters, Scope scope) {
    ObjectNode copy = filters.deepCopy();
    removeScopeKeys(copy, scope);
    JsonNode and = copy.get("AND");
    if (and != null && and.isArray()) {
      ArrayNode kept = Shapes.MAPPER.createArrayNode();
      for (JsonNode f : and) {
        if (f.isObject()) {
          removeScopeKeys((ObjectNode) f, scope);
          if (f.isEmpty()) {
            continue;
          }
        }
        kept.add(f);
      }
      if (kept.isEmpty()) {
        copy.remove("AND");
      } else {
        copy.set("AND", kept);
      }
    }
    return copy;
  }

  private static void removeScopeKeys(ObjectNode obj, Scope scope) {
    remove(obj, "user_id", scope.userId());
    remove(obj, "agent_id", scope.agentId());
    remove(obj, "run_id", scope.runId());
  }

  private static void remove(ObjectNode obj, String key, @Nullable String value) {
    if (value != null && value.equals(equality(obj.get(key)))) {
      obj.remove(key);
    }
  }

  /** Whether any key anywhere in {@code node} is an entity id. */
  private static boolean mentionsEntity(JsonNode node) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        if (ENTITIES.contains(e.getKey()) || mentionsEntity(e.getValue())) {
          return true;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode n : node) {
        if (mentionsEntity(n)) {
          return true;
        }
      }
    }
    return false;
  }
}
