package io.mnemo4j.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.mnemo4j.ConflictException;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.ModelException;
import io.mnemo4j.NotFoundException;
import io.mnemo4j.OverloadedException;
import io.mnemo4j.StoreUnavailableException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one exception-to-response table: every error body is {@code
 * {"error":{"code","message","field"}}} with the status below, and never a stack trace. Stateless
 * and thread-safe.
 *
 * <pre>
 * InvalidRequestException     400 invalid_request (field)
 * ApiException                its status and code (401 unauthorized, 403 forbidden, 501 not_implemented...)
 * NotFoundException           404 not_found
 * ConflictException           409 conflict
 * OverloadedException         429 overloaded, with a Retry-After header (whole seconds)
 * StoreUnavailableException   503 store_unavailable, with Retry-After: 1 (writes to a moving tenant)
 * ModelException              503 model_unavailable if retriable, else 502 model_error
 * Javalin 404 / 405 / 413     not_found / method_not_allowed / payload_too_large
 * anything else               500 internal_error (logged with an incident id, the only place a trace goes)
 * </pre>
 */
final class ErrorMapper {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

  /** The status, code, message and field of one error response. */
  record Problem(int status, String code, String message, @Nullable String field) {}

  private ErrorMapper() {}

  /** Maps {@code e} to its problem (and logs unexpected failures). */
  static Problem problem(Exception e, Context ctx) {
    return switch (e) {
      case HttpResponseException hre -> fromJavalin(hre, ctx);
      case JacksonException je -> {
        InvalidRequestException ire = Json.translate(je);
        yield new Problem(400, "invalid_request", ire.getMessage(), ire.field());
      }
      default -> problem(e, ctx.method().name(), route(ctx));
    };
  }

  /**
   * Maps {@code e}, raised by a request to {@code method route}, to its problem (and logs
   * unexpected failures); also for requests served beside Javalin's router (the MCP endpoint).
   */
  static Problem problem(Exception e, String method, String route) {
    return switch (e) {
      case InvalidRequestException ire ->
          new Problem(400, "invalid_request", ire.getMessage(), ire.field());
      case ApiException api -> new Problem(api.status(), api.code(), api.getMessage(), api.field());
      case NotFoundException nf -> new Problem(404, "not_found", nf.getMessage(), null);
      case ConflictException c ->
          new Problem(409, "conflict", c.getMessage(), c.field().orElse(null));
      case OverloadedException o -> new Problem(429, "overloaded", o.getMessage(), null);
      case StoreUnavailableException su -> {
        LOG.warn("store unavailable on {} {}: {}", method, route, su.getMessage());
        yield new Problem(503, "store_unavailable", "the store is unavailable; retry later", null);
      }
      case ModelException me -> {
        LOG.warn("model failure on {} {}: {}", method, route, me.getMessage());
        yield me.retriable()
            ? new Problem(
                503, "model_unavailable", "the embedding model is unavailable; retry later", null)
            : new Problem(502, "model_error", "the embedding model failed", null);
      }
      default -> {
        String incident = UUID.randomUUID().toString();
        LOG.error("internal error {} on {} {}", incident, method, route, withoutMessages(e));
        yield new Problem(500, "internal_error", "internal error; incident " + incident, null);
      }
    };
  }

  private static Problem fromJavalin(HttpResponseException e, Context ctx) {
    return switch (e.getStatus()) {
      case 404 ->
          new Problem(404, "not_found", "no route " + ctx.method() + " " + safePath(ctx), null);
      case 405 ->
          new Problem(
              405,
              "method_not_allowed",
              "method " + ctx.method() + " is not allowed on " + safePath(ctx),
              null);
      case 413 ->
          new Problem(
              413, "payload_too_large", "request body is larger than the server's limit", "body");
      default ->
          new Problem(
              e.getStatus(),
              "http_" + e.getStatus(),
              e.getMessage() == null ? "request refused" : e.getMessage(),
              null);
    };
  }

