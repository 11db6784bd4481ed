package io.mnemo4j.bench;

import io.mnemo4j.Mnemo;
import io.mnemo4j.mcp.Caller;
import io.mnemo4j.mcp.MemoryTools;
import io.mnemo4j.mcp.StdioServer;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The stdio side of {@code bench mcp}: serves the MCP tools over stdin/stdout as {@code ./mnemo
 * mcp} does ({@code McpStdioChild DATA_DIR TENANT USER EMBEDDER}).
 */
public final class McpStdioChild {
  private McpStdioChild() {}

  /** Serves until the parent closes stdin. */
  public static void main(String[] args) throws InterruptedException {
    PrintStream protocol = System.out;
    System.setOut(System.err);
    try (Mnemo mnemo =
        Mnemo.builder()
            .dataDir(Path.of(args[0]))
            .embedder(Embedders.open(args[3]))
            .backend(EmbeddedBackend.create())
            .autoCreateTenants(false)
            .build()) {
      Caller caller = Caller.local(mnemo.existingTenant(args[1]), args[2], null, "bench");
      StdioServer.serve(MemoryTools.create(), caller, System.in, protocol);
    }
    System.exit(0);
  }
}
