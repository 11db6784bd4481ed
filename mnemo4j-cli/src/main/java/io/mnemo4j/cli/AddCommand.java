package io.mnemo4j.cli;

import io.mnemo4j.AddOptions;
import io.mnemo4j.MemoryEvent;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.server.WireJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mnemo add}: stores each message verbatim (no language model), skipping duplicates (event
 * NONE).
 */
@Command(
    name = "add",
    description = "Store messages as memories (one per TEXT, or one per non-empty stdin line).")
final class AddCommand extends CliCommand {
  /** Messages per add call: bounds memory use and lets the progress bar move. */
  static final int BATCH = 64;

  /** More stdin lines than this show a progress bar on stderr. */
  static final int PROGRESS_ABOVE = 20;

  @Option(names = "--tenant", paramLabel = "T", required = true, description = "Tenant id.")
  String tenant = "";

  @Mixin ScopeOptions scope = new ScopeOptions();

  @Option(
      names = "--metadata",
      paramLabel = "JSON",
      description = "JSON object attached to every memory stored.")
  @Nullable String metadata;

  @Option(
      names = "--role",
      paramLabel = "ROLE",
      defaultValue = "user",
      description = "Role of the messages: user or assistant (default: user).")
  String role = "user";

  @Option(names = "--name", paramLabel = "ACTOR", description = "Name of the speaker or agent.")
  @Nullable String name;

  @Parameters(
      paramLabel = "TEXT",
      arity = "0..*",
      description = "Messages; none reads one per line from stdin.")
  List<String> texts = new ArrayList<>();

  @Override
  public Integer call() {
    Role r = parseRole(role);
    Scope s = scope.scope();
    AddOptions options =
        metadata == null
            ? AddOptions.none()
            : AddOptions.none().withMetadata(Json.parseObject("metadata", metadata));
    boolean fromStdin = texts.isEmpty();
    List<String> lines = fromStdin ? readStdin() : texts;
    if (lines.isEmpty()) {
      throw new MnemoCli.UsageException("nothing to add: give TEXT arguments or lines on stdin");
    }
    List<Message> messages = new ArrayList<>(lines.size());
    for (String line : lines) {
      messages.add(new Message(r, line, name));
    }
    List<MemoryEvent> events = new ArrayList<>(messages.size());
    try (Mnemo mnemo = cli().openMnemo()) {
      TenantMemory memory = MnemoCli.tenant(mnemo, tenant);
      Progress progress =
          fromStdin && messages.size() > PROGRESS_ABOVE
              ? new Progress(cli().err(), "adding", messages.size())
              : Progress.none();
      for (int i = 0; i < messages.size(); i += BATCH) {
        List<Message> batch = messages.subList(i, Math.min(messages.size(), i + BATCH));
        events.addAll(memory.add(batch, s, options));
        progress.advance(batch.size());
      }
      progress.done();
    }
    if (json()) {
      Json.print(out(), WireJson.events(events));
    } else {
      for (MemoryEvent e : events) {
        out().println(String.format(Locale.ROOT, "%-6s %s  %s", e.event(), e.id(), e.memory()));
      }
    }
    return MnemoCli.OK;
  }

  private static Role parseRole(String value) {
    Role r = Role.parse("role", value.toLowerCase(Locale.ROOT));
    if (r != Role.USER && r != Role.ASSISTANT) {
      throw new io.mnemo4j.InvalidRequestException("role", "role must be user or assistant");
    }
    return r;
  }

  private List<String> readStdin() {
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(cli().in(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (!line.isBlank()) {
          lines.add(line.strip());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read stdin", e);
    }
    return lines;
  }
}
