package io.mnemo4j;

import io.mnemo4j.llm.TokenUsage;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one {@code add} did. Immutable.
 *
 * @param events one event per decision, in order (ADD, UPDATE with the old text, DELETE, NONE)
 * @param inferred true when a language model made the memories; false when messages were stored
 *     verbatim (no model, {@code infer=false}, or the model failed)
 * @param fallbackReason why inference was asked for but the messages were stored verbatim instead,
 *     or null
 * @param usage the model tokens and calls this add cost
 * @param eventId the operation's id when it was recorded (idempotency key or asynchronous add),
 *     else null
 * @param replayed true when an earlier add with the same idempotency key answered this one and
 *     nothing was applied again
 */
public record AddResult(
    List<MemoryEvent> events,
    boolean inferred,
    @Nullable String fallbackReason,
    TokenUsage usage,
    @Nullable String eventId,
    boolean replayed) {
  /** Copies the events. */
  public AddResult {
    events = List.copyOf(events);
    Objects.requireNonNull(usage, "usage");
  }

  /** A copy marked as the replay of an earlier add. */
  public AddResult asReplay() {
    return new AddResult(events, inferred, fallbackReason, usage, eventId, true);
  }

  /** A copy carrying the operation id. */
  public AddResult withEventId(@Nullable String id) {
    return new AddResult(events, inferred, fallbackReason, usage, id, replayed);
  }
}
