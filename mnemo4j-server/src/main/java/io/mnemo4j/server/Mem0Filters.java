package io.mnemo4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Scope;
import io.mnemo4j.Selection;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.filter.FilterParser;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How a Mem0 search or listing selects memories: the scope comes from top-level ids and from
 * top-level equalities on {@code user_id}, {@code agent_id} and {@code run_id} in {@code filters};
 * the whole filter, with top-level {@code metadata} and {@code categories}, narrows further; a
 * listing's {@code start_date}/{@code end_date} narrow by creation time. Stateless and thread-safe.
 */
final class Mem0Filters {
  private static final List<String> ENTITY_IDS = List.of("user_id", "agent_id", "run_id");

  private Mem0Filters() {}

  /**
   * What a Mem0 request says about its selection.
   *
   * @param filters Mem0 v2 filters
   * @param userId top-level user id
   * @param agentId top-level agent id
   * @param runId top-level run id
   * @param metadata top-level metadata equality filter (search only)
   * @param categories top-level categories filter, any of
   */
  record Query(
      @Nullable JsonNode filters,
      @Nullable String userId,
      @Nullable String agentId,
      @Nullable String runId,
      @Nullable JsonNode metadata,
      @Nullable List<String> categories) {

    /** The selection fields of a search. */
    static Query of(Mem0Requests.Search in) {
      return new Query(
          in.filters(), in.userId(), in.agentId(), in.runId(), in.metadata(), in.categories());
    }

    /** The selection fields of a get_all listing (no top-level metadata there). */
    static Query of(Mem0Requests.GetAll in) {
      return new Query(in.filters(), in.userId(), in.agentId(), in.runId(), null, in.categories());
    }
  }

  /**
   * The selection for a Mem0 search or listing, with the key's limits applied. A request with
   * neither a scope nor filters is refused, as by Mem0.
   */
  static Selection selection(Principal.Tenant p, Query q) {
    JsonNode combined = combine(q.filters(), q.metadata(), q.categories());
    FilterExpr filter = FilterParser.parse(combined);
    Scope fromFilters = entityScope(q.filters());
    Scope scope =
        new Scope(
            merge("user_id", q.userId(), fromFilters.userId()),
            merge("agent_id", q.agentId(), fromFilters.agentId()),
            merge("run_id", q.runId(), fromFilters.runId()));
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

  /**
   * Narrows a listing to memories created from {@code start_date} to {@code end_date}, both
   * inclusive (a bare end date counts its whole day), as Mem0's get_all does.
   */
  static Selection createdBetween(
      Selection sel, @Nullable String startDate, @Nullable String endDate) {
    Instant from = Requests.dateOrInstant("start_date", Mem0Requests.emptyToNull(startDate));
    Instant to = Requests.dateOrInstant("end_date", Mem0Requests.emptyToNull(endDate), true);
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

  /** The filters, metadata and categories ANDed into one filter object, or null for none. */
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
    for (String key : ENTITY_IDS) {
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
}
