package io.mnemo4j;

import java.util.Locale;

/** The kinds of scope id a tenant's memories are grouped by: who or what the memories are about. */
public enum EntityType {
  /** A {@code user_id}. */
  USER,
  /** An {@code agent_id}. */
  AGENT,
  /** A {@code run_id} (a session or workflow run). */
  RUN;

  /** The lower-case wire name ({@code user}, {@code agent}, {@code run}). */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The id of this kind in {@code scope}, or null when the scope has none. */
  public @org.jspecify.annotations.Nullable String idIn(Scope scope) {
    return switch (this) {
      case USER -> scope.userId();
      case AGENT -> scope.agentId();
      case RUN -> scope.runId();
    };
  }

  /** Parses a wire name; anything else is an {@link InvalidRequestException} on {@code field}. */
  public static EntityType parse(String field, String value) {
    for (EntityType t : values()) {
      if (t.wireName().equals(value)) {
        return t;
      }
    }
    throw new InvalidRequestException(field, field + " must be one of user, agent, run");
  }
}
