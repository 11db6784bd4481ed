package io.mnemo4j.llm.langchain4j;

import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.jdk.JdkHttpClient;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A LangChain4j {@link HttpClient} on {@code java.net.http} whose error responses keep the {@code
 * Retry-After} header. Thread-safe.
 *
 * <p>Why not decorate LangChain4j's {@link JdkHttpClient}: it turns a non-2xx response into {@code
 * new HttpException(status, body)} and drops the headers before a decorator could see them. So the
 * blocking call, the only one chat completions use, is done here; streaming and multipart uploads,
 * which Mnemo4j never sends, go to a stock {@link JdkHttpClient} created on first use.
 */
final class RetryAfterHttpClient implements HttpClient, AutoCloseable {
  private final java.net.http.HttpClient http;
  private final @Nullable Duration readTimeout;
  private final Clock clock;
  private final Supplier<JdkHttpClient> fallbackFactory;
  private volatile @Nullable JdkHttpClient fallback;

  RetryAfterHttpClient(
      @Nullable Duration connectTimeout, @Nullable Duration readTimeout, Clock clock) {
    java.net.http.HttpClient.Builder builder = java.net.http.HttpClient.newBuilder();
    if (connectTimeout != null) {
      builder.connectTimeout(connectTimeout);
    }
    this.http = builder.build();
    this.readTimeout = readTimeout;
    this.clock = clock;
    this.fallbackFactory =
        () ->
            JdkHttpClient.builder().connectTimeout(connectTimeout).readTimeout(readTimeout).build();
  }

  @Override
  public SuccessfulHttpResponse execute(HttpRequest request) {
    if (!request.formDataFields().isEmpty() || !request.formDataFiles().isEmpty()) {
      return fallback().execute(request);
    }
    HttpResponse<byte[]> response;
    try {
      response = http.send(toJdkRequest(request), BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      // The same exception JdkHttpClient throws, so LangChain4j maps timeouts as usual.
      throw new TimeoutException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the model's response", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int status = response.statusCode();
    if (status < 200 || status > 299) {
      throw new RetryAfterHttpException(
          status,
          new String(response.body(), StandardCharsets.UTF_8),
          RetryAfter.parse(
              response.headers().firstValue("retry-after-ms"),
              response.headers().firstValue("retry-after"),
              clock.instant()));
    }
    return SuccessfulHttpResponse.builder()
        .statusCode(status)
        .headers(response.headers().map())
        .body(response.body())
        .build();
  }

  @Override
  public void execute(
      HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
    fallback().execute(request, parser, listener);
  }

  /**
   * Releases the connection pool without waiting: calls in flight finish (or time out) on their
   * own, where {@code close()} would block for them (the JDK client is closeable since Java 21).
   */
  @Override
  public void close() {
    http.shutdown();
  }

  private java.net.http.HttpRequest toJdkRequest(HttpRequest request) {
    URI uri = URI.create(request.url());
    java.net.http.HttpRequest.Builder builder = java.net.http.HttpRequest.newBuilder().uri(uri);
    if ("http".equalsIgnoreCase(uri.getScheme())) {
      // On cleartext HTTP the JDK would offer an h2c upgrade, which local servers (vLLM, LM
      // Studio, uvicorn-based proxies) mishandle by dropping the body or hanging. Over TLS, HTTP/2
      // is negotiated safely by ALPN.
      builder.version(java.net.http.HttpClient.Version.HTTP_1_1);
    }
    request
        .headers()
        .forEach(
            (name, values) -> {
              for (String value : values == null ? List.<String>of() : values) {
                builder.header(name, value);
              }
            });
    String body = request.body();
    builder.method(
        request.method().name(),
        body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
    if (readTimeout != null) {
      builder.timeout(readTimeout);
    }
    return builder.build();
  }

  private JdkHttpClient fallback() {
    JdkHttpClient client = fallback;
    if (client == null) {
      synchronized (this) {
        client = fallback;
        if (client == null) {
          client = fallbackFactory.get();
          fallback = client;
        }
      }
    }
    return client;
  }
}
