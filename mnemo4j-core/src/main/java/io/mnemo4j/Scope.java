package io.mnemo4j;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where a memory lives inside its tenant: an optional user, agent and run (session or workflow). A
 * scope with none of them is tenant-wide ("organisation memory"), visible to every user of the
 * tenant. Immutable and thread-safe.
 *
 * <p>As a selector, a scope matches every memory whose ids equal each id the selector sets: {@code
 * user("alice")} matches Alice's memories with or without an agent or run.
 *
 * @param userId the user, or null
 * @param agentId the agent, or null
 * @param runId the run (session), or null
 */
public record Scope(@Nullable String userId, @Nullable String agentId, @Nullable String runId) {
  /** The longest scope id accepted, in characters. */
  public static final int MAX_ID_LENGTH = 255;

  private static final Scope TENANT_WIDE = new Scope(null, null, null);

  /**
   * Validates the ids: non-blank, at most 255 characters, no control characters, never the wildcard
   * "*".
   */
  public Scope {
    userId = check("user_id", userId);
    agentId = check("agent_id", agentId);
    runId = check("run_id", runId);
  }

  /** The tenant-wide (organisation) scope. */
  public static Scope tenantWide() {
    return TENANT_WIDE;
  }

  /** A user's private scope. */
  public static Scope user(String userId) {
    return new Scope(Objects.requireNonNull(userId, "userId"), null, null);
  }

  /** An agent's scope. */
  public static Scope agent(String agentId) {
    return new Scope(null, Objects.requireNonNull(agentId, "agentId"), null);
  }

  /** A run's (session's) scope. */
  public static Scope run(String runId) {
    return new Scope(null, null, Objects.requireNonNull(runId, "runId"));
  }

  /** Builds a scope from optional ids, treating null and empty strings alike. */
  public static Scope of(
      @Nullable String userId, @Nullable String agentId, @Nullable String runId) {
    return new Scope(emptyToNull(userId), emptyToNull(agentId), emptyToNull(runId));
  }

  /** This scope narrowed to an agent. */
  public Scope withAgent(String agent) {
    return new Scope(userId, agent, runId);
  }

  /** This scope narrowed to a run. */
  public Scope withRun(String run) {
    return new Scope(userId, agentId, run);
  }

  /** This scope with a user set. */
  public Scope withUser(String user) {
    return new Scope(user, agentId, runId);
  }

  /** True when no user, agent or run is set: organisation memory. */
  public boolean isTenantWide() {
    return userId == null && agentId == null && runId == null;
  }

  /** The user, if set. */
  public Optional<String> user() {
    return Optional.ofNullable(userId);
  }

  /** The agent, if set. */
  public Optional<String> agent() {
    return Optional.ofNullable(agentId);
  }

  /** The run, if set. */
  public Optional<String> run() {
    return Optional.ofNullable(runId);
  }

  /**
   * Whether a memory stored in {@code memoryScope} is inside this selector (each id set here must
   * be equal).
   */
  public boolean contains(Scope memoryScope) {
    return (userId == null || userId.equals(memoryScope.userId))
        && (agentId == null || agentId.equals(memoryScope.agentId))
        && (runId == null || runId.equals(memoryScope.runId));
  }

  private static @Nullable String emptyToNull(@Nullable String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static @Nullable String check(String field, @Nullable String id) {
    if (id == null) {
      return null;
    }
    if (id.isBlank()) {
      throw new InvalidRequestException(field, field + " must not be blank");
    }
    if (id.length() > MAX_ID_LENGTH) {
      throw new InvalidRequestException(
          field, field + " is longer than " + MAX_ID_LENGTH + " characters");
    }
    if (id.equals("*")) {
      throw new InvalidRequestException(
          field, field + " '*' is a wildcard, accepted only by delete-all");
    }
    for (int i = 0; i < id.length(); i++) {
      if (Character.isISOControl(id.charAt(i))) {
        throw new InvalidRequestException(field, field + " must not contain control characters");
      }
    }
    return id;
  }

  @Override
  public String toString() {
    return isTenantWide()
        ? "tenant-wide"
        : "user=" + userId + " agent=" + agentId + " run=" + runId;
  }
}
