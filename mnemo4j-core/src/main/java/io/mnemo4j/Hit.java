package io.mnemo4j;

/**
 * One search result. Immutable.
 *
 * @param memory the memory
 * @param score fused relevance, higher is better; comparable only within one result list
 * @param origin whether it matched the requested scope or came in as tenant-wide memory
 */
public record Hit(Memory memory, double score, Origin origin) {
  /** Which part of a search a hit came from. */
  public enum Origin {
    /** The memory is inside the requested user/agent/run scope. */
    SCOPE,
    /** The memory is tenant-wide (organisation memory), included on request. */
    TENANT_WIDE
  }
}
