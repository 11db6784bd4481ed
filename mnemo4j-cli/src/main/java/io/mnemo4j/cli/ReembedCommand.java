package io.mnemo4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.Mnemo;
import io.mnemo4j.ReembedStatus;
import io.mnemo4j.spi.Catalog;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mnemo reembed}: changes the data dir's embedding model to {@code --embedder} by computing
 * the new vectors from the stored texts; resumable, and switching once every tenant is prepared.
 */
@Command(
    name = "reembed",
    description =
        "Change the embedding model to --embedder NAME: compute the new vectors of --tenant T (or"
            + " --all tenants) from the stored texts; once every tenant is prepared, switch the"
            + " data dir. Rerun to resume after a crash; --status shows progress.")
final class ReembedCommand extends CliCommand {
  @Option(names = "--tenant", paramLabel = "T", description = "Tenant id to prepare.")
  @Nullable String tenant;

  @Option(names = "--all", description = "Every tenant (switches when done).")
  boolean all;

  @Option(names = "--status", description = "Show the change under way, if any, and exit.")
  boolean status;

  @Override
  public Integer call() {
    if (!status && (tenant == null) == !all) {
      throw new MnemoCli.UsageException("reembed needs exactly one of --tenant T or --all");
    }
    String target = cli().embedderName();
    String current;
    try (Catalog catalog = cli().backend().openCatalog(cli().dataDir())) {
      current = catalog.setting("embedding_model").orElse(target);
    }
    try (Mnemo mnemo = cli().openMnemo(LazyEmbedder.named(current))) {
      if (status) {
        Optional<ReembedStatus> s = mnemo.admin().reembedStatus();
        if (json()) {
          Json.print(out(), s.map(ReembedCommand::json).orElse(Json.object().put("phase", "idle")));
        } else {
          out()
              .println(
                  s.map(ReembedCommand::line)
                      .orElse("no change of embedding model under way (" + current + ")"));
        }
        return MnemoCli.OK;
      }
      LazyEmbedder next = LazyEmbedder.named(target);
      long started = System.nanoTime();
      ReembedStatus done =
          all
              ? mnemo.admin().reembedAll(next, s -> cli().err().print("\r" + line(s) + "   "))
              : mnemo
                  .admin()
                  .reembed(List.of(tenant), next, s -> cli().err().print("\r" + line(s) + "   "));
      cli().err().println();
      double seconds = (System.nanoTime() - started) / 1e9;
      if (json()) {
        Json.print(out(), json(done).put("seconds", seconds));
      } else {
        out().println(line(done) + String.format(Locale.ROOT, " in %.1f s", seconds));
      }
    }
    return MnemoCli.OK;
  }

  private static String line(ReembedStatus s) {
    return "reembed to "
        + s.model()
        + ": "
        + s.phase()
        + ", "
        + s.embedded()
        + " memories embedded"
        + (s.tenant() == null ? "" : " (now " + s.tenant() + ")")
        + (s.phase().equals("done") ? ", " + s.switched() + " switched" : "")
        + (s.waiting().isEmpty() ? "" : "; waiting: " + String.join(", ", s.waiting()));
  }

  private static ObjectNode json(ReembedStatus s) {
    ObjectNode n = Json.object();
    n.put("model", s.model());
    n.put("phase", s.phase());
    s.prepared().forEach(n.putArray("prepared")::add);
    s.waiting().forEach(n.putArray("waiting")::add);
    n.put("tenant", s.tenant());
    n.put("embedded", s.embedded());
    n.put("switched", s.switched());
    return n;
  }
}
