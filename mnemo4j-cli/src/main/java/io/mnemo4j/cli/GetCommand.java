package io.mnemo4j.cli;

import io.mnemo4j.Memory;
import io.mnemo4j.Mnemo;
import io.mnemo4j.NotFoundException;
import io.mnemo4j.server.WireJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mnemo get}: one memory by id. */
@Command(name = "get", description = "Show one memory.")
final class GetCommand extends CliCommand {
  @Option(names = "--tenant", paramLabel = "T", required = true, description = "Tenant id.")
  String tenant = "";

  @Parameters(paramLabel = "ID", description = "Memory id.")
  String id = "";

  @Override
  public Integer call() {
    Memory m;
    try (Mnemo mnemo = cli().openMnemo()) {
      m =
          MnemoCli.tenant(mnemo, tenant)
              .get(id)
              .orElseThrow(() -> new NotFoundException("memory " + id + " not found"));
    }
    if (json()) {
      Json.print(out(), WireJson.memory(m));
    } else {
      out().println("id:         " + m.id());
      out().println("memory:     " + m.text());
      out().println("scope:      " + Text.where(m));
      if (!m.metadata().isEmpty()) {
        out().println("metadata:   " + Json.MAPPER.valueToTree(m.metadata()));
      }
      if (!m.categories().isEmpty()) {
        out().println("categories: " + String.join(", ", m.categories()));
      }
      m.actorIfKnown().ifPresent(a -> out().println("actor:      " + a));
      m.roleIfKnown().ifPresent(r -> out().println("role:       " + r.wireName()));
      out().println("created_at: " + m.createdAt());
      out().println("updated_at: " + m.updatedAt());
      out()
          .println(
              "provenance: "
                  + m.provenance().source()
                  + (m.provenance().messageIds().isEmpty()
                      ? ""
                      : ", messages " + String.join(", ", m.provenance().messageIds())));
    }
    return MnemoCli.OK;
  }
}
