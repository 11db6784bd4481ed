package io.mnemo4j.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.mnemo4j.Mnemo;
import io.mnemo4j.NotFoundException;
import io.mnemo4j.TenantId;
import io.mnemo4j.transfer.ExportOptions;
import io.mnemo4j.transfer.ImportOptions;
import io.mnemo4j.transfer.TransferProgress;
import io.mnemo4j.transfer.TransferReceipt;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tenant's data in and out, for the admin key only: {@code GET /v1/tenants/{id}/export} streams
 * the tenant in the portable export format (docs/export-format.md); {@code POST
 * /v1/tenants/{id}/import} takes such a file as the body, into a new or empty tenant, validating
 * every line before writing. Thread-safe.
 */
final class TransferRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(TransferRoutes.class);

  /** The media type of an export file. */
  static final String JSON_LINES = "application/x-ndjson";

  private final Mnemo mnemo;
  private final Auth auth;

  TransferRoutes(Mnemo mnemo, Auth auth) {
    this.mnemo = mnemo;
    this.auth = auth;
  }

  void register(RoutesConfig r) {
    r.get("/v1/tenants/{tenant}/export", this::export);
    r.post("/v1/tenants/{tenant}/import", this::importFile);
  }

  private void export(Context ctx) {
    auth.admin(ctx);
    QueryParams.checkOnly(ctx, Set.of("vectors"));
    boolean vectors = ctx.queryParam("vectors") == null || QueryParams.bool(ctx, "vectors");
    TenantId id = existing(ctx);
    // Headers go before the first byte; a failure after that can only cut the stream short, which
    // the reader notices (no end line).
    ctx.status(200).contentType(JSON_LINES);
    ctx.header("Content-Disposition", "attachment; filename=\"" + id.value() + ".jsonl\"");
    try (OutputStream out = ctx.outputStream()) {
      TransferReceipt r =
          mnemo
              .admin()
              .exportTenant(id.value(), out, new ExportOptions(vectors, TransferProgress.NONE));
      LOG.info("tenant {} exported over HTTP: {} memories", id, r.count("memory"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot send the export", e);
    }
  }

  private void importFile(Context ctx) {
    auth.admin(ctx);
    QueryParams.checkOnly(ctx, Set.of("region"));
    TenantId id = TenantId.of(ctx.pathParam("tenant"));
    String region = ctx.queryParam("region");
    Path spooled;
    try {
      // Import reads its input twice (validation, then writing): the body is kept on disk.
      spooled = Files.createTempFile("mnemo-import-", ".jsonl");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot spool the import", e);
    }
    try {
      try (InputStream in = ctx.req().getInputStream()) {
        Files.copy(in, spooled, StandardCopyOption.REPLACE_EXISTING);
      }
      TransferReceipt r =
          mnemo
              .admin()
              .importTenant(id.value(), spooled, new ImportOptions(region, TransferProgress.NONE));
      Json.send(ctx, 201, receipt(r));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the import", e);
    } finally {
      try {
        Files.deleteIfExists(spooled);
      } catch (IOException e) {
        LOG.warn("cannot delete the spooled import {}", spooled.getFileName());
      }
    }
  }

  /** The receipt of an export or import as JSON. */
  static ObjectNode receipt(TransferReceipt r) {
    ObjectNode n = Json.object();
    n.put("tenant", r.tenant());
    n.put("region", r.region());
    n.set("counts", toNodes(r.counts()));
    ObjectNode sums = Json.object();
    new TreeMap<>(r.checksums()).forEach(sums::put);
    n.set("checksums", sums);
    n.put("embedded", r.embedded());
    n.put("seconds", r.took().toNanos() / 1e9);
    return n;
  }

  private static ObjectNode toNodes(java.util.Map<String, Long> counts) {
    ObjectNode o = Json.object();
    new TreeMap<>(counts).forEach(o::put);
    return o;
  }

  private TenantId existing(Context ctx) {
    TenantId id = TenantId.of(ctx.pathParam("tenant"));
    return mnemo
        .admin()
        .findTenant(id.value())
        .map(t -> t.id())
        .orElseThrow(() -> new NotFoundException("tenant " + id + " not found"));
  }
}
