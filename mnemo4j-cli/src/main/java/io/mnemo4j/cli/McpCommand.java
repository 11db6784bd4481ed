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
  public Integer call() throws InterruptedException {
    PrintStream protocol = out();
    PrintStream previous = System.out;
    // Anything a library might print must not corrupt the protocol stream.
    System.setOut(cli().err());
    try (Mnemo mnemo = cli().openMnemo()) {
      TenantMemory memory = MnemoCli.tenant(mnemo, tenant);
      Caller caller = Caller.local(memory, user, agent, "stdio");
      // Open the tenant's store now: if another process holds it (the embedded store admits one),
      // fail at start with the reason instead of answering every tool call with an error.
      memory.count(Selection.in(Scope.tenantWide()));
      // Load the embedding model while the client initializes, not on its first call.
      Thread.ofVirtual().name("mnemo-mcp-warmup").start(() -> warmUp(mnemo.embedder()));
      StdioServer.serve(MemoryTools.create(), caller, cli().in(), protocol);
    } finally {
      System.setOut(previous);
    }
    return MnemoCli.OK;
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
