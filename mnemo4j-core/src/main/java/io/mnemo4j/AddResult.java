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
 * @param truncation what was cut from the model's answer to keep within the tenant's limits ({@link
 *     InferenceSettings#maxFacts()}, {@link InferenceSettings#maxFactChars()})
 */
public record AddResult(
    List<MemoryEvent> events,
    boolean inferred,
    @Nullable String fallbackReason,
    TokenUsage usage,
    @Nullable String eventId,
    boolean replayed,
    Truncation truncation) {
  /** Copies the events. */
  public AddResult {
    events = List.copyOf(events);
    Objects.requireNonNull(usage, "usage");
    Objects.requireNonNull(truncation, "truncation");
  }

  /** A result that cut nothing from the model's answer. */
  public AddResult(
      List<MemoryEvent> events,
      boolean inferred,
      @Nullable String fallbackReason,
      TokenUsage usage,
      @Nullable String eventId,
      boolean replayed) {
    this(events, inferred, fallbackReason, usage, eventId, replayed, Truncation.NONE);
  }

  /**
   * What an add cut from a model answer that exceeded the limits: facts beyond the most allowed per
   * add were dropped, longer facts were shortened. Immutable.
   *
   * @param factsDropped facts left out because the answer held more than allowed
   * @param factsShortened facts cut to the longest allowed length
   */
  public record Truncation(int factsDropped, int factsShortened) {
    /** Nothing was cut. */
    public static final Truncation NONE = new Truncation(0, 0);

    /** Whether anything was cut. */
    public boolean any() {
      return factsDropped > 0 || factsShortened > 0;
    }
  }

  /** A copy marked as the replay of an earlier add. */
  public AddResult asReplay() {
    return new AddResult(events, inferred, fallbackReason, usage, eventId, true, truncation);
  }

  /** A copy carrying the operation id. */
  public AddResult withEventId(@Nullable String id) {
    return new AddResult(events, inferred, fallbackReason, usage, id, replayed, truncation);
  }
}
