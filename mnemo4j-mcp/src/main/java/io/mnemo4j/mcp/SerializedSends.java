package io.mnemo4j.mcp;

import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpServerTransport;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Wraps the SDK's stdio transport provider so that messages to the client are handed over one at a
 * time. The SDK's stdio transport (2.0.1) emits every outgoing message into a unicast sink with
 * {@code tryEmitNext} from whichever thread produced it: a tool result from a worker thread and a
 * {@code ping} answer from the reader thread can meet inside the sink, and the loser is dropped
 * ("Failed to enqueue message"), so the client waits for an answer forever. Measured here: about
 * one lost answer in a few dozen calls on a busy machine. Thread-safe.
 */
final class SerializedSends implements McpServerTransportProvider {
  private final McpServerTransportProvider delegate;

  SerializedSends(McpServerTransportProvider delegate) {
    this.delegate = delegate;
  }

  @Override
  public void setSessionFactory(io.modelcontextprotocol.spec.McpServerSession.Factory factory) {
    delegate.setSessionFactory(transport -> factory.create(new Transport(transport)));
  }

  @Override
  public Mono<Void> notifyClients(String method, Object params) {
    return delegate.notifyClients(method, params);
  }

  @Override
  public Mono<Void> notifyClient(String sessionId, String method, Object params) {
    return delegate.notifyClient(sessionId, method, params);
  }

  @Override
  public Mono<Void> closeGracefully() {
    return delegate.closeGracefully();
  }

  @Override
  public List<String> protocolVersions() {
    return delegate.protocolVersions();
  }

  /** One session's transport, handing each message to the SDK under a lock. */
  private static final class Transport implements McpServerTransport {
    private final McpServerTransport delegate;
    private final ReentrantLock handOver = new ReentrantLock();

    Transport(McpServerTransport delegate) {
      this.delegate = delegate;
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
      return Mono.defer(
              () -> {
                // The lock covers the hand-over only (the SDK enqueues while it is subscribed to),
                // never the caller's continuation: the SDK runs its next inbound message (a ping
                // answered inline) on the thread that completes a send, and a lock held until
                // then made that thread wait for itself (the pipelined test's stall).
                CompletableFuture<Void> handedOver;
                handOver.lock();
                try {
                  handedOver = delegate.sendMessage(message).toFuture();
                } finally {
                  handOver.unlock();
                }
                return Mono.fromFuture(handedOver);
              })
          // Before the SDK's writer has subscribed, its send completes later on the thread that
          // subscribes, outside the lock, and can meet another send: the message was then not
          // enqueued at all, so handing it over again cannot duplicate it.
          .retryWhen(
              Retry.fixedDelay(3, Duration.ofMillis(5))
                  .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
      return delegate.unmarshalFrom(data, typeRef);
    }

    @Override
    public Mono<Void> closeGracefully() {
      return delegate.closeGracefully();
    }

    @Override
    public void close() {
      delegate.close();
    }

    @Override
    public List<String> protocolVersions() {
      return delegate.protocolVersions();
    }
  }
}
