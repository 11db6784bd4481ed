package io.mnemo4j.llm;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A model call failed. {@link #failure()} says how, so the pipeline can decide whether to retry and
 * how long to wait.
 */
public final class LanguageModelException extends io.mnemo4j.MnemoException {
  private static final long serialVersionUID = 1L;

  private final Failure failure;
  private final @Nullable Duration retryAfter;

  /**
   * Creates a failure.
   *
   * @param failure its class
   * @param message what happened (never the prompt or an API key)
   * @param retryAfter how long the provider asked us to wait (HTTP {@code Retry-After}), or null
   * @param cause the underlying exception, or null
   */
  public LanguageModelException(
      Failure failure, String message, @Nullable Duration retryAfter, @Nullable Throwable cause) {
    super(message, cause);
    this.failure = Objects.requireNonNull(failure, "failure");
    this.retryAfter = retryAfter;
  }

  /** How the call failed. */
  public Failure failure() {
    return failure;
  }

  /** The wait the provider asked for, if it said. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** Whether repeating the same call may succeed. */
  public boolean retriable() {
    return failure.retriable;
  }

  /** Classes of failure. */
  public enum Failure {
    /** No answer in time. */
    TIMEOUT(true),
    /** HTTP 429: too many requests or tokens. */
    RATE_LIMITED(true),
    /** HTTP 5xx, or the connection failed. */
    UNAVAILABLE(true),
    /** HTTP 401/403: bad or missing key. */
    AUTHENTICATION(false),
    /** Any other 4xx, or a request the provider refused. */
    REJECTED(false),
    /** Anything else (a bug, an unreadable response). */
    OTHER(false);

    private final boolean retriable;

    Failure(boolean retriable) {
      this.retriable = retriable;
    }
  }
}
