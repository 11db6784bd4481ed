package io.mnemo4j.mcp;

import io.mnemo4j.Mnemo;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * A child JVM serving the tools over its stdin/stdout, for the stdio tests: {@code StdioChild
 * DATA_DIR TENANT [USER|-] [AGENT|-]} on a data dir prepared by the test (hashing embedder).
 */
public final class StdioChild {
  private StdioChild() {}

  /** Serves until the parent closes stdin. */
  public static void main(String[] args) throws InterruptedException {
    PrintStream protocol = System.out;
    System.setOut(System.err); // stdout carries JSON-RPC only
    String user = args.length > 2 && !args[2].equals("-") ? args[2] : null;
    String agent = args.length > 3 && !args[3].equals("-") ? args[3] : null;
    try (Mnemo mnemo = TestMemory.open(Path.of(args[0]))) {
      Caller caller = Caller.local(mnemo.existingTenant(args[1]), user, agent, "stdio");
      StdioServer.serve(MemoryTools.create(), caller, System.in, protocol);
    }
  }
}
