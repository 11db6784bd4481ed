package io.mnemo4j;

import org.jspecify.annotations.Nullable;

/**
 * One decision applied (or not) by {@code add}, {@code update} or {@code delete}. Records are
 * immutable.
 */
public sealed interface MemoryEvent {
  /** The memory concerned. */
  String id();

  /** The memory's text after the event (before it, for a delete). */
  String memory();

  /** The kind of event. */
  EventType event();

  /**
   * A new memory.
   *
   * @param id its id
   * @param memory its text
   */
  record Added(String id, String memory) implements MemoryEvent {
    @Override
    public EventType event() {
      return EventType.ADD;
    }
  }

  /**
   * A changed memory.
   *
   * @param id its id
   * @param memory new text
   * @param previous old text
   */
  record Updated(String id, String memory, String previous) implements MemoryEvent {
    @Override
    public EventType event() {
      return EventType.UPDATE;
    }
  }

  /**
   * A removed memory.
   *
   * @param id its id
   * @param memory its last text
   */
  record Deleted(String id, String memory) implements MemoryEvent {
    @Override
    public EventType event() {
      return EventType.DELETE;
    }
  }

  /**
   * Input that changed nothing because an equal or near-equal memory exists.
   *
   * @param id the existing memory that made this input redundant
   * @param memory the existing memory's text
   * @param reason {@code exact_duplicate} or {@code near_duplicate}, or null
   */
  record Unchanged(String id, String memory, @Nullable String reason) implements MemoryEvent {
    @Override
    public EventType event() {
      return EventType.NONE;
    }
  }
}
