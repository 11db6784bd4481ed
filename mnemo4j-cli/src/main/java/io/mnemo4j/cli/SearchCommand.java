package io.mnemo4j.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.Hit;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Search;
import io.mnemo4j.server.WireJson;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mnemo search}: ranked memories for a query. */
@Command(
    name = "search",
    description = "Search memories. No scope and no --all searches tenant-wide memory only.")
final class SearchCommand extends CliCommand {
  @Option(names = "--tenant", paramLabel = "T", required = true, description = "Tenant id.")
  String tenant = "";

  @Mixin SelectionOptions selection = new SelectionOptions();

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "10",
      description = "Maximum hits (default: 10).")
  int limit = Search.DEFAULT_LIMIT;

  @Option(
      names = "--threshold",
      paramLabel = "X",
      defaultValue = "0",
      description = "Minimum similarity, the query-memory cosine (default: 0, no threshold).")
  double threshold;

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      defaultValue = "hybrid",
      converter = ModeConverter.class,
      description = "hybrid, dense or text (default: hybrid).")
  Search.Mode mode = Search.Mode.HYBRID;

  @Parameters(
      paramLabel = "QUERY",
      arity = "1..*",
      description = "The query (several words are joined by spaces).")
  List<String> query = List.of();

  @Override
  public Integer call() {
    Search search = new Search(selection.selection(), limit, threshold, mode);
    String q = String.join(" ", query);
    List<Hit> hits;
    try (Mnemo mnemo = cli().openMnemo()) {
      hits = MnemoCli.tenant(mnemo, tenant).search(q, search);
    }
    if (json()) {
      ObjectNode root = Json.object();
      ArrayNode results = root.putArray("results");
      hits.forEach(h -> results.add(WireJson.hit(h)));
      Json.print(out(), root);
    } else if (hits.isEmpty()) {
      out().println("no results");
    } else {
      for (Hit h : hits) {
        out()
            .println(
                String.format(
                    Locale.ROOT,
                    "%.4f  %s  %s  [%s]",
                    h.score(),
                    h.memory().id(),
                    h.memory().text(),
                    Text.where(h.memory())));
      }
    }
    return MnemoCli.OK;
  }
}
