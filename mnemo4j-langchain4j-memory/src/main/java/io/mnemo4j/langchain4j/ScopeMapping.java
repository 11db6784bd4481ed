package io.mnemo4j.langchain4j;

import io.mnemo4j.Scope;

/**
 * Where, inside the tenant, the memories of one LangChain4j chat memory id live: the scope its
 * searches look in and its new user messages are remembered in. Implementations must be thread-safe
 * and should be pure.
 */
@FunctionalInterface
public interface ScopeMapping {
  /** The scope of this chat memory id (the value of an AI service's {@code @MemoryId}). */
  Scope scopeOf(Object chatMemoryId);

  /** The default: the chat memory id is the user id ({@code Scope.user(String.valueOf(id))}). */
  static ScopeMapping userId() {
    return id -> Scope.user(String.valueOf(id));
  }

  /** The chat memory id is a run (session) id of one user, given here. */
  static ScopeMapping runOf(String userId) {
    return id -> Scope.user(userId).withRun(String.valueOf(id));
  }
}
