package io.mnemo4j;

/**
 * One search result. Immutable.
 *
 * @param memory the memory
 * @param score the memory's relevance to the query, in [0, 1], higher is better; the list is
 *     ordered by it. It is a function of the query, the memory and the tenant's own collection only
 *     (see {@link SearchTuning}): the same for any limit, filter or page, unaffected by the other
 *     hits, and comparable across queries. On the LoCoMo conversations 90 % of the turns that
 *     answer a question score above 0.3 and 19 % of the other turns do; an unrelated memory
 *     typically scores below 0.1
 * @param similarity cosine similarity of the memory to the query (for a text-only search, the text
 *     score); what {@link Search#threshold} is compared with
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
