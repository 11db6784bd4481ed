package io.mnemo4j.cli;

import io.mnemo4j.Mnemo;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mnemo demo}: a short scripted session (tenant, organisation, user and agent memories,
 * searches), printing each {@code ./mnemo} command before running it so the user can go on by hand.
 * Safe to run again: the tenant is reused and repeated adds are NONE events.
 */
@Command(
    name = "demo",
    description = "A scripted session that prints each ./mnemo command it runs.")
final class DemoCommand extends CliCommand {
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_./:=@,+-]+");

  @Option(
      names = "--tenant",
      paramLabel = "T",
      defaultValue = "demo",
      description = "Tenant to use (default: demo).")
  String tenant = "demo";

  @Override
  public Integer call() {
    MnemoCli root = cli();
    boolean exists;
    try (Mnemo mnemo = root.openMnemo()) {
      exists = mnemo.admin().findTenant(tenant).isPresent();
    }
    List<List<String>> steps = script(exists);
    PrintStream out = out();
    if (exists) {
      out.println("# tenant " + tenant + " exists; reusing it (repeated adds are NONE events)");
    }
    List<String> global = new ArrayList<>();
    if (!root.dataDir().equals(MnemoCli.DEFAULT_DATA_DIR)) {
      global.addAll(List.of("--data-dir", root.dataDir().toString()));
    }
    if (!root.embedderName().equals(MnemoCli.DEFAULT_EMBEDDER)) {
      global.addAll(List.of("--embedder", root.embedderName()));
    }
    for (List<String> step : steps) {
      List<String> args = new ArrayList<>(global);
      args.addAll(step);
      out.println();
      out.println("$ ./mnemo " + String.join(" ", args.stream().map(DemoCommand::quote).toList()));
      int code = MnemoCli.run(args.toArray(String[]::new), root.in(), out, root.err());
      if (code != MnemoCli.OK) {
        return code;
      }
    }
    out.println();
    out.println(
        "# go on by hand, e.g.: ./mnemo search --tenant "
            + tenant
            + " --all \"API\"   (./mnemo --help)");
    return MnemoCli.OK;
  }

  /** The commands the demo runs, creating the tenant first unless it exists. */
  private List<List<String>> script(boolean exists) {
    List<List<String>> steps = new ArrayList<>();
    if (!exists) {
      steps.add(List.of("tenants", "create", tenant));
    }
    steps.add(List.of("add", "--tenant", tenant, "Our CRM is called Atlas"));
    steps.add(
        List.of(
            "add",
            "--tenant",
            tenant,
            "--user",
            "alice",
            "I prioritise API performance",
            "I drink my coffee black"));
    steps.add(
        List.of("add", "--tenant", tenant, "--user", "bob", "I prefer long-form written updates"));
    steps.add(
        List.of(
            "add",
            "--tenant",
            tenant,
            "--agent",
            "support-bot",
            "Escalate billing questions to the finance team"));
    steps.add(
        List.of(
            "search",
            "--tenant",
            tenant,
            "--user",
            "alice",
            "--with-tenant-wide",
            "what CRM do we use?"));
    steps.add(List.of("search", "--tenant", tenant, "--user", "alice", "how do I take my coffee?"));
    steps.add(
        List.of("search", "--tenant", tenant, "--agent", "support-bot", "who handles invoices?"));
    steps.add(List.of("list", "--tenant", tenant, "--all"));
    return steps;
  }

  static String quote(String arg) {
    return SAFE.matcher(arg).matches() ? arg : "'" + arg.replace("'", "'\\''") + "'";
  }
}
