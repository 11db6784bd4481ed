package io.mnemo4j.llm.langchain4j;

import dev.langchain4j.exception.HttpException;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP error response that keeps the provider's requested wait. Extends {@link HttpException} so
 * LangChain4j's exception mapper still classifies it by status code (and wraps it as the cause of
 * its {@code RateLimitException} etc.), where {@link LangChain4jLanguageModel} finds it again.
 */
final class RetryAfterHttpException extends HttpException {
  private static final long serialVersionUID = 1L;

  private final @Nullable Duration retryAfter;

  /**
   * Creates the exception; {@code body} is the raw response body, as LangChain4j's clients keep.
   */
  RetryAfterHttpException(int statusCode, String body, Optional<Duration> retryAfter) {
    super(statusCode, body);
    this.retryAfter = retryAfter.orElse(null);
  }

  /** The wait the response asked for, if it said. */
  Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
