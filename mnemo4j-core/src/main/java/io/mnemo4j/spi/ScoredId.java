package io.mnemo4j.spi;

/**
 * A memory id with a retrieval score from one ranker.
 *
 * @param id the memory id
 * @param score cosine similarity for vector search, BM25 for text search
 */
public record ScoredId(String id, double score) {}
