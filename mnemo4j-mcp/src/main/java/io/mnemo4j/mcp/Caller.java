package io.mnemo4j.mcp;

import io.mnemo4j.Scope;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantMemory;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Whose memory a tool call reaches: one tenant (the only door is its {@link TenantMemory}), the
 * default user and agent that calls naming no scope fall back to, and, for a key narrowed to one
 * user, that user. Immutable and thread-safe.
 *
 * <p>Defaults only fill in what a call leaves out; a narrowed user is a wall: writes always land in
 * that user's scope, reads see that user's and tenant-wide memory, a call naming another user is
 * refused ({@code forbidden}) and an id outside the wall answers {@code not_found}.
 *
 * @param memory the tenant's memory
 * @param defaultUser the user a call naming no scope acts for, or null
 * @param defaultAgent the agent a call naming no scope acts as, or null
 * @param narrowedUser the only user this caller may reach, or null for the whole tenant
 * @param principal who calls, for logs and metrics only (a key id, {@code stdio}); never a secret
 */
public record Caller(
    TenantMemory memory,
    @Nullable String defaultUser,
    @Nullable String defaultAgent,
    @Nullable String narrowedUser,
    String principal) {

  /** Validates the ids (as scope ids) and that a narrowed caller's default user is that user. */
  public Caller {
    Objects.requireNonNull(memory, "memory");
    Objects.requireNonNull(principal, "principal");
    // Scope's constructor validates each id and names the field it refuses.
    new Scope(defaultUser, defaultAgent, null);
    if (narrowedUser != null) {
      Scope.user(narrowedUser);
      if (defaultUser != null && !defaultUser.equals(narrowedUser)) {
        throw new IllegalArgumentException("a narrowed caller's default user must be that user");
      }
      defaultUser = narrowedUser;
    }
  }

  /**
   * A local caller with the whole tenant (stdio: whoever can start the process can read the data
   * dir anyway), acting for {@code user} and as {@code agent} when a call names no scope.
   */
  public static Caller local(
      TenantMemory memory, @Nullable String user, @Nullable String agent, String principal) {
    return new Caller(memory, user, agent, null, principal);
  }

  /**
   * The caller of an API key: the whole tenant ({@code keyUser} null) or one user ({@code
   * keyUser}), who is then also the default user.
   */
  public static Caller key(TenantMemory memory, @Nullable String keyUser, String keyId) {
    return new Caller(memory, keyUser, null, keyUser, keyId);
  }

  /** The user this caller is limited to, if it is narrowed. */
  public Optional<String> narrowed() {
    return Optional.ofNullable(narrowedUser);
  }

  /**
   * The scope a write lands in: {@code requested} for a whole-tenant caller, else {@code requested}
   * with its user forced to the narrowed user (another user is refused).
   */
  Scope writeScope(Scope requested, String userField) {
    if (narrowedUser == null) {
      return requested;
    }
    checkUser(requested.userId(), userField);
    return requested.withUser(narrowedUser);
  }

  /** Refuses a user other than the narrowed one (no-op for a whole-tenant caller). */
  void checkUser(@Nullable String requestedUser, String field) {
    if (narrowedUser != null && requestedUser != null && !requestedUser.equals(narrowedUser)) {
      throw new ToolException(
          "forbidden",
          "this key is limited to one user; " + field + " must be that user or omitted",
          field);
    }
  }

  /** What by-id reads may see: everything, or the narrowed user's and tenant-wide memory. */
  Selection readById() {
    return narrowedUser == null
        ? Selection.everywhere()
        : Selection.in(Scope.user(narrowedUser)).withTenantWide();
  }

  /** What by-id writes may touch: everything, or the narrowed user's memory only. */
  Selection writeById() {
    return narrowedUser == null ? Selection.everywhere() : Selection.in(Scope.user(narrowedUser));
  }
}
