package io.mnemo4j;

/** What the ingest pipeline decided for one memory. */
public enum EventType {
  /** A new memory was stored. */
  ADD,
  /** An existing memory's text changed. */
  UPDATE,
  /** A memory was removed (or, for inferred facts, closed). */
  DELETE,
  /** Nothing changed: the input duplicated what is stored. */
  NONE
}
