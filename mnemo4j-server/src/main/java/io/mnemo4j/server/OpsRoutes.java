package io.mnemo4j.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.mnemo4j.Mnemo;
import io.mnemo4j.MnemoException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Unauthenticated operations routes: {@code /health} (liveness), {@code /ready} (Mnemo open and its
 * catalog answering), {@code /metrics} (Prometheus text) and {@code /openapi.json}. Thread-safe.
 */
final class OpsRoutes {
  static final String OPENAPI_RESOURCE = "/io/mnemo4j/server/openapi.json";

  private final Mnemo mnemo;
  private final ServerMetrics metrics;
  private final byte[] openapi;

  OpsRoutes(Mnemo mnemo, ServerMetrics metrics) {
    this.mnemo = mnemo;
    this.metrics = metrics;
    this.openapi = openapi();
  }

  static byte[] openapi() {
    try (InputStream in = OpsRoutes.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + OPENAPI_RESOURCE);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void register(RoutesConfig r) {
    r.get("/health", ctx -> Json.ok(ctx, status("ok")));
    r.get("/ready", this::ready);
    r.get(
        "/metrics",
        ctx ->
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
    r.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openapi));
  }

  private void ready(Context ctx) {
    try {
      mnemo.findTenant("default"); // a point read of the catalog; fails once Mnemo is closed
      Json.ok(ctx, status("ready"));
    } catch (MnemoException e) {
      Json.send(ctx, 503, status("unavailable"));
    }
  }

  private static ObjectNode status(String s) {
    ObjectNode n = Json.object();
    n.put("status", s);
    return n;
  }
}
