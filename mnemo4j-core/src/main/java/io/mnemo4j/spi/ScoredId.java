package io.mnemo4j.spi;

/**
 * A memory id with a retrieval score from one ranker.
 *
 * @param id the memory id
 * @param score cosine similarity for vector search; for text search the store's text score, in [0,
 *     1] (see {@link TenantStore#textSearch})
 */
public record ScoredId(String id, double score) {}
