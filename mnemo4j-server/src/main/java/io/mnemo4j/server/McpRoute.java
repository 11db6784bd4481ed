package io.mnemo4j.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.mcp.Caller;
import io.mnemo4j.mcp.StreamableHttpEndpoint;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code /mcp}: the MCP tools over Streamable HTTP, mounted beside Javalin's router as a servlet
 * (the MCP SDK's transport is one). Every request is authenticated here exactly as the REST routes
 * are: a missing or unknown key is 401, an admin key 403, a purged tenant's key 401, and the tenant
 * of every tool call is its key's; a user-narrowed key becomes a narrowed {@link Caller}. Refusals
 * use the REST error body and go through {@link ErrorMapper}; each request is counted and logged
 * like a REST one ({@code route=/mcp}). Thread-safe.
 */
final class McpRoute extends HttpServlet {
  private static final long serialVersionUID = 1L;
  static final String PATH = StreamableHttpEndpoint.PATH;

  private final transient Auth auth;
  private final transient StreamableHttpEndpoint endpoint;
  private final transient ServerMetrics metrics;
  private final long maxRequestBytes;

  McpRoute(Auth auth, StreamableHttpEndpoint endpoint, ServerMetrics metrics, long maxBytes) {
    this.auth = auth;
    this.endpoint = endpoint;
    this.metrics = metrics;
    this.maxRequestBytes = maxBytes;
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse res)
      throws ServletException, IOException {
    long t0 = System.nanoTime();
    String tenant = null;
    String key = null;
    String error = null;
    try {
      if (!req.getMethod().equals("POST")) {
        // Stateless: no server-to-client stream (GET) and no session to end (DELETE).
        res.setHeader("Allow", "POST");
        error =
            refuse(
                res,
                new ErrorMapper.Problem(
                    405,
                    "method_not_allowed",
                    "method " + safe(req.getMethod()) + " is not allowed on " + PATH + "; use POST",
                    null));
        return;
      }
      if (req.getContentLengthLong() > maxRequestBytes) {
        drainRefusedBody(req);
        error =
            refuse(
                res,
                new ErrorMapper.Problem(
                    413,
                    "payload_too_large",
                    "request body is larger than the server's limit",
                    "body"));
        return;
      }
      Principal.Tenant p;
      TenantMemory memory;
      try {
        p =
            switch (auth.principal(req.getHeader("Authorization"))) {
              case Principal.Tenant t -> t;
              case Principal.Admin a -> {
                key = a.keyId();
                throw ApiException.forbidden(
                    "an admin key manages tenants and cannot read or write memories");
              }
            };
        key = p.keyId();
        tenant = p.tenant().value();
        memory = auth.memory(p);
      } catch (RuntimeException e) {
        error = refuse(res, ErrorMapper.problem(e, req.getMethod(), PATH));
        return;
      }
      endpoint.service(Caller.key(memory, p.user(), p.keyId()), req, res);
    } finally {
      metrics.request(
          new ServerMetrics.Finished(
              req.getMethod(),
              PATH,
              res.getStatus(),
              (System.nanoTime() - t0) / 1_000_000f,
              tenant,
              key,
              error));
    }
  }

  /** Most bytes of an oversized request body read (and dropped) before it is refused. */
  static final long DRAIN_LIMIT = 16L * 1024 * 1024;

  /**
   * Reads and drops what the client still sends of a body refused for its declared size, when it
   * declares at most {@link #DRAIN_LIMIT} bytes. Answering while the client is still sending and
   * then closing the connection can reset it under the client, which then sees no answer at all
   * (seen on a loaded machine: "header parser received no bytes" instead of the 413). Larger bodies
   * are not worth reading: the connection closes after the answer.
   */
  private static void drainRefusedBody(HttpServletRequest req) {
    if (req.getContentLengthLong() > DRAIN_LIMIT) {
      return;
    }
    byte[] buffer = new byte[16 * 1024];
    long read = 0;
    try {
      InputStream in = req.getInputStream();
      int n;
      while (read < DRAIN_LIMIT && (n = in.read(buffer)) != -1) {
        read += n;
      }
    } catch (IOException e) {
      // The client went away: nothing left to answer to.
    }
  }

  private static String refuse(HttpServletResponse res, ErrorMapper.Problem p) throws IOException {
    ObjectNode body = ErrorMapper.body(p);
    res.setStatus(p.status());
    res.setContentType("application/json");
    res.setCharacterEncoding(StandardCharsets.UTF_8.name());
    res.getOutputStream().write(Json.OUT.writeValueAsBytes(body));
    return p.code();
  }

  // The method token is client input: bound it before echoing it.
  private static String safe(String method) {
    return method.length() > 16 || !method.chars().allMatch(Character::isLetter)
        ? "(unknown)"
        : method;
  }
}
