package io.mnemo4j.cli;

import io.mnemo4j.Mnemo;
import io.mnemo4j.Scope;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.mcp.Caller;
import io.mnemo4j.mcp.MemoryTools;
import io.mnemo4j.mcp.StdioServer;
import io.mnemo4j.spi.Embedder;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mnemo mcp}: Mem0's MCP memory tools over stdio for one tenant, for desktop and IDE agents
 * that start the server themselves (Claude Desktop, Cursor, VS Code...). Standard output carries
 * JSON-RPC and nothing else; logs and errors go to standard error. Serves until the client closes
 * standard input.
 */
@Command(
    name = "mcp",
    description =
        "Serve the memory tools to an MCP client over stdio (JSON-RPC on stdout, logs on stderr)"
            + " until it disconnects.")
final class McpCommand extends CliCommand {
  private static final Logger LOG = LoggerFactory.getLogger(McpCommand.class);

  @Option(names = "--tenant", paramLabel = "T", required = true, description = "Tenant id.")
  String tenant = "";

  @Option(
      names = "--user",
      paramLabel = "U",
      description = "Default user: calls that name no user_id, agent_id or run_id act for U.")
  @Nullable String user;

  @Option(
      names = "--agent",
      paramLabel = "A",
      description = "Default agent: memories added without a scope also carry agent A.")
  @Nullable String agent;

  @Override
  public Integer call() {
    PrintStream protocol = out();
    PrintStream previous = System.out;
    // Set once the stores are closed, so a shutdown hook knows when the process may end.
    CountDownLatch closed = new CountDownLatch(1);
    // Anything a library might print must not corrupt the protocol stream.
    System.setOut(cli().err());
    try (Mnemo mnemo = cli().openMnemo()) {
      TenantMemory memory = MnemoCli.tenant(mnemo, tenant);
      Caller caller = Caller.local(memory, user, agent, "stdio");
      // Open the tenant's store now: if another process holds it (the embedded store admits one),
      // fail at start with the reason instead of answering every tool call with an error.
      memory.count(Selection.in(Scope.tenantWide()));
      // Load the embedding model while the client initializes, not on its first call.
      Thread.ofVirtual()
          .name("mnemo-mcp-warmup")
          .start(() -> warmUp(mnemo.operations().embedder()));
      // A client that ends the server with a signal instead of closing stdin: stop serving and
      // close the stores on this thread, as after the end of input.
      Thread serving = Thread.currentThread();
      Thread hook = new Thread(() -> stop(serving, closed), "mnemo-mcp-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        StdioServer.serve(MemoryTools.create(), caller, cli().in(), protocol);
      } catch (InterruptedException stopped) {
        LOG.info("stopping: interrupted");
      } finally {
        removeHook(hook);
      }
    } finally {
      closed.countDown();
      System.setOut(previous);
    }
    return MnemoCli.OK;
  }

  private static void stop(Thread serving, CountDownLatch closed) {
    serving.interrupt();
    try {
      closed.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running and waits for the stores to close
    }
  }

  private static void warmUp(Embedder embedder) {
    try {
      embedder.embed("warm up", Embedder.Purpose.QUERY);
    } catch (RuntimeException e) {
      // The first tool call will meet the same failure and report it as a tool error.
      LOG.warn("embedder warm-up failed: {}", e.toString());
    }
  }
}