  /** Writes the error response for {@code e}. */
  static void handle(Exception e, Context ctx) {
    Problem p = problem(e, ctx);
    ctx.attribute(ServerMetrics.ERROR_CODE, p.code());
    Json.send(ctx, p.status(), body(p));
    if (e instanceof OverloadedException o) {
      ctx.header("Retry-After", Long.toString(retryAfterSeconds(o)));
    } else if (p.status() == 503) {
      // Every 503 is retriable (a store down, a tenant moving between regions): say when.
      ctx.header("Retry-After", "1");
    }
    if (p.status() == 405 && e instanceof HttpResponseException hre) {
      String allowed =
          hre.getDetails()
              .getOrDefault("availableMethods", hre.getDetails().get("Available methods"));
      if (allowed != null) {
        ctx.header("Allow", allowed);
      }
    }
  }

  /** The suggested wait in whole seconds, rounded up, at least 1. */
  static long retryAfterSeconds(OverloadedException o) {
    long millis = o.retryAfter() == null ? 0 : Math.max(0, o.retryAfter().toMillis());
    return Math.max(1, (millis + 999) / 1000);
  }

  static ObjectNode body(Problem p) {
    ObjectNode root = Json.object();
    ObjectNode err = root.putObject("error");
    err.put("code", p.code());
    err.put("message", p.message());
    err.put("field", p.field());
    return root;
  }

  /** Writes a 500 for a {@link Error} thrown by a handler, where no {@link Context} is left. */
  static void fatal(HttpServletResponse res, Throwable error) {
    String incident = UUID.randomUUID().toString();
    LOG.error("fatal error {} while serving a request", incident, withoutMessages(error));
    try {
      if (!res.isCommitted()) {
        res.resetBuffer();
        res.setStatus(500);
        res.setContentType("application/json");
        byte[] bytes =
            Json.OUT.writeValueAsBytes(
                body(
                    new Problem(
                        500, "internal_error", "internal error; incident " + incident, null)));
        res.getOutputStream().write(bytes);
      }
    } catch (IOException | RuntimeException ignored) {
      // the connection is gone; nothing more to tell the client
    }
  }

  /**
   * A copy of {@code t} and its causes that keeps each class name and stack trace but drops the
   * messages: a message of an unexpected exception may quote input (a driver echoing a row, a
   * parser quoting a value), and logs never hold memory text.
   */
  static Throwable withoutMessages(Throwable t) {
    return redact(t, 0);
  }

  private static Throwable redact(Throwable t, int depth) {
    String state =
        t instanceof java.sql.SQLException sql && sql.getSQLState() != null
            ? " (SQLSTATE " + sql.getSQLState() + ")"
            : "";
    Throwable cause = t.getCause() != null && depth < 16 ? redact(t.getCause(), depth + 1) : null;
    Throwable copy = new Redacted(t.getClass().getName() + state + " [message withheld]", cause);
    copy.setStackTrace(t.getStackTrace());
    return copy;
  }

  /** Stands in for a logged exception: its class name, never its message. */
  private static final class Redacted extends Throwable {
    private static final long serialVersionUID = 1L;

    Redacted(String what, @Nullable Throwable cause) {
      super(what, cause, false, true);
    }

    // Prints as the logged exception's class name alone, the way the original would print without
    // its message: the message may carry user text.
    @SuppressWarnings("OverrideThrowableToString")
    @Override
    public String toString() {
      return Objects.requireNonNull(getMessage());
    }
  }

  private static String route(Context ctx) {
    return ServerMetrics.route(ctx);
  }

  // The raw path is client input; bound it and drop control characters before echoing it.
  private static String safePath(Context ctx) {
    String p = ctx.path();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < p.length() && sb.length() < 120; i++) {
      char c = p.charAt(i);
      sb.append(Character.isISOControl(c) ? '?' : c);
    }
    return new String(sb.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
  }
}
