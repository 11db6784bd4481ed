package io.mnemo4j.server;

import io.javalin.http.Context;
import io.mnemo4j.AddResult;
import io.mnemo4j.AddStatus;
import io.mnemo4j.EventType;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.MemoryEvent;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * What the native and the Mem0 add routes share: an add's idempotency key, the metrics of the
 * events an add applied, and the add operations a key may poll. The route classes never call each
 * other; both call this. Thread-safe (stateless apart from its collaborators).
 */
final class AddOperations {
  /** The HTTP header carrying an add's idempotency key. */
  static final String IDEMPOTENCY_HEADER = "Idempotency-Key";

  private final Auth auth;
  private final ServerMetrics metrics;

  AddOperations(Auth auth, ServerMetrics metrics) {
    this.auth = auth;
    this.metrics = metrics;
  }

  /**
   * The idempotency key of an add: the body's {@code idempotency_key} or the {@code
   * Idempotency-Key} header; both may be sent only if equal.
   */
  static @Nullable String idempotencyKey(Context ctx, @Nullable String fromBody) {
    String header = ctx.header(IDEMPOTENCY_HEADER);
    if (header != null && header.isEmpty()) {
      header = null;
    }
    if (fromBody != null && header != null && !fromBody.equals(header)) {
      throw new InvalidRequestException(
          "idempotency_key", "idempotency_key differs from the Idempotency-Key header");
    }
    return fromBody != null ? fromBody : header;
  }

  /** Counts the events of an add that was applied now (a replay applied nothing). */
  void countApplied(Principal.Tenant p, AddResult result) {
    if (result.replayed()) {
      return;
    }
    Map<EventType, Long> byEvent =
        result.events().stream()
            .collect(Collectors.groupingBy(MemoryEvent::event, Collectors.counting()));
    byEvent.forEach((e, n) -> metrics.added(p.tenant(), e.name(), n.intValue()));
  }

  /**
   * The add operation {@code id} of the key's tenant; 404 when unknown, and for a user-narrowed key
   * also when the add was made in another user's scope (finished or not). A malformed id is a 400
   * naming {@code field}.
   */
  AddStatus status(Principal.Tenant p, String id, String field) {
    if (!Ids.isUuid(id)) {
      throw new InvalidRequestException(field, field + " must be a UUID");
    }
    return auth.memory(p).addStatus(id, p.readById()).orElseThrow(() -> Ids.eventNotFound(id));
  }
}
