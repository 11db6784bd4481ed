package io.mnemo4j;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One applied change to a memory, appended to its history. Immutable.
 *
 * @param id the entry's own id (UUIDv7)
 * @param memoryId the memory changed
 * @param event ADD, UPDATE or DELETE
 * @param oldText text before the change, or null for ADD
 * @param newText text after the change, or null for DELETE
 * @param actor who made the change ({@code user}, {@code api}, {@code system}, or an actor name)
 * @param at system time of the change
 * @param reason why, when known: the pipeline's decision ({@code contradicted by a newer fact}), or
 *     null
 */
public record HistoryEntry(
    String id,
    String memoryId,
    EventType event,
    @Nullable String oldText,
    @Nullable String newText,
    String actor,
    Instant at,
    @Nullable String reason) {

  /** An entry with no recorded reason. */
  public HistoryEntry(
      String id,
      String memoryId,
      EventType event,
      @Nullable String oldText,
      @Nullable String newText,
      String actor,
      Instant at) {
    this(id, memoryId, event, oldText, newText, actor, at, null);
  }
}
