package io.mnemo4j.cli;

import io.mnemo4j.Mnemo;
import io.mnemo4j.TenantMemory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mnemo delete-all}: every memory of a scope, or with the explicit {@code --all} of the
 * whole tenant.
 */
@Command(
    name = "delete-all",
    description =
        "Delete every memory of a user, agent or run; --all deletes every memory of the tenant.")
final class DeleteAllCommand extends CliCommand {
  @Option(names = "--tenant", paramLabel = "T", required = true, description = "Tenant id.")
  String tenant = "";

  @Mixin ScopeOptions scope = new ScopeOptions();

  @Option(
      names = "--all",
      description = "Explicit wildcard: every memory of the tenant (the tenant itself stays).")
  boolean all;

  @Override
  public Integer call() {
    if (all == scope.any()) {
      throw new MnemoCli.UsageException(
          all
              ? "--all cannot be combined with --user, --agent or --run"
              : "delete-all needs --user, --agent or --run, or --all to delete every memory of the tenant");
    }
    long deleted;
    try (Mnemo mnemo = cli().openMnemo()) {
      TenantMemory memory = MnemoCli.tenant(mnemo, tenant);
      deleted = all ? memory.deleteAll(TenantMemory.Wildcard.ALL) : memory.deleteAll(scope.scope());
    }
    if (json()) {
      Json.print(out(), Json.object().put("deleted", deleted));
    } else {
      out().println("deleted " + deleted + " memories");
    }
    return MnemoCli.OK;
  }
}
