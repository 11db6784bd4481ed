package io.mnemo4j.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mnemo4j.Message;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantMemory;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpServerTransport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Regression: answers lost over stdio. The MCP Java SDK's stdio transport (2.0.1) hands every
 * outgoing message to a unicast sink with {@code tryEmitNext} from whatever thread produced it. A
 * tool result (sent from a worker thread) and a {@code ping} answer (sent from the reader thread)
 * that meet inside the sink make one emission fail, and that answer is silently dropped ("Failed to
 * enqueue message" on stderr): the client then waits until its request times out. Seen as a
 * two-minute hang of {@code ping} in the CLI's end-to-end test, and reproduced with 1 lost answer
 * in 16 sequential calls against {@code ./mnemo mcp}. {@link SerializedSends} hands messages over
 * one at a time.
 */
class StdioLostAnswersTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Pipelined tool calls and pings (many answers produced at once): every one is answered. */
  @Test
  void stdio_pipelinedToolCallsAndPings_everyRequestIsAnswered() throws Exception {
    try (TestMemory memory = new TestMemory()) {
      TenantMemory acme = memory.tenant("acme");
      acme.add(List.of(Message.user("Alice drinks coffee on trains")), Scope.user("alice"));
      PipedOutputStream toServer = new PipedOutputStream();
      PipedInputStream serverIn = new PipedInputStream(toServer, 1 << 20);
      PipedInputStream fromServer = new PipedInputStream(1 << 20);
      PipedOutputStream serverOut = new PipedOutputStream(fromServer);
      Caller caller = Caller.local(acme, "alice", null, "test");
      Thread server =
          Thread.ofPlatform()
              .name("stdio-server")
              .start(
                  () -> {
                    try {
                      StdioServer.serve(MemoryTools.create(), caller, serverIn, serverOut);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  });
      int pairs = 150;
      StringBuilder requests = new StringBuilder();
      requests.append(
          "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
              + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}\n");
      requests.append("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n");
      for (int i = 1; i <= pairs; i++) {
        requests.append(
            "{\"jsonrpc\":\"2.0\",\"id\":"
                + (2 * i)
                + ",\"method\":\"tools/call\",\"params\":{\"name\":\"get_memories\",\"arguments\":{}}}\n");
        requests.append("{\"jsonrpc\":\"2.0\",\"id\":" + (2 * i + 1) + ",\"method\":\"ping\"}\n");
      }
      toServer.write(requests.toString().getBytes(StandardCharsets.UTF_8));
      toServer.flush();
      Set<Integer> answered = java.util.Collections.synchronizedSet(new HashSet<>());
      ExecutorService reader = Executors.newSingleThreadExecutor();
      try {
        Future<?> reading =
            reader.submit(
                () -> {
                  BufferedReader r =
                      new BufferedReader(new InputStreamReader(fromServer, StandardCharsets.UTF_8));
                  try {
                    while (answered.size() < 2 * pairs + 1) {
                      JsonNode m = JSON.readTree(r.readLine());
                      assertThat(m.has("result")).as("%s", m).isTrue();
                      answered.add(m.get("id").asInt());
                    }
                  } catch (java.io.IOException e) {
                    // the server stopped writing (its writer thread died): the count tells
                  }
                  return null;
                });
        // A lost answer shows as a stall, not as slowness: wait while answers keep coming (a busy
        // machine may be slow), and stop once none came for 30 s.
        int seen = -1;
        long lastProgress = System.nanoTime();
        while (!reading.isDone()
            && System.nanoTime() - lastProgress < TimeUnit.SECONDS.toNanos(30)) {
          int now = answered.size();
          if (now != seen) {
            seen = now;
            lastProgress = System.nanoTime();
          }
          Thread.sleep(200);
        }
      } finally {
        reader.shutdownNow();
      }
      assertThat(answered).as("answered ids").hasSize(2 * pairs + 1);
      toServer.close();
      server.join(30_000);
      assertThat(server.isAlive()).isFalse();
    }
  }

  /** The wrapper never lets two sends into the SDK's transport at once. */
  @Test
  void serializedSends_concurrentSenders_neverOverlapInTheDelegate() throws Exception {
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger sent = new AtomicInteger();
    McpServerTransport slow =
        sendingWith(
            () -> {
              most.accumulateAndGet(inside.incrementAndGet(), Math::max);
              try {
                Thread.sleep(1);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              inside.decrementAndGet();
              sent.incrementAndGet();
            });
    McpServerTransport wrapped = serialized(slow);
    int threads = 8;
    int each = 40;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int i = 0; i < threads; i++) {
        pool.submit(
            () -> {
              start.await();
              for (int j = 0; j < each; j++) {
                wrapped.sendMessage(new McpSchema.JSONRPCNotification("2.0", "n", null)).block();
              }
              return null;
            });
      }
      start.countDown();
      pool.shutdown();
      assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      pool.shutdownNow();
    }
    assertThat(sent.get()).isEqualTo(threads * each);
    assertThat(most.get()).isEqualTo(1);
  }

  /**
   * Regression for the stall of the pipelined test: a send made on the thread that completes
   * another send (the SDK drains its inbound queue there, and answers a {@code ping} inline) must
   * not wait for the first send's permit. The old wrapper released its permit only after the
   * downstream had run, so that thread waited on itself forever.
   */
  @Test
  void serializedSends_sendFromTheCompletionOfAnother_doesNotWaitForItself() throws Exception {
    AtomicInteger sent = new AtomicInteger();
    McpServerTransport wrapped = serialized(sendingWith(sent::incrementAndGet));
    McpSchema.JSONRPCMessage note = new McpSchema.JSONRPCNotification("2.0", "n", null);
    ExecutorService sender = Executors.newSingleThreadExecutor();
    try {
      Future<?> nested =
          sender.submit(
              () ->
                  wrapped
                      .sendMessage(note)
                      .then(Mono.defer(() -> wrapped.sendMessage(note)))
                      .block());
      nested.get(10, TimeUnit.SECONDS);
    } finally {
      sender.shutdownNow();
    }
    assertThat(sent.get()).isEqualTo(2);
  }

  /** A transport whose every send runs {@code send} when subscribed to, then completes. */
  private static McpServerTransport sendingWith(Runnable send) {
    return new McpServerTransport() {
      @Override
      public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
        return Mono.fromRunnable(send);
      }

      @Override
      public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Mono<Void> closeGracefully() {
        return Mono.empty();
      }
    };
  }

  /** {@code transport} as the session sees it once {@link SerializedSends} wraps it. */
  private static McpServerTransport serialized(McpServerTransport transport) {
    McpServerTransport[] wrapped = new McpServerTransport[1];
    new SerializedSends(new CapturingProvider(transport))
        .setSessionFactory(
            t -> {
              wrapped[0] = t;
              return null;
            });
    return wrapped[0];
  }

  /** A provider that hands one given transport to the session factory. */
  private record CapturingProvider(McpServerTransport transport)
      implements io.modelcontextprotocol.spec.McpServerTransportProvider {
    @Override
    public void setSessionFactory(io.modelcontextprotocol.spec.McpServerSession.Factory f) {
      f.create(transport);
    }

    @Override
    public Mono<Void> notifyClients(String method, Object params) {
      return Mono.empty();
    }

    @Override
    public Mono<Void> closeGracefully() {
      return Mono.empty();
    }
  }
}
