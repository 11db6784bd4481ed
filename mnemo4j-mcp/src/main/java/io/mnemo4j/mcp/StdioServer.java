package io.mnemo4j.mcp;

import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;

/**
 * The memory tools over stdio, for desktop and IDE agents that start the server as a child process:
 * newline-delimited JSON-RPC on {@code in} and {@code out} (nothing else may be written to {@code
 * out}; logs belong on stderr). One session, one {@link Caller}.
 *
 * <pre>{@code
 * Caller caller = Caller.local(mnemo.existingTenant("acme"), "alice", null, "stdio");
 * StdioServer.serve(MemoryTools.create(), caller, System.in, System.out);   // until stdin closes
 * }</pre>
 *
 * Not thread-safe: one call to {@link #serve} per pair of streams.
 */
public final class StdioServer {
  private StdioServer() {}

  /**
   * Serves the tools for {@code caller} until the client closes {@code in} (end of stream) or the
   * calling thread is interrupted, then closes the session and returns.
   */
  public static void serve(MemoryTools tools, Caller caller, InputStream in, OutputStream out)
      throws InterruptedException {
    Objects.requireNonNull(tools, "tools");
    Objects.requireNonNull(caller, "caller");
    CountDownLatch ended = new CountDownLatch(1);
    StdioServerTransportProvider transport =
        new StdioServerTransportProvider(
            ServerInfo.jsonMapper(), new EndAware(Objects.requireNonNull(in, "in"), ended), out);
    McpSyncServer server =
        McpServer.sync(new SerializedSends(transport))
            .serverInfo(ServerInfo.NAME, ServerInfo.VERSION)
            .instructions(ServerInfo.INSTRUCTIONS)
            .capabilities(ServerInfo.capabilities())
            .jsonMapper(ServerInfo.jsonMapper())
            // Arguments are checked by the tools themselves, so every refusal has the same shape.
            .validateToolInputs(false)
            .tools(tools.forSession(caller))
            .prompts(
                new McpServerFeatures.SyncPromptSpecification(
                    AssistantPrompt.prompt(), (exchange, req) -> AssistantPrompt.result()))
            .build();
    try {
      ended.await();
    } finally {
      server.closeGracefully();
    }
  }

  /** Counts down when the client's end of the stream is reached or fails. */
  private static final class EndAware extends FilterInputStream {
    private final CountDownLatch ended;

    EndAware(InputStream in, CountDownLatch ended) {
      super(in);
      this.ended = ended;
    }

    @Override
    public int read() throws IOException {
      try {
        return check(super.read());
      } catch (IOException e) {
        ended.countDown();
        throw e;
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return check(super.read(b, off, len));
      } catch (IOException e) {
        ended.countDown();
        throw e;
      }
    }

    private int check(int n) {
      if (n < 0) {
        ended.countDown();
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      ended.countDown();
      super.close();
    }
  }
}
