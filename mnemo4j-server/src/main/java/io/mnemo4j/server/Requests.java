package io.mnemo4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo4j.AddOptions;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Message;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.Selection;
import io.mnemo4j.TimeRange;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.filter.FilterParser;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Request DTOs of the native routes (parsed by {@link Json#STRICT}: an unknown field is a 400
 * naming it) and the validation shared with the Mem0-compatible routes. Records are immutable.
 */
final class Requests {
  /** Most messages one add accepts. */
  static final int MAX_MESSAGES = 256;

  /** Most categories per add. */
  static final int MAX_CATEGORIES = 64;

  private Requests() {}

  /**
   * One message of an add.
   *
   * @param role user|assistant|system|tool (default user)
   * @param content text
   * @param name actor
   */
  record MessageIn(@Nullable String role, @Nullable String content, @Nullable String name) {}

  /**
   * {@code POST /v1/mem/add}: either {@code messages} or {@code text}.
   *
   * @param messages the messages, each stored verbatim
   * @param text a single user message (instead of messages)
   * @param userId user scope
   * @param agentId agent scope
   * @param runId run scope
   * @param metadata JSON object attached to each memory
   * @param categories category labels
   * @param expiresAt ISO-8601 instant after which the memories are not returned
   * @param infer true asks for the language model (without one, the user's messages are stored
   *     verbatim), false stores every message verbatim, absent follows the tenant (infer when a
   *     model is configured, else verbatim)
   * @param idempotencyKey a retry with the same key returns the first result (also the {@code
   *     Idempotency-Key} header)
   * @param sessionDate ISO-8601 date or date-time the conversation took place (default now)
   * @param instructions extra instructions to the model for this call
   * @param memoryType {@code procedural} stores one procedure summarising an agent run
   * @param async queue the add and answer 202 with its event id at once
   * @param nearDuplicateThreshold this add's near-duplicate threshold in (0, 1]; 1.0 stores every
   *     message but exact duplicates (default: the server's setting)
   */
  record AddIn(
      @Nullable List<MessageIn> messages,
      @Nullable String text,
      @Nullable String userId,
      @Nullable String agentId,
      @Nullable String runId,
      @Nullable JsonNode metadata,
      @Nullable List<String> categories,
      @Nullable String expiresAt,
      @Nullable Boolean infer,
      @Nullable String idempotencyKey,
      @Nullable String sessionDate,
      @Nullable String instructions,
      @Nullable String memoryType,
      @Nullable Boolean async,
      @Nullable Double nearDuplicateThreshold) {}

  /**
   * {@code POST /v1/mem/search}.
   *
   * @param query the query text
   * @param userId user scope
   * @param agentId agent scope
   * @param runId run scope
   * @param includeTenantWide also return tenant-wide memories
   * @param all search the whole tenant (not combinable with a scope)
   * @param filters Mem0 v2 filter object
   * @param limit maximum hits (default 10)
   * @param threshold minimum similarity, the query-memory cosine (default 0)
   * @param mode hybrid|dense|text (default hybrid)
   * @param asOf ISO-8601 date or date-time: search the memory as it was then
   * @param includeExpired also find memories past their expiry (default false)
   * @param includeClosed also find closed versions: contradicted facts, texts replaced by an update
   *     (default false)
   */
  record SearchIn(
      @Nullable String query,
      @Nullable String userId,
      @Nullable String agentId,
      @Nullable String runId,
      @Nullable Boolean includeTenantWide,
      @Nullable Boolean all,
      @Nullable JsonNode filters,
      @Nullable Integer limit,
      @Nullable Double threshold,
      @Nullable String mode,
      @Nullable String asOf,
      @Nullable Boolean includeExpired,
      @Nullable Boolean includeClosed) {}

  /**
   * {@code PUT /v1/mem/{id}}.
   *
   * @param text new text (default: unchanged)
   * @param metadata new metadata (default: unchanged)
   */
  record UpdateIn(@Nullable String text, @Nullable JsonNode metadata) {}

  /**
   * {@code POST /v1/mem/delete-all}: a scope, or {@code all: true} for every memory of the tenant.
   *
   * @param userId user scope
   * @param agentId agent scope
   * @param runId run scope
   * @param all delete everything (explicit)
   */
  record DeleteAllIn(
      @Nullable String userId,
      @Nullable String agentId,
      @Nullable String runId,
      @Nullable Boolean all) {}

  /**
   * {@code POST /v1/tenants}.
   *
   * @param id tenant id
   * @param region region (default: the server's default region)
   */
  record TenantIn(@Nullable String id, @Nullable String region) {}

  /**
   * {@code POST /v1/tenants/{id}/move}.
   *
   * @param region the region to move to
   * @param rollback roll back a move cut short instead
   */
  record MoveIn(@Nullable String region, @Nullable Boolean rollback) {}

  /**
   * {@code POST /v1/tenants/{id}/keys}.
   *
   * @param userId narrow the key to this user (optional)
   */
  record KeyIn(@Nullable String userId) {}

  // ---- validation shared by native and Mem0 routes ----

  static String required(String field, @Nullable String value) {
    if (value == null) {
      throw new InvalidRequestException(field, field + " is required");
    }
    return value;
  }

  static Message message(
      int index, @Nullable String role, @Nullable String content, @Nullable String name) {
    String prefix = "messages[" + index + "]";
    Role r = role == null ? Role.USER : Role.parse(prefix + ".role", role);
    if (content == null) {
      throw new InvalidRequestException(prefix + ".content", "message content must not be empty");
    }
    try {
      return new Message(r, content, name);
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException(e.field().replace("messages", prefix), e.getMessage());
    }
  }

  static List<Message> messages(AddIn in) {
    if (in.messages() != null && in.text() != null) {
      throw new InvalidRequestException("text", "send either messages or text, not both");
    }
    if (in.text() != null) {
      return List.of(message(0, null, in.text(), null));
    }
    List<MessageIn> list = in.messages();
    if (list == null || list.isEmpty()) {
      throw new InvalidRequestException(
          "messages", "messages (or text) is required and must not be empty");
    }
    if (list.size() > MAX_MESSAGES) {
      throw new InvalidRequestException(
          "messages", "at most " + MAX_MESSAGES + " messages per request");
    }
    List<Message> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      MessageIn m = list.get(i);
      if (m == null) {
        throw new InvalidRequestException("messages[" + i + "]", "a message must be an object");
      }
      out.add(message(i, m.role(), m.content(), m.name()));
    }
    return out;
  }

  static AddOptions addOptions(
      @Nullable JsonNode metadata, @Nullable List<String> categories, @Nullable Instant expiresAt) {
    Map<String, Object> md =
        metadata == null || metadata.isNull() ? Map.of() : Json.object("metadata", metadata);
    List<String> cats = categories == null ? List.of() : categories;
    if (cats.size() > MAX_CATEGORIES) {
      throw new InvalidRequestException("categories", "at most " + MAX_CATEGORIES + " categories");
    }
    for (int i = 0; i < cats.size(); i++) {
      if (cats.get(i) == null) {
        throw new InvalidRequestException("categories[" + i + "]", "a category must be a string");
      }
    }
    return new AddOptions(md, cats, expiresAt);
  }

  /**
   * An ISO-8601 date-time with offset ({@code 2030-01-31T00:00:00Z}), or null when absent; anything
   * else, including a year outside 0001 to 9999, is a 400 naming {@code field}.
   */
  static @Nullable Instant instant(String field, @Nullable String text) {
    if (text == null) {
      return null;
    }
    Instant t = parseInstant(text);
    if (t == null) {
      throw new InvalidRequestException(
          field,
          field + " must be an ISO-8601 date-time with offset, such as 2030-01-31T00:00:00Z");
    }
    return TimeRange.check(field, t);
  }

  /**
   * An ISO-8601 date ({@code 2030-01-31}, read as its start in UTC) or date-time with offset, or
   * null when absent; anything else, including a year outside 0001 to 9999, is a 400 naming {@code
   * field}.
   */
  static @Nullable Instant dateOrInstant(String field, @Nullable String text) {
    return dateOrInstant(field, text, false);
  }

  /**
   * As {@link #dateOrInstant(String, String)}; with {@code endOfDay} a bare date stands for the
   * last instant of that day (an inclusive upper bound such as Mem0's {@code end_date}).
   */
  static @Nullable Instant dateOrInstant(String field, @Nullable String text, boolean endOfDay) {
    if (text == null) {
      return null;
    }
    Instant t;
    try {
      LocalDate date = LocalDate.parse(text);
      t = date.atStartOfDay().toInstant(ZoneOffset.UTC);
      if (endOfDay && TimeRange.contains(t)) {
        t = t.plus(Duration.ofDays(1)).minusNanos(1);
      }
    } catch (DateTimeException notADate) {
      t = parseInstant(text);
    }
    if (t == null) {
      throw new InvalidRequestException(
          field,
          field
              + " must be an ISO-8601 date such as 2030-01-31 or a date-time with offset such as"
              + " 2030-01-31T00:00:00Z");
    }
    return TimeRange.check(field, t);
  }

  // Null when the text is no date-time; DateTimeException also covers values that parse but
  // overflow (a year such as +999999999).
  private static @Nullable Instant parseInstant(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeException e) {
      try {
        return Instant.parse(text);
      } catch (DateTimeException e2) {
        return null;
      }
    }
  }

  /**
   * A list cursor as a listing hands it out (the last memory id of the previous page, a UUID), or
   * null when absent. Anything else is a 400: a garbage cursor must not silently answer an empty
   * page.
   */
  static @Nullable String cursor(String field, @Nullable String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return null;
    }
    if (cursor.length() != 36) {
      throw badCursor(field);
    }
    try {
      UUID.fromString(cursor);
      return cursor;
    } catch (IllegalArgumentException e) {
      throw badCursor(field);
    }
  }

  private static InvalidRequestException badCursor(String field) {
    return new InvalidRequestException(
        field, field + " is not one a listing handed out; pass next_cursor unchanged");
  }

  /**
   * Applies {@code as_of} and {@code include_expired} to a selection ({@code as_of} absent: now).
   */
  static Selection view(
      Selection sel, String asOfField, @Nullable String asOf, @Nullable Boolean includeExpired) {
    return sel.asOf(dateOrInstant(asOfField, asOf)).includingExpired(flag(includeExpired));
  }

  static FilterExpr filter(@Nullable JsonNode filters) {
    return FilterParser.parse(filters);
  }

  static Search.Mode mode(@Nullable String mode) {
    if (mode == null) {
      return Search.Mode.HYBRID;
    }
    return switch (mode.toLowerCase(Locale.ROOT)) {
      case "hybrid" -> Search.Mode.HYBRID;
      case "dense" -> Search.Mode.DENSE;
      case "text" -> Search.Mode.TEXT;
      default -> throw new InvalidRequestException("mode", "mode must be hybrid, dense or text");
    };
  }

  /**
   * The selection of a search, list or count, with the key's limits applied: no scope and no {@code
   * all} selects tenant-wide memory only (a narrowed key: its user); {@code all} selects the whole
   * tenant (refused for a narrowed key) and cannot be combined with a scope.
   */
  static Selection selection(
      Principal.Tenant p,
      Scope requested,
      boolean includeTenantWide,
      boolean all,
      FilterExpr filter) {
    if (all && !requested.isTenantWide()) {
      throw new InvalidRequestException(
          "all", "all cannot be combined with user_id, agent_id or run_id");
    }
    Selection sel;
    if (p.narrowed()) {
      if (all) {
        throw ApiException.forbidden(
            "this API key is limited to one user and cannot select the whole tenant");
      }
      Scope scope = p.writeScope(requested);
      sel = Selection.in(scope);
    } else if (all) {
      sel = Selection.everywhere();
    } else {
      sel = Selection.in(requested);
    }
    if (includeTenantWide) {
      sel = sel.withTenantWide();
    }
    return sel.filter(filter);
  }

  static boolean flag(@Nullable Boolean b) {
    return b != null && b;
  }
}
