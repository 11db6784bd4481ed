package io.mnemo4j.llm.langchain4j;

import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An {@link HttpClientBuilder} for LangChain4j models (OpenAI, Anthropic, any model that accepts
 * {@code httpClientBuilder(...)}) whose clients keep the HTTP {@code Retry-After} of error
 * responses, so that {@link LangChain4jLanguageModel} can report it in {@link
 * io.mnemo4j.llm.LanguageModelException#retryAfter()}. LangChain4j's stock clients drop response
 * headers on errors.
 *
 * <p>{@link LanguageModels#create} uses it for every model it builds; pass it yourself when you
 * build a {@code ChatModel} by hand:
 *
 * <pre>{@code
 * OpenAiChatModel chat = OpenAiChatModel.builder()
 *     .httpClientBuilder(new RetryAfterHttpClientBuilder())
 *     .maxRetries(0)
 *     ...
 * }</pre>
 *
 * <p>Not thread-safe (a builder); the clients it builds are.
 */
public final class RetryAfterHttpClientBuilder implements HttpClientBuilder {
  private final Clock clock;
  private @Nullable Duration connectTimeout;
  private @Nullable Duration readTimeout;
  // The models build their client inside their constructors and never hand it out, so the builder
  // remembers what it built for LanguageModels to close with the LanguageModel.
  private final List<RetryAfterHttpClient> built = new ArrayList<>();

  /** A builder whose clients date an HTTP-date {@code Retry-After} against the system clock. */
  public RetryAfterHttpClientBuilder() {
    this(Clock.systemUTC());
  }

  /** A builder whose clients measure an HTTP-date {@code Retry-After} from {@code clock}. */
  public RetryAfterHttpClientBuilder(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The connect timeout, or null for the JDK's default (none). */
  @Override
  public @Nullable Duration connectTimeout() {
    return connectTimeout;
  }

  /** Sets the connect timeout; LangChain4j's models call this with their {@code timeout}. */
  @Override
  public RetryAfterHttpClientBuilder connectTimeout(@Nullable Duration timeout) {
    this.connectTimeout = timeout;
    return this;
  }

  /** The time to wait for a response, or null for no limit. */
  @Override
  public @Nullable Duration readTimeout() {
    return readTimeout;
  }

  /** Sets the time to wait for a response; LangChain4j's models call this with their timeout. */
  @Override
  public RetryAfterHttpClientBuilder readTimeout(@Nullable Duration timeout) {
    this.readTimeout = timeout;
    return this;
  }

  /** Builds a client; it is {@link AutoCloseable}, and closing it releases its connections. */
  @Override
  public HttpClient build() {
    RetryAfterHttpClient client = new RetryAfterHttpClient(connectTimeout, readTimeout, clock);
    synchronized (built) {
      built.add(client);
    }
    return client;
  }

  /** Closes every client this builder built. */
  void closeBuiltClients() {
    synchronized (built) {
      built.forEach(RetryAfterHttpClient::close);
      built.clear();
    }
  }
}
