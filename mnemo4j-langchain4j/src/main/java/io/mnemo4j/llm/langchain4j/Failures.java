package io.mnemo4j.llm.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.ContentFilteredException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.exception.UnresolvedModelServerException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import io.mnemo4j.llm.LanguageModelException;
import io.mnemo4j.llm.LanguageModelException.Failure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Turns whatever a LangChain4j model threw into a classified {@link LanguageModelException}.
 * Stateless, thread-safe.
 *
 * <p>LangChain4j wraps the same failure differently per provider and client (an {@link
 * HttpException} as the cause of a {@link RateLimitException}, a JDK {@link HttpTimeoutException}
 * inside a {@link TimeoutException} or a plain {@code RuntimeException}), so the whole cause chain
 * is read, most precise evidence first: an HTTP status, then a timeout, then LangChain4j's own
 * classes, then I/O trouble.
 *
 * <p>Messages name the model, the purpose, the status and the provider's error type, never the
 * prompt or a key. An HTTP error is reported without its LangChain4j cause, whose message is the
 * raw response body (which can echo a masked key); only for a rejected request (4xx) is the
 * provider's own error message kept, shortened and with key-like tokens masked, because it is the
 * one way to learn what was wrong with the request.
 */
final class Failures {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SAFE_CODE = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
  private static final Pattern KEY_LIKE =
      Pattern.compile("(sk-|key-|Bearer\\s+)[A-Za-z0-9_*.\\-]+");
  private static final int MAX_PROVIDER_MESSAGE = 300;
  private static final int MAX_CHAIN = 32;

  private Failures() {}

  /** Classifies {@code error}, thrown by a call of {@code modelId} made for {@code purpose}. */
  static LanguageModelException classify(Throwable error, String modelId, String purpose) {
    List<Throwable> chain = causeChain(error);
    String where = modelId + " (" + purpose + ")";

    HttpException http = first(chain, HttpException.class);
    if (http != null) {
      return fromStatus(http, chain, where);
    }
    if (first(chain, TimeoutException.class) != null
        || first(chain, HttpTimeoutException.class) != null
        || first(chain, SocketTimeoutException.class) != null
        || first(chain, java.util.concurrent.TimeoutException.class) != null) {
      return new LanguageModelException(
          Failure.TIMEOUT, where + ": no response within the timeout", null, error);
    }
    for (Throwable t : chain) {
      Failure failure = fromLangChain4jType(t);
      if (failure != null) {
        return new LanguageModelException(
            failure, where + ": " + describe(failure) + " (" + simpleName(t) + ")", null, error);
      }
    }
    if (first(chain, IOException.class) != null
        || first(chain, UncheckedIOException.class) != null
        || first(chain, UnresolvedAddressException.class) != null) {
      return new LanguageModelException(
          Failure.UNAVAILABLE, where + ": the model server could not be reached", null, error);
    }
    return new LanguageModelException(
        Failure.OTHER, where + ": the call failed (" + simpleName(error) + ")", null, error);
  }

  /** The failure class of an HTTP status code. */
  static Failure fromStatus(int status) {
    if (status == 429) {
      return Failure.RATE_LIMITED;
    }
    if (status == 408) {
      return Failure.TIMEOUT;
    }
    if (status == 401 || status == 403) {
      return Failure.AUTHENTICATION;
    }
    if (status >= 500 && status <= 599) {
      // Includes Anthropic's 529 "overloaded".
      return Failure.UNAVAILABLE;
    }
    if (status >= 400 && status <= 499) {
      return Failure.REJECTED;
    }
    return Failure.OTHER;
  }

  private static LanguageModelException fromStatus(
      HttpException http, List<Throwable> chain, String where) {
    int status = http.statusCode();
    Failure failure = fromStatus(status);
    RetryAfterHttpException withHeaders = first(chain, RetryAfterHttpException.class);
    Duration retryAfter = withHeaders == null ? null : withHeaders.retryAfter().orElse(null);
    String message =
        where
            + ": HTTP "
            + status
            + " "
            + describe(failure)
            + providerError(http.getMessage(), failure == Failure.REJECTED);
    // No cause: every exception in the chain carries the raw response body as its message.
    return new LanguageModelException(failure, message, retryAfter, null);
  }

  private static @Nullable Failure fromLangChain4jType(Throwable t) {
    if (t instanceof RateLimitException) {
      return Failure.RATE_LIMITED;
    }
    if (t instanceof AuthenticationException) {
      return Failure.AUTHENTICATION;
    }
    if (t instanceof InternalServerException || t instanceof UnresolvedModelServerException) {
      return Failure.UNAVAILABLE;
    }
    if (t instanceof InvalidRequestException
        || t instanceof ModelNotFoundException
        || t instanceof UnsupportedFeatureException
        || t instanceof ContentFilteredException) {
      return Failure.REJECTED;
    }
    return null;
  }

  private static String describe(Failure failure) {
    return switch (failure) {
      case TIMEOUT -> "timed out";
      case RATE_LIMITED -> "rate limited";
      case UNAVAILABLE -> "model server unavailable";
      case AUTHENTICATION -> "authentication failed (check the API key)";
      case REJECTED -> "request rejected";
      case OTHER -> "call failed";
    };
  }

  /**
   * The provider's error type and code from an OpenAI-style ({@code {"error":{"type","code",
   * "message"}}}) or Anthropic-style ({@code {"type":"error","error":{"type","message"}}}) body, as
   * {@code " [type/code]: message"}; empty for any other body.
   */
  private static String providerError(@Nullable String body, boolean withMessage) {
    if (body == null || body.isBlank()) {
      return "";
    }
    JsonNode error;
    try {
      error = JSON.readTree(body).path("error");
    } catch (IOException | RuntimeException notJson) {
      return "";
    }
    if (!error.isObject()) {
      return "";
    }
    List<String> codes = new ArrayList<>();
    for (String field : List.of("type", "code")) {
      String value = error.path(field).asText("");
      if (SAFE_CODE.matcher(value).matches() && !codes.contains(value)) {
        codes.add(value);
      }
    }
    StringBuilder text = new StringBuilder();
    if (!codes.isEmpty()) {
      text.append(" [").append(String.join("/", codes)).append(']');
    }
    String message = error.path("message").asText("");
    if (withMessage && !message.isBlank()) {
      String masked = KEY_LIKE.matcher(message).replaceAll("$1***");
      text.append(": ")
          .append(
              masked.length() <= MAX_PROVIDER_MESSAGE
                  ? masked
                  : masked.substring(0, MAX_PROVIDER_MESSAGE) + "...");
    }
    return text.toString();
  }

  private static List<Throwable> causeChain(Throwable error) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Throwable> chain = new ArrayList<>();
    Throwable t = error;
    while (t != null && chain.size() < MAX_CHAIN && seen.add(t)) {
      chain.add(t);
      t = t.getCause();
    }
    return chain;
  }

  private static <T> @Nullable T first(List<Throwable> chain, Class<T> type) {
    for (Throwable t : chain) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  private static String simpleName(Throwable t) {
    return t.getClass().getSimpleName();
  }
}
