package io.mnemo4j.cli;

import io.mnemo4j.Mnemo;
import io.mnemo4j.transfer.ImportOptions;
import io.mnemo4j.transfer.TransferReceipt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mnemo import --tenant T [--in FILE]}: an export file into a new or empty tenant; {@code
 * --from mem0 FILE} reads what a Mem0 client returned instead.
 */
@Command(
    name = "import",
    description =
        "Import an export file (docs/export-format.md) into a new or empty tenant: from stdin, or"
            + " --in FILE; or, with --from mem0 FILE, the memories a Mem0 client returned"
            + " (getAll pages or a Mem0 export). Every line is checked before anything is written.")
final class ImportCommand extends CliCommand {
  @Option(names = "--tenant", required = true, paramLabel = "T", description = "Tenant id.")
  String tenant = "";

  @Option(names = "--in", paramLabel = "FILE", description = "Read FILE instead of stdin.")
  @Nullable Path inFile;

  @Option(
      names = "--region",
      paramLabel = "R",
      description =
          "Region of the tenant when the import creates it (default: the default region).")
  @Nullable String region;

  @Option(
      names = "--from",
      paramLabel = "FORMAT",
      description = "Source format: mnemo4j (the default) or mem0.")
  String from = "mnemo4j";

  @Parameters(
      arity = "0..1",
      paramLabel = "FILE",
      description = "The file to read with --from mem0 (same as --in).")
  @Nullable Path file;

  @Override
  public Integer call() {
    if (file != null && inFile != null) {
      throw new MnemoCli.UsageException("give the file once: --in FILE or FILE");
    }
    Path source = inFile != null ? inFile : file;
    if (!from.equals("mnemo4j") && !from.equals("mem0")) {
      throw new io.mnemo4j.InvalidRequestException(
          "from", "unknown source format '" + from + "'; known: mnemo4j, mem0");
    }
    if (source != null && !Files.isRegularFile(source)) {
      throw new io.mnemo4j.InvalidRequestException("in", "no such file: " + source);
    }
    Path spooled = null;
    TransferBar bar = new TransferBar(cli().err());
    TransferReceipt receipt;
    try {
      if (source == null) {
        // Validation reads the input twice: stdin is kept in a temporary file meanwhile.
        spooled = Files.createTempFile("mnemo-import-", ".jsonl");
        Files.copy(cli().in(), spooled, StandardCopyOption.REPLACE_EXISTING);
        source = spooled;
      }
      if (from.equals("mem0")) {
        Path converted = Files.createTempFile("mnemo-import-mem0-", ".jsonl");
        try (Mnemo mnemo = openMnemo()) {
          Mem0Import.Result r = Mem0Import.convert(source, converted, tenant);
          if (r.droppedIdentityKeys() > 0) {
            cli()
                .err()
                .println(
                    "note: "
                        + r.droppedIdentityKeys()
                        + " metadata keys naming an identity (user_id, tenant...) were left out;"
                        + " scopes come from the memories' own user_id, agent_id and run_id");
          }
          receipt = mnemo.admin().importTenant(tenant, converted, new ImportOptions(region, bar));
        } finally {
          ExportCommand.deleteQuietly(converted);
        }
      } else {
        try (Mnemo mnemo = openMnemo()) {
          receipt = mnemo.admin().importTenant(tenant, source, new ImportOptions(region, bar));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the import", e);
    } finally {
      bar.done();
      if (spooled != null) {
        ExportCommand.deleteQuietly(spooled);
      }
    }
    ExportCommand.print(
        out(),
        "imported",
        receipt,
        "from " + (inFile != null ? inFile : file != null ? file : "stdin"),
        json());
    return MnemoCli.OK;
  }

  private Mnemo openMnemo() {
    return region == null ? cli().openMnemo() : cli().openMnemo(region);
  }
}
