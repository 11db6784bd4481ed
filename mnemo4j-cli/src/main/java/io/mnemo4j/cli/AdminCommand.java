package io.mnemo4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.ApiKeys;
import io.mnemo4j.Mnemo;
import io.mnemo4j.server.WireJson;
import picocli.CommandLine.Command;

/** {@code mnemo admin rotate-key}: the server's admin key, managed from the command line. */
@Command(
    name = "admin",
    description = "Manage the server's admin key.",
    subcommands = {AdminCommand.RotateKey.class})
final class AdminCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "an admin command is required");
  }

  /**
   * Issues a new admin key, prints it once, and revokes every other admin key: for a lost key, a
   * leaked one, or a first key that was never seen. Works beside a running server (it reads keys
   * from the same catalog on every request, so the old key stops working at once).
   */
  @Command(
      name = "rotate-key",
      description =
          "Print a new admin key (shown once, stored only as a hash) and revoke every other admin"
              + " key.")
  static final class RotateKey extends CliCommand {
    @Override
    public Integer call() {
      ApiKeys.Issued issued;
      int revoked;
      try (Mnemo mnemo = cli().openMnemo()) {
        revoked = mnemo.admin().keys().listAdmin().size();
        issued = mnemo.admin().keys().rotateAdmin();
      }
      if (json()) {
        ObjectNode n = Json.object();
        n.put("admin_key", issued.secret());
        n.put("key_id", issued.key().id());
        n.put("revoked", revoked);
        n.put("created_at", WireJson.time(issued.key().createdAt()));
        Json.print(out(), n);
      } else {
        out().println("New admin key (shown once, stored only as a hash): " + issued.secret());
        out()
            .println(
                "Revoked "
                    + revoked
                    + " previous admin key(s). A server started with MNEMO_ADMIN_KEY registers that"
                    + " key again at its next start: change or unset the variable too.");
      }
      return MnemoCli.OK;
    }
  }
}
