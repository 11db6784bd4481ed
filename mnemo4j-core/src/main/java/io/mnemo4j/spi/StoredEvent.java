package io.mnemo4j.spi;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One add operation as the tenant's store keeps it: the queue entry of an asynchronous add, and the
 * remembered answer of an add made with an idempotency key. Stores treat {@code request} and {@code
 * result} as opaque JSON text; they never interpret them. Immutable.
 *
 * @param id the event id (UUIDv7)
 * @param idempotencyKey the caller's key, unique within the tenant, or null
 * @param status where it stands
 * @param request the operation's input as JSON (what a restart needs to run it again)
 * @param result the outcome as JSON once finished (events, or the error), else null
 * @param createdAt when it was accepted
 * @param updatedAt when its status last changed
 */
public record StoredEvent(
    String id,
    @Nullable String idempotencyKey,
    EventStatus status,
    String request,
    @Nullable String result,
    Instant createdAt,
    Instant updatedAt) {
  /** Checks nulls. */
  public StoredEvent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** A copy in a new status, with a result (or null) and a new update time. */
  public StoredEvent withStatus(EventStatus newStatus, @Nullable String newResult, Instant at) {
    return new StoredEvent(id, idempotencyKey, newStatus, request, newResult, createdAt, at);
  }
}
