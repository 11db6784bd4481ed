package io.mnemo4j.server;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.mnemo4j.ApiKeys;
import io.mnemo4j.Mnemo;
import io.mnemo4j.mcp.MemoryTools;
import io.mnemo4j.mcp.StreamableHttpEndpoint;
import io.mnemo4j.spi.Embedder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Mnemo4j HTTP server: native routes under {@code /v1/mem} and {@code /v1/events}, tenant
 * administration under {@code /v1/tenants}, Mem0 Platform-compatible routes, the MCP memory tools
 * over Streamable HTTP at {@code /mcp} (tenant keys, as every memory route), {@code /health},
 * {@code /ready}, {@code /metrics}, {@code /openapi.json} and the web console at {@code /console}
 * (static files using only this API), on Javalin 7 (Jetty 12) with requests handled on virtual
 * threads. Thread-safe.
 *
 * <pre>{@code
 * ModelUsageMeter meter = new ModelUsageMeter();   // language-model usage in /metrics
 * try (Mnemo mnemo = Mnemo.builder().embedder(MnemoServer.timedEmbedder(embedder)).backend(backend)
 *          .usageListener(meter).build();
 *      MnemoServer server = MnemoServer.start(ServerConfig.fromEnv(System.getenv()), mnemo, meter)) {
 *   server.awaitStop();   // or return and close later
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops accepting connections, lets in-flight requests finish (up to {@link
 * ServerConfig#shutdownTimeout()}), then stops; the caller closes the {@link Mnemo} afterwards.
 */
public final class MnemoServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MnemoServer.class);

  /** A route as registered: method and path template. */
  record Route(String method, String path) {}

  private final Javalin app;
  private final StreamableHttpEndpoint mcp;
  private final ServerMetrics metrics;
  private final Optional<ModelUsageMeter> meter;
  private final TenantDebugLogs debug;
  private final List<Route> routes;
  private final Object lock = new Object();
  private boolean closing;
  private boolean closed;

  private MnemoServer(
      Javalin app,
      StreamableHttpEndpoint mcp,
      ServerMetrics metrics,
      Optional<ModelUsageMeter> meter,
      TenantDebugLogs debug,
      List<Route> routes) {
    this.app = app;
    this.mcp = mcp;
    this.metrics = metrics;
    this.meter = meter;
    this.debug = debug;
    this.routes = routes;
  }

  /**
   * Starts a server for {@code mnemo} and returns once it listens. A configured admin key is
   * registered (idempotently). If the catalog holds no admin key and {@code config.adminKey()} is
   * null, an admin key is generated once the server listens (a failed bind leaves none behind),
   * stored hashed, and printed once to {@code config.console()}.
   */
  public static MnemoServer start(ServerConfig config, Mnemo mnemo) {
    return start(config, mnemo, Optional.empty());
  }

  /**
   * Starts a server as {@link #start(ServerConfig, Mnemo)} does, and binds {@code meter} to its
   * {@code /metrics} ({@code mnemo_llm_tokens_total}, {@code mnemo_llm_calls_total}). Pass the same
   * meter to {@link Mnemo.Builder#usageListener} when building {@code mnemo}; usage reported before
   * this call is counted too. The meter is unbound when the server closes.
   */
  public static MnemoServer start(ServerConfig config, Mnemo mnemo, ModelUsageMeter meter) {
    return start(config, mnemo, Optional.of(Objects.requireNonNull(meter, "meter")));
  }

  private static MnemoServer start(
      ServerConfig config, Mnemo mnemo, Optional<ModelUsageMeter> meter) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(mnemo, "mnemo");
    if (config.adminKey() != null) {
      mnemo.admin().keys().registerAdminSecret(config.adminKey());
    }
    ServerMetrics metrics = new ServerMetrics(mnemo, config.metricsTenantLabels());
    TenantDebugLogs debug = TenantDebugLogs.enable(config.debugTenants());
    MnemoServer server;
    try {
      meter.ifPresent(m -> m.bind(metrics));
      server = listen(config, mnemo, metrics, meter, debug);
    } catch (RuntimeException | Error e) {
      meter.ifPresent(m -> m.unbind(metrics));
      metrics.close();
      debug.close();
      throw e;
    }
    try {
      // Only now that the port is ours: a failed bind must not use up the one-time admin key.
      generateAdminKeyIfNone(config, mnemo);
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
    return server;
  }

  private static MnemoServer listen(
      ServerConfig config,
      Mnemo mnemo,
      ServerMetrics metrics,
      Optional<ModelUsageMeter> meter,
      TenantDebugLogs debug) {
    Auth auth = new Auth(mnemo);
    StreamableHttpEndpoint mcp =
        StreamableHttpEndpoint.create(
            MemoryTools.create(metrics::toolCalled), (int) config.maxRequestBytes());
    Wiring w = new Wiring(config, mnemo, auth, metrics, mcp);
    List<Route> routes = Collections.synchronizedList(new ArrayList<>());
    Javalin app =
        Javalin.create(
            cfg -> {
              cfg.startup.showJavalinBanner = false;
              cfg.startup.showOldJavalinVersionWarning = false;
              cfg.startup.startupWatcherEnabled = false;
              cfg.http.maxRequestSize = config.maxRequestBytes();
              cfg.http.prefer405over404 = true;
              cfg.http.defaultContentType = "application/json";
              cfg.router.ignoreTrailingSlashes = true;
              configureJetty(cfg, w);
              cfg.events.handlerAdded(
                  info -> {
                    HandlerType t = info.getHttpMethod();
                    if (t.isHttpMethod()) {
                      routes.add(new Route(t.name(), info.getPath()));
                    }
                  });
              cfg.requestLogger.http(metrics::request);
              cfg.routes.exception(HttpResponseException.class, ErrorMapper::handle);
              cfg.routes.exception(Exception.class, ErrorMapper::handle);
              cfg.router.javaLangErrorHandler(ErrorMapper::fatal);
              cfg.routes.before(UriCheck::check);
              registerRoutes(cfg.routes, w);
            });
    try {
      app.start();
    } catch (RuntimeException | Error e) {
      mcp.close();
      throw e;
    }
    LOG.info("Mnemo4j server listening on {}:{}", config.host(), app.port());
    return new MnemoServer(app, mcp, metrics, meter, debug, List.copyOf(routes));
  }

  /** What the routes and the MCP servlet are built from. */
  private record Wiring(
      ServerConfig config,
      Mnemo mnemo,
      Auth auth,
      ServerMetrics metrics,
      StreamableHttpEndpoint mcp) {}

  /**
   * Jetty: requests on virtual threads, the MCP servlet beside Javalin's router, graceful stop,
   * JSON errors for what Jetty refuses itself, and one connector on the configured address.
   */
  private static void configureJetty(JavalinConfig cfg, Wiring w) {
    ServerConfig config = w.config();
    QueuedThreadPool pool = new QueuedThreadPool(32, 4);
    pool.setName("mnemo-http");
    if (VirtualThreads.areSupported()) {
      pool.setVirtualThreadsExecutor(VirtualThreads.getNamedVirtualThreadsExecutor("mnemo-req"));
    }
    cfg.jetty.threadPool = pool;
    // The MCP endpoint is a servlet (the SDK's transport); an exact mapping wins over Javalin's
    // own "/*".
    cfg.jetty.modifyServletContextHandler(
        h ->
            h.addServlet(
                new ServletHolder(
                    new McpRoute(w.auth(), w.mcp(), w.metrics(), config.maxRequestBytes())),
                McpRoute.PATH));
    cfg.jetty.modifyServer(
        server -> {
          server.insertHandler(new GracefulHandler());
          server.setStopTimeout(config.shutdownTimeout().toMillis());
          server.setErrorHandler(new JsonErrorHandler());
        });
    cfg.jetty.addConnector(
        (server, http) -> {
          ServerConnector c = new ServerConnector(server, new HttpConnectionFactory(http));
          c.setHost(config.host());
          c.setPort(config.port());
          c.setIdleTimeout(config.requestTimeout().toMillis());
          return c;
        });
  }

  /** Every route family; none calls another (what adds share is {@link AddOperations}). */
  private static void registerRoutes(RoutesConfig r, Wiring w) {
    AddOperations adds = new AddOperations(w.auth(), w.metrics());
    new OpsRoutes(w.mnemo(), w.metrics(), w.config().host()).register(r);
    new ConsoleRoutes().register(r);
    new TenantRoutes(w.mnemo(), w.auth()).register(r);
    new TransferRoutes(w.mnemo(), w.auth()).register(r);
    new NativeRoutes(w.auth(), adds, w.metrics()).register(r);
    new MessageRoutes(w.auth()).register(r);
    new ReembedRoutes(w.mnemo(), w.auth(), w.config().embedders()).register(r);
    new Mem0Routes(w.auth(), adds, w.metrics()).register(r);
  }

  private static void generateAdminKeyIfNone(ServerConfig config, Mnemo mnemo) {
    ApiKeys keys = mnemo.admin().keys();
    if (config.adminKey() == null && keys.listAdmin().isEmpty()) {
      ApiKeys.Issued issued = keys.issueAdmin();
      config
          .console()
          .println(
              "Generated admin key (shown once, stored only as a hash; set "
                  + ServerConfig.ADMIN_KEY_ENV
                  + " to choose your own, or run `mnemo admin rotate-key` for a new one): "
                  + issued.secret());
      config.console().flush();
      LOG.info("generated admin key {}", issued.key().id());
    }
  }

  /**
   * Wraps an embedder so that its latency appears in {@code /metrics} as {@code
   * mnemo_embedder_latency_seconds}. Use it when building the {@link Mnemo} that the server will
   * serve.
   */
  public static Embedder timedEmbedder(Embedder delegate) {
    return EmbedderTimings.timed(Objects.requireNonNull(delegate, "delegate"));
  }

  /** The port the server listens on (the chosen one when configured with port 0). */
  public int port() {
    return app.port();
  }

  /**
   * Blocks until {@link #close()} has stopped the server (for a CLI that serves until interrupted).
   */
  public void awaitStop() throws InterruptedException {
    synchronized (lock) {
      while (!closed) {
        lock.wait();
      }
    }
  }

  /** The routes registered, in order (for the OpenAPI consistency test). */
  List<Route> routes() {
    return routes;
  }

  /**
   * Graceful stop: stops accepting connections, waits up to the configured shutdown timeout for
   * in-flight requests, then stops Jetty. Idempotent. Does not close the {@link Mnemo}.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closing) {
        return;
      }
      closing = true;
    }
    try {
      app.stop();
    } finally {
      mcp.close();
      meter.ifPresent(m -> m.unbind(metrics));
      metrics.close();
      debug.close();
      LOG.info("Mnemo4j server stopped");
      synchronized (lock) {
        closed = true;
        lock.notifyAll();
      }
    }
  }
}
