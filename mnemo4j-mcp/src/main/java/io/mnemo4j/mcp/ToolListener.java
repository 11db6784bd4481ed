package io.mnemo4j.mcp;

/**
 * Hears every finished tool call (metrics, access logs). Called on the thread that ran the call;
 * must be thread-safe and fast, and must not throw.
 */
@FunctionalInterface
public interface ToolListener {
  /** A listener that does nothing. */
  ToolListener NONE = call -> {};

  /** One tool call finished. */
  void called(ToolCall call);
}
