package io.mnemo4j.llm;

/**
 * A chat model the inference pipeline calls. Implementations must be thread-safe and must not retry
 * on their own: the pipeline owns retries, backoff and the verbatim fallback, so that one policy
 * holds for every provider.
 */
public interface LanguageModel extends AutoCloseable {
  /** A stable identifier of the provider and model ({@code openai:gpt-4o-mini}), for logs. */
  String modelId();

  /**
   * Runs one completion. Throws {@link LanguageModelException} for every failure, classified so the
   * caller can decide whether to retry.
   */
  Completion complete(CompletionRequest request);

  /** Releases connections. Idempotent; the default does nothing. */
  @Override
  default void close() {}
}
