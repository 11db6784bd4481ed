package io.mnemo4j.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Memory;
import io.mnemo4j.Mnemo;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.server.WireJson;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mnemo history}: every applied change of a memory, oldest first (also after a delete). */
@Command(name = "history", description = "Show the change history of one memory, oldest first.")
final class HistoryCommand extends CliCommand {
  @Option(names = "--tenant", paramLabel = "T", required = true, description = "Tenant id.")
  String tenant = "";

  @Parameters(paramLabel = "ID", description = "Memory id.")
  String id = "";

  @Override
  public Integer call() {
    List<HistoryEntry> entries;
    java.util.Optional<Memory.Provenance> provenance;
    try (Mnemo mnemo = cli().openMnemo()) {
      TenantMemory memory = MnemoCli.tenant(mnemo, tenant);
      entries = memory.history(id);
      provenance = memory.get(id).map(Memory::provenance);
    }
    if (json()) {
      ObjectNode root = Json.object();
      ArrayNode results = root.putArray("results");
      entries.forEach(h -> results.add(WireJson.history(h)));
      root.set("provenance", provenance.map(WireJson::provenance).orElse(null));
      Json.print(out(), root);
    } else {
      for (HistoryEntry h : entries) {
        String change =
            switch (h.event()) {
              case ADD -> h.newText();
              case DELETE -> h.oldText();
              default -> h.oldText() + " -> " + h.newText();
            };
        out()
            .println(
                String.format(
                    Locale.ROOT, "%s  %-6s %-12s %s", h.at(), h.event(), h.actor(), change));
      }
    }
    return MnemoCli.OK;
  }
}
