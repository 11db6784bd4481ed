package io.mnemo4j.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
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

  // A host name or address with an optional port: anything else in Host is not echoed.
  private static final java.util.regex.Pattern HOST_HEADER =
      java.util.regex.Pattern.compile(
          "(\\[[0-9A-Fa-f:.]{2,45}\\]|[A-Za-z0-9.-]{1,253})(:[0-9]{1,5})?");

  private final Mnemo mnemo;
  private final ServerMetrics metrics;
  private final String host;
  private final ObjectNode openapi;

  OpsRoutes(Mnemo mnemo, ServerMetrics metrics, String host) {
    this.mnemo = mnemo;
    this.metrics = metrics;
    this.host = host;
    try {
      this.openapi = (ObjectNode) Json.OUT.readTree(openapi());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
    r.get("/openapi.json", this::openapi);
  }

  /** The OpenAPI document with {@code servers} naming this server's address and port. */
  private void openapi(Context ctx) {
    ObjectNode doc = openapi.deepCopy();
    ArrayNode servers = doc.putArray("servers");
    servers.addObject().put("url", serverUrl(ctx));
    Json.ok(ctx, doc);
  }

  /**
   * {@code http://host:port} as bound; a wildcard bind (0.0.0.0, ::) names no address a client can
   * use, so the request's own {@code Host} is taken instead.
   */
  private String serverUrl(Context ctx) {
    int port = ctx.req().getLocalPort();
    boolean wildcard = host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    String hostHeader = ctx.header("Host");
    if (wildcard && hostHeader != null && HOST_HEADER.matcher(hostHeader).matches()) {
      return ctx.scheme() + "://" + hostHeader;
    }
    String h = wildcard ? "localhost" : host.contains(":") ? "[" + host + "]" : host;
    return "http://" + h + ":" + port;
  }

  private void ready(Context ctx) {
    try {
      mnemo
          .admin()
          .findTenant("default"); // a point read of the catalog; fails once Mnemo is closed
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
