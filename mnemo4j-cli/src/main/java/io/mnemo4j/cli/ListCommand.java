package io.mnemo4j.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.server.WireJson;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mnemo list}: one page of memories in creation order. */
@Command(
    name = "list",
    description =
        "List memories in creation order, one page at a time. No scope and no --all lists tenant-wide "
            + "memory only.")
final class ListCommand extends CliCommand {
  @Option(names = "--tenant", paramLabel = "T", required = true, description = "Tenant id.")
  String tenant = "";

  @Mixin SelectionOptions selection = new SelectionOptions();

  @Option(
      names = "--page-size",
      paramLabel = "N",
      defaultValue = "100",
      description = "Page size (default: 100).")
  int pageSize = 100;

  @Option(
      names = "--cursor",
      paramLabel = "C",
      description = "The next_cursor of the previous page.")
  @Nullable String cursor;

  /**
   * A cursor is the last memory id (a UUID) of the previous page: anything else was not handed out
   * by a listing, and would silently list nothing.
   */
  static @Nullable String checkCursor(@Nullable String cursor) {
    if (cursor == null) {
      return null;
    }
    try {
      if (cursor.length() == 36) {
        java.util.UUID.fromString(cursor);
        return cursor;
      }
    } catch (IllegalArgumentException e) {
      // fall through
    }
    throw new InvalidRequestException(
        "cursor", "cursor is not one a listing handed out; pass next_cursor unchanged");
  }

  @Override
  public Integer call() {
    PageRequest request = new PageRequest(checkCursor(cursor), pageSize);
    Page<Memory> page;
    try (Mnemo mnemo = cli().openMnemo()) {
      page = MnemoCli.tenant(mnemo, tenant).getAll(selection.selection(), request);
    }
    if (json()) {
      ObjectNode root = Json.object();
      ArrayNode results = root.putArray("results");
      page.items().forEach(m -> results.add(WireJson.memory(m)));
      root.put("next_cursor", page.nextCursor());
      Json.print(out(), root);
    } else {
      for (Memory m : page.items()) {
        out().println(m.id() + "  " + m.text() + "  [" + Text.where(m) + "]");
      }
      if (page.items().isEmpty()) {
        out().println("no memories");
      }
      page.next().ifPresent(c -> out().println("next page: --cursor " + c));
    }
    return MnemoCli.OK;
  }
}
