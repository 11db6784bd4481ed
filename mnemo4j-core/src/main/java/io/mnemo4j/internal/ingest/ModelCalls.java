package io.mnemo4j.internal.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.internal.util.Json;
import io.mnemo4j.llm.ChatMessage;
import io.mnemo4j.llm.Completion;
import io.mnemo4j.llm.CompletionRequest;
import io.mnemo4j.llm.LanguageModel;
import io.mnemo4j.llm.LanguageModelException;
import io.mnemo4j.llm.TokenUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Calls a language model for JSON the pipeline can trust. Transient failures (timeout, 429, 5xx)
 * are retried with exponential backoff, honouring {@code Retry-After}; an answer that is not valid
 * JSON or breaks the schema gets exactly one repair attempt, shown its validation error. Anything
 * beyond that is a {@link Failed}, and the caller stores the messages verbatim instead. Stateless,
 * thread-safe.
 */
public final class ModelCalls {
  /** Attempts per call for transient failures (first try included). */
  public static final int MAX_ATTEMPTS = 3;

  /** First backoff; doubled per attempt, with jitter. */
  static final Duration BASE_BACKOFF = Duration.ofMillis(250);

  /** Longest wait a provider's Retry-After may impose before we give up instead. */
  static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(20);

  /** Parses and checks an answer; throws {@link Invalid} naming what is wrong. */
  @FunctionalInterface
  interface Validator<T> {
    /** The validated value. */
    T validate(JsonNode answer) throws Invalid;
  }

  /** An answer broke the schema; the message is shown to the model in the repair request. */
  static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /** The model could not give a usable answer; {@code usage} is what the attempts cost. */
  static final class Failed extends Exception {
    private static final long serialVersionUID = 1L;
    final transient TokenUsage usage;

    /**
     * What kind of failure, safe to log: {@code invalid_answer}, {@code model_error}, {@code
     * model_busy} or {@code model_call_failed}. The message may quote the model's answer (it goes
     * back to the caller as {@code fallback_reason}), so only this goes to the log.
     */
    final String code;

    /** The reason: never null, every constructor takes one. */
    @Override
    public String getMessage() {
      return Objects.requireNonNull(super.getMessage());
    }

    Failed(String code, String reason, TokenUsage usage) {
      super(reason, null, false, false);
      this.code = code;
      this.usage = usage;
    }

    /** The same failure having cost {@code total}. */
    Failed costing(TokenUsage total) {
      return new Failed(code, getMessage(), total);
    }
  }

  /** A validated answer and what it cost. */
  record Answer<T>(T value, TokenUsage usage) {}

  private final Consumer<TokenUsage> usageSink;

  /** {@code usageSink} hears every successful call's usage (for metrics), as it happens. */
  ModelCalls(Consumer<TokenUsage> usageSink) {
    this.usageSink = usageSink;
  }

  <T> Answer<T> call(LanguageModel model, CompletionRequest request, Validator<T> validator)
      throws Failed {
    TokenUsage usage = TokenUsage.NONE;
    Completion first;
    try {
      first = complete(model, request);
    } catch (Failed f) {
      throw f.costing(usage.plus(f.usage));
    }
    usage = usage.plus(first.usage());
    String error;
    try {
      return new Answer<>(validator.validate(parse(first.text())), usage);
    } catch (Invalid e) {
      error = e.getMessage();
    }
    List<ChatMessage> repair = new ArrayList<>(request.messages());
    repair.add(ChatMessage.assistant(first.text()));
    repair.add(
        ChatMessage.user(
            "Your answer was invalid: "
                + error
                + ". Answer again with JSON only, following the schema exactly."));
    Completion second;
    try {
      second =
          complete(
              model,
              new CompletionRequest(repair, request.schema(), request.purpose() + "-repair"));
    } catch (Failed f) {
      throw f.costing(usage);
    }
    usage = usage.plus(second.usage());
    try {
      return new Answer<>(validator.validate(parse(second.text())), usage);
    } catch (Invalid e) {
      throw new Failed(
          "invalid_answer",
          "the model's " + request.purpose() + " answer was invalid twice: " + e.getMessage(),
          usage);
    }
  }

  /** One completion with retries of transient failures. */
  private Completion complete(LanguageModel model, CompletionRequest request) throws Failed {
    for (int attempt = 1; ; attempt++) {
      try {
        Completion c = model.complete(request);
        usageSink.accept(c.usage());
        return c;
      } catch (LanguageModelException e) {
        stopIfInterrupted();
        if (!e.retriable() || attempt >= MAX_ATTEMPTS) {
          throw new Failed(
              "model_error",
              "the model failed ("
                  + e.failure().name().toLowerCase(java.util.Locale.ROOT)
                  + (attempt > 1 ? " after " + attempt + " attempts" : "")
                  + "): "
                  + e.getMessage(),
              TokenUsage.NONE);
        }
        Duration wait = backoff(attempt);
        if (e.retryAfter().isPresent()) {
          Duration asked = e.retryAfter().get();
          if (asked.compareTo(MAX_RETRY_AFTER) > 0) {
            throw new Failed(
                "model_busy",
                "the model asked to wait " + asked.toSeconds() + " s, longer than we wait",
                TokenUsage.NONE);
          }
          wait = asked.compareTo(wait) > 0 ? asked : wait;
        }
        sleep(wait);
      } catch (RuntimeException e) {
        stopIfInterrupted();
        // An adapter bug must not lose the user's words either: treat it as a failed call.
        throw new Failed(
            "model_call_failed",
            "the model call failed: " + e.getClass().getSimpleName(),
            TokenUsage.NONE);
      }
    }
  }

  /**
   * An interrupted call means the instance is shutting down, not that the model failed: the add
   * must stop unapplied (a queued one runs again after the restart), not fall back to verbatim.
   */
  private static void stopIfInterrupted() {
    if (Thread.currentThread().isInterrupted()) {
      throw new StoreUnavailableException("interrupted while calling the model: shutting down");
    }
  }

  private static Duration backoff(int attempt) {
    long base = BASE_BACKOFF.toMillis() << (attempt - 1);
    return Duration.ofMillis(base + ThreadLocalRandom.current().nextLong(base / 2 + 1));
  }

  private static void sleep(Duration d) throws Failed {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted while waiting to retry the model", e);
    }
  }

  /**
   * Parses the answer as JSON; tolerates a Markdown code fence around it, which many models add
   * even in JSON mode.
   */
  static JsonNode parse(String text) throws Invalid {
    String t = text.strip();
    if (t.startsWith("```")) {
      int firstNewline = t.indexOf('\n');
      int lastFence = t.lastIndexOf("```");
      if (firstNewline > 0 && lastFence > firstNewline) {
        t = t.substring(firstNewline + 1, lastFence).strip();
      }
    }
    try {
      JsonNode node = Json.MAPPER.readTree(t);
      if (node == null || !node.isObject()) {
        throw new Invalid("the answer is not a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new Invalid("the answer is not valid JSON (" + e.getOriginalMessage() + ")");
    }
  }
}
