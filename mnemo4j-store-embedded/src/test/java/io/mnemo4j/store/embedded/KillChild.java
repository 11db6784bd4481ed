package io.mnemo4j.store.embedded;

import io.mnemo4j.MemoryEvent;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.testing.HashingEmbedder;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The child JVM of {@link KillDurabilityTest}: adds memories forever and prints {@code ACK <id>
 * <text>} after each add returns, until it is killed. Not a test itself.
 */
public final class KillChild {
  private KillChild() {}

  /**
   * Args: data directory, optionally the durability ({@code full} when absent), and optionally the
   * number of the first note (0 when absent; a second child on the same data dir starts elsewhere
   * so that its notes are new memories, not duplicates).
   */
  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try (Mnemo mnemo =
        Mnemo.builder()
            .dataDir(Path.of(args[0]))
            .embedder(new HashingEmbedder())
            .backend(
                EmbeddedBackend.create()
                    .withDurability(
                        args.length > 1
                            ? Durability.parse(args[1], "durability")
                            : Durability.FULL))
            .build()) {
      TenantMemory t = mnemo.tenant("durable");
      out.println("READY");
      int first = args.length > 2 ? Integer.parseInt(args[2]) : 0;
      for (int i = first; ; i++) {
        String text = "durable note " + i + " token" + Integer.toString(i * 7919 + 13, 36);
        Scope scope = Scope.user("u" + (i % 3));
        List<MemoryEvent> events = t.add(List.of(Message.user(text)), scope);
        out.println("ACK " + events.get(0).id() + " " + scope.userId() + " " + text);
      }
    }
  }
}
