package io.mnemo4j;

/**
 * One search result. Immutable.
 *
 * @param memory the memory
 * @param score fused relevance that orders the list, higher is better; comparable only within one
 *     result list
 * @param similarity cosine similarity of the memory to the query (for a text-only search, the
 *     normalised BM25 score); what {@link Search#threshold} is compared with, because unlike the
 *     fused score it means the same in every list
 * @param origin whether it matched the requested scope or came in as tenant-wide memory
 */
public record Hit(Memory memory, double score, double similarity, Origin origin) {
  /** Which part of a search a hit came from. */
  public enum Origin {
    /** The memory is inside the requested user/agent/run scope. */
    SCOPE,
    /** The memory is tenant-wide (organisation memory), included on request. */
    TENANT_WIDE
  }
}
