package io.mnemo4j.server;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.mnemo4j.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web console: {@code GET /console} (the page) and {@code GET /console/{file}} (its ES modules,
 * style sheet and icon), served from this jar. The console is plain HTML, CSS and JavaScript that
 * talks only to the public REST API with the key the user types; nothing of it is rendered on the
 * server, so it adds no route that reads memory.
 *
 * <p>Every console response carries a Content-Security-Policy allowing scripts, styles and requests
 * of this origin only, no inline script or style, and Trusted Types with no policy (so no code path
 * can turn a string into HTML), plus {@code nosniff}, {@code no-referrer} and no framing. Files are
 * read once and cached; an ETag lets browsers revalidate. Thread-safe.
 */
final class ConsoleRoutes {
  static final String PATH = "/console";

  /** Where the console's files live on the class path. */
  static final String RESOURCES = "/io/mnemo4j/server/console/";

  /** The policy of every console response. */
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
          + "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
          + "form-action 'none'; frame-ancestors 'none'; "
          + "require-trusted-types-for 'script'; trusted-types 'none'";

  // No slash and no dot-dot: a name can only ever address a file of the console directory.
  private static final Pattern FILE = Pattern.compile("[a-z][a-z0-9-]{0,62}\\.(js|css|svg)");

  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml");

  /** A file as served: bytes, content type and entity tag. */
  private record Asset(byte[] bytes, String type, String etag) {}

  private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

  void register(RoutesConfig r) {
    r.get(PATH, ctx -> send(ctx, "index.html"));
    r.get(PATH + "/{file}", this::file);
  }

  private void file(Context ctx) {
    String name = ctx.pathParam("file");
    if (!FILE.matcher(name).matches()) {
      throw notFound(name);
    }
    send(ctx, name);
  }

  private void send(Context ctx, String name) {
    Asset asset =
        cache.computeIfAbsent(name, ConsoleRoutes::load).orElseThrow(() -> notFound(name));
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Cross-Origin-Opener-Policy", "same-origin");
    ctx.header("Cross-Origin-Resource-Policy", "same-origin");
    ctx.header("Cache-Control", "no-cache");
    ctx.header("ETag", asset.etag());
    if (asset.etag().equals(ctx.header("If-None-Match"))) {
      ctx.status(304);
      return;
    }
    ctx.contentType(asset.type()).result(asset.bytes());
  }

  private static Optional<Asset> load(String name) {
    try (InputStream in = ConsoleRoutes.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        return Optional.empty();
      }
      byte[] bytes = in.readAllBytes();
      String type =
          TYPES.getOrDefault(name.substring(name.lastIndexOf('.') + 1), "application/octet-stream");
      return Optional.of(new Asset(bytes, type, etag(bytes)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String etag(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  private static NotFoundException notFound(String name) {
    return new NotFoundException("no console file '" + Ids.clip(name) + "'");
  }
}
