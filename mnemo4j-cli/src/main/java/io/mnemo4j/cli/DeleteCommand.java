package io.mnemo4j.cli;

import io.mnemo4j.MemoryEvent;
import io.mnemo4j.Mnemo;
import io.mnemo4j.server.WireJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mnemo delete}: removes one memory; its history stays readable. */
@Command(name = "delete", description = "Delete one memory (its history is kept).")
final class DeleteCommand extends CliCommand {
  @Option(names = "--tenant", paramLabel = "T", required = true, description = "Tenant id.")
  String tenant = "";

  @Parameters(paramLabel = "ID", description = "Memory id.")
  String id = "";

  @Override
  public Integer call() {
    MemoryEvent e;
    try (Mnemo mnemo = cli().openMnemo()) {
      e = MnemoCli.tenant(mnemo, tenant).delete(id);
    }
    if (json()) {
      Json.print(out(), WireJson.event(e));
    } else {
      out().println("deleted " + e.id());
    }
    return MnemoCli.OK;
  }
}
