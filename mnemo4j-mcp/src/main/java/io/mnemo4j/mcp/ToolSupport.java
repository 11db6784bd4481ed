package io.mnemo4j.mcp;

import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.NotFoundException;
import io.mnemo4j.Scope;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What several tools share: scopes from ids (validated, naming the argument), the {@code "*"}
 * wildcard, the refusal of {@code app_id}, and memory ids with their not-found answer. Stateless
 * and thread-safe.
 */
final class ToolSupport {
  private ToolSupport() {}

  /** A scope of the ids given; the core validates each and names the argument it refuses. */
  static Scope scope(@Nullable String user, @Nullable String agent, @Nullable String run) {
    return new Scope(user, agent, run); // validates each id and names the argument it refuses
  }

  /** Whether the id is the wildcard {@code "*"}. */
  static boolean isWild(Optional<String> id) {
    return id.isPresent() && id.get().equals("*");
  }

  /** Whether the id is absent or the wildcard {@code "*"}. */
  static boolean wildOrEmpty(Optional<String> id) {
    return id.isEmpty() || id.get().equals("*");
  }

  /** Refuses Mem0's {@code app_id}: Mnemo4j has no app scope. */
  static void refuseAppId(Args args) {
    if (args.string("app_id").isPresent()) {
      throw new InvalidRequestException(
          "app_id",
          "app_id is not supported by Mnemo4j; scope memories with user_id, agent_id or run_id");
    }
  }

  /** The {@code memory_id} argument, stripped. */
  static String memoryId(Args args) {
    return args.requiredString("memory_id").strip();
  }

  // The core names a malformed id "id"; the tools' argument is memory_id.
  static <T> T byId(Supplier<T> op) {
    try {
      return op.get();
    } catch (InvalidRequestException e) {
      throw e.field().equals("id") ? new InvalidRequestException("memory_id", e.getMessage()) : e;
    }
  }

  /** A memory id this caller cannot see. */
  static NotFoundException notFound(String id) {
    return new NotFoundException("memory " + id + " not found");
  }
}
