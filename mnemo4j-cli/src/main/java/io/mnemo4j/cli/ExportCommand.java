package io.mnemo4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.Mnemo;
import io.mnemo4j.transfer.ExportOptions;
import io.mnemo4j.transfer.TransferReceipt;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mnemo export --tenant T [--out FILE]}: a tenant in the portable export format. */
@Command(
    name = "export",
    description =
        "Write every record of a tenant in the portable export format (docs/export-format.md):"
            + " to stdout, or to --out FILE.")
final class ExportCommand extends CliCommand {
  @Option(names = "--tenant", required = true, paramLabel = "T", description = "Tenant id.")
  String tenant = "";

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "Write to FILE (replaced only once complete) instead of stdout.")
  @Nullable Path outFile;

  @Option(
      names = "--no-vectors",
      description =
          "Leave the vectors out (a third of the size; an import then embeds every memory again).")
  boolean noVectors;

  @Override
  public Integer call() {
    TransferBar bar = new TransferBar(cli().err());
    ExportOptions options = new ExportOptions(!noVectors, bar);
    TransferReceipt receipt;
    try (Mnemo mnemo = cli().openMnemo()) {
      MnemoCli.tenant(mnemo, tenant); // not found: say how to create it
      if (outFile == null) {
        receipt = mnemo.admin().exportTenant(tenant, out(), options);
        bar.done();
        // stdout holds the file: the receipt goes to stderr.
        print(cli().err(), "exported", receipt, "to stdout", false);
        return MnemoCli.OK;
      }
      Path partial = outFile.resolveSibling(outFile.getFileName() + ".partial");
      try {
        try (OutputStream o = Files.newOutputStream(partial)) {
          receipt = mnemo.admin().exportTenant(tenant, o, options);
        }
        Files.move(partial, outFile, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + outFile, e);
      } finally {
        deleteQuietly(partial);
      }
    }
    bar.done();
    print(out(), "exported", receipt, "to " + outFile, json());
    return MnemoCli.OK;
  }

  /** Prints a receipt: "exported tenant T (region R) to FILE: counts in Ns". */
  static void print(PrintStream to, String verb, TransferReceipt r, String where, boolean json) {
    if (json) {
      Json.print(to, receiptJson(r));
      return;
    }
    to.printf(
        Locale.ROOT,
        "%s tenant %s (region %s) %s: %s in %.1fs%s%n",
        verb,
        r.tenant(),
        r.region(),
        where,
        counts(r),
        r.took().toNanos() / 1e9,
        r.embedded() > 0 ? "; " + r.embedded() + " memories embedded again" : "");
  }

  static String counts(TransferReceipt r) {
    StringBuilder s = new StringBuilder();
    for (Map.Entry<String, Long> e : new TreeMap<>(r.counts()).entrySet()) {
      if (!s.isEmpty()) {
        s.append(", ");
      }
      s.append(e.getValue()).append(' ').append(e.getKey());
    }
    return s.isEmpty() ? "nothing" : s.toString();
  }

  static ObjectNode receiptJson(TransferReceipt r) {
    ObjectNode o = Json.object();
    o.put("tenant", r.tenant());
    o.put("region", r.region());
    o.set("counts", Json.MAPPER.valueToTree(new TreeMap<>(r.counts())));
    o.set("checksums", Json.MAPPER.valueToTree(new TreeMap<>(r.checksums())));
    o.put("embedded", r.embedded());
    o.put("seconds", r.took().toNanos() / 1e9);
    return o;
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort: a leftover .partial file is harmless and named as such
    }
  }
}
