package io.mnemo4j.cli;

import io.mnemo4j.ErasureReceipt;
import io.mnemo4j.Mnemo;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.server.WireJson;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mnemo erase}: one raw message (an id from a memory's provenance) or every message of a
 * run, with the memories that came only from them.
 */
@Command(
    name = "erase",
    description =
        "Erase a conversation: one raw message (--message, an id from a memory's provenance) or "
            + "every message of a run (--run), with the memories that came only from them.")
final class EraseCommand extends CliCommand {
  @Option(names = "--tenant", paramLabel = "T", required = true, description = "Tenant id.")
  String tenant = "";

  @Option(names = "--message", paramLabel = "ID", description = "Raw message id.")
  @Nullable String message;

  @Option(names = "--run", paramLabel = "R", description = "Run id: every message of the run.")
  @Nullable String run;

  @Override
  public Integer call() {
    if ((message == null) == (run == null)) {
      throw new MnemoCli.UsageException("erase needs exactly one of --message or --run");
    }
    ErasureReceipt r;
    try (Mnemo mnemo = cli().openMnemo()) {
      TenantMemory memory = MnemoCli.tenant(mnemo, tenant);
      r = message != null ? memory.eraseMessage(message) : memory.eraseRun(run);
    }
    if (json()) {
      Json.print(out(), WireJson.erasure(r));
    } else {
      out()
          .println(
              "erased "
                  + r.messages()
                  + " messages and "
                  + r.memories()
                  + " memories that came only from them ("
                  + r.memoriesKept()
                  + " kept: they also came from other messages)");
    }
    return MnemoCli.OK;
  }
}
