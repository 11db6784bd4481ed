package io.mnemo4j.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Mnemo;
import io.mnemo4j.MoveReceipt;
import io.mnemo4j.PurgeReceipt;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.server.WireJson;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mnemo tenants create|list|purge|move}. */
@Command(
    name = "tenants",
    description = "Create, list, purge and move tenants.",
    subcommands = {
      TenantsCommand.Create.class,
      TenantsCommand.ListTenants.class,
      TenantsCommand.Purge.class,
      TenantsCommand.Move.class
    })
final class TenantsCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a tenants command is required");
  }

  @Command(name = "create", description = "Create a tenant.")
  static final class Create extends CliCommand {
    @Parameters(paramLabel = "ID", description = "Tenant id, ^[a-z0-9][a-z0-9_-]{0,62}$.")
    String id = "";

    @Option(
        names = "--region",
        paramLabel = "R",
        description =
            "Region the tenant's data is pinned to (a directory of the data dir; default: local).")
    @Nullable String region;

    @Override
    public Integer call() {
      try (Mnemo mnemo = region == null ? cli().openMnemo() : cli().openMnemo(region)) {
        TenantInfo t =
            region == null
                ? mnemo.admin().createTenant(id)
                : mnemo.admin().createTenant(id, region);
        if (json()) {
          Json.print(out(), WireJson.tenant(t));
        } else {
          out()
              .println(
                  "created tenant " + t.id() + " in region " + t.region() + ", shard " + t.shard());
        }
      }
      return MnemoCli.OK;
    }
  }

  @Command(name = "list", description = "List tenants.")
  static final class ListTenants extends CliCommand {
    @Override
    public Integer call() {
      List<TenantInfo> tenants;
      try (Mnemo mnemo = cli().openMnemo()) {
        tenants = mnemo.admin().listTenants();
      }
      if (json()) {
        ObjectNode root = Json.object();
        ArrayNode results = root.putArray("results");
        tenants.forEach(t -> results.add(WireJson.tenant(t)));
        Json.print(out(), root);
      } else if (tenants.isEmpty()) {
        out().println("no tenants; create one with: mnemo tenants create ID");
      } else {
        PrintStream o = out();
        o.printf(Locale.ROOT, "%-32s %-12s %-8s %s%n", "TENANT", "REGION", "SHARD", "CREATED");
        tenants.forEach(
            t ->
                o.printf(
                    Locale.ROOT,
                    "%-32s %-12s %-8s %s%n",
                    t.id(),
                    t.region(),
                    t.shard(),
                    t.createdAt()));
      }
      return MnemoCli.OK;
    }
  }

  @Command(name = "purge", description = "Delete every byte of a tenant and print the receipt.")
  static final class Purge extends CliCommand {
    @Parameters(paramLabel = "ID", description = "Tenant id.")
    String id = "";

    @Override
    public Integer call() {
      PurgeReceipt r;
      try (Mnemo mnemo = cli().openMnemo()) {
        r = mnemo.admin().purgeTenant(id);
      }
      if (json()) {
        Json.print(out(), WireJson.receipt(r));
      } else {
        out()
            .printf(
                Locale.ROOT,
                "purged tenant %s (region %s): %d memories, %d history rows, %d messages, %d files, %d bytes"
                    + " at %s%n",
                r.tenant(),
                r.region(),
                r.memories(),
                r.historyRows(),
                r.messages(),
                r.files(),
                r.bytes(),
                r.purgedAt());
      }
      return MnemoCli.OK;
    }
  }

  @Command(
      name = "move",
      description =
          "Move a tenant to another region: copy, verify (counts and a checksum per record kind),"
              + " switch the catalog, purge the old copy; print the receipt. A rerun finishes a move"
              + " cut short; --rollback drops its copy instead.")
  static final class Move extends CliCommand {
    @Parameters(paramLabel = "ID", description = "Tenant id.")
    String id = "";

    @Option(names = "--region", paramLabel = "R", description = "The region to move it to.")
    @Nullable String region;

    @Option(
        names = "--rollback",
        description = "Roll back a move cut short before it switched (the tenant stays put).")
    boolean rollback;

    @Override
    public Integer call() {
      if (rollback == (region != null)) {
        throw new MnemoCli.UsageException("give either --region R or --rollback");
      }
      MoveReceipt r;
      try {
        r = move();
      } catch (InvalidRequestException e) {
        if ("region".equals(e.field())) {
          throw new InvalidRequestException("--region", "--region: " + e.getMessage());
        }
        throw e;
      }
      if (json()) {
        Json.print(out(), WireJson.move(r));
      } else {
        PrintStream o = out();
        o.printf(
            Locale.ROOT,
            "%s tenant %s from region %s to region %s in %.1f s (%d bytes of the old copy"
                + " purged)%n",
            r.outcome().equals("moved") ? "moved" : "rolled back the move of",
            r.tenant(),
            r.from().region(),
            r.to().region(),
            r.took().toNanos() / 1e9,
            r.bytesPurged());
        o.printf(Locale.ROOT, "%-13s %10s %10s  %s%n", "KIND", "FROM", "TO", "SHA-256 (from / to)");
        java.util.TreeSet<String> kinds = new java.util.TreeSet<>(r.from().counts().keySet());
        kinds.addAll(r.to().counts().keySet());
        for (String kind : kinds) {
          o.printf(
              Locale.ROOT,
              "%-13s %10d %10d  %s / %s%n",
              kind,
              r.from().count(kind),
              r.to().count(kind),
              r.from().checksums().getOrDefault(kind, "-"),
              r.to().checksums().getOrDefault(kind, "-"));
        }
      }
      return MnemoCli.OK;
    }

    private MoveReceipt move() {
      if (region == null) {
        try (Mnemo mnemo = cli().openMnemo()) {
          return mnemo.admin().rollbackMove(id);
        }
      }
      io.mnemo4j.TenantId.requireRegion(region);
      try (Mnemo mnemo = cli().openMnemo(region)) {
        return mnemo.admin().moveTenant(id, region);
      }
    }
  }
}
