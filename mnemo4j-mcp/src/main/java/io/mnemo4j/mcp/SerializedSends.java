package io.mnemo4j.mcp;

import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpServerTransport;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import java.util.List;
import java.util.concurrent.Semaphore;
import reactor.core.publisher.Mono;

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

  /** One session's transport, sending under a permit. */
  private static final class Transport implements McpServerTransport {
    private final McpServerTransport delegate;
    // A semaphore, not a lock: the permit may be released on another thread than the one that
    // took it, should the delegate's send ever complete asynchronously.
    private final Semaphore permit = new Semaphore(1);

    Transport(McpServerTransport delegate) {
      this.delegate = delegate;
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
      return Mono.defer(
          () -> {
            permit.acquireUninterruptibly();
            return delegate.sendMessage(message).doFinally(signal -> permit.release());
          });
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
