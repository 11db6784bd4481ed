package io.mnemo4j.cli;

import io.mnemo4j.ConflictException;
import io.mnemo4j.Mnemo;
import io.mnemo4j.server.MnemoServer;
import io.mnemo4j.server.ModelUsageMeter;
import io.mnemo4j.server.ServerConfig;
import io.mnemo4j.spi.Embedder;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mnemo serve}: the REST server (native and Mem0-compatible routes) on the embedded store
 * and the local embedder, until interrupted. Ctrl-C stops gracefully: in-flight requests finish,
 * then every store closes.
 */
@Command(name = "serve", description = "Run the REST server on the data dir until interrupted.")
final class ServeCommand extends CliCommand {
  @Option(
      names = "--port",
      paramLabel = "PORT",
      description =
          "Port to listen on (default: server.port of --config, else 8080; 0 picks a free one).")
  @Nullable Integer port;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      description =
          "Address to bind (default: server.host of --config, else 127.0.0.1; 0.0.0.0 for all).")
  @Nullable String host;

  /** The server settings: defaults, then the config file, then the flags. */
  ServerConfig serverConfig(java.util.Map<String, String> env) {
    ConfigFile.Server file = cli().config().serverOrEmpty();
    String keyEnv = file.adminKeyEnv() != null ? file.adminKeyEnv() : ServerConfig.ADMIN_KEY_ENV;
    String adminKey = env.get(keyEnv);
    ServerConfig c =
        ServerConfig.defaults()
            .withAdminKey(adminKey == null || adminKey.isEmpty() ? null : adminKey);
    if (file.host() != null) {
      c = c.withHost(file.host());
    }
    if (file.port() != null) {
      c = c.withPort(checkPort("config.server.port", file.port()));
    }
    if (file.maxRequestBytes() != null) {
      c = c.withMaxRequestBytes(file.maxRequestBytes());
    }
    if (file.requestTimeout() != null) {
      c =
          c.withRequestTimeout(
              ConfigFile.duration("server.request_timeout", file.requestTimeout()));
    }
    if (file.shutdownTimeout() != null) {
      c =
          c.withShutdownTimeout(
              ConfigFile.duration("server.shutdown_timeout", file.shutdownTimeout()));
    }
    if (file.metricsTenantLabels() != null) {
      c = c.withMetricsTenantLabels(file.metricsTenantLabels());
    }
    ConfigFile.Logging logging = cli().config().logging();
    if (logging != null && logging.level() != null) {
      CliLogging.parse(logging.level()); // a typo fails before anything starts
    }
    if (logging != null && logging.debugTenants() != null) {
      try {
        c = c.withDebugTenants(logging.debugTenants());
      } catch (io.mnemo4j.InvalidRequestException | NullPointerException e) {
        throw new io.mnemo4j.InvalidRequestException(
            "config.logging.debug_tenants", "debug_tenants must list valid tenant ids");
      }
    }
    if (host != null) {
      c = c.withHost(host);
    }
    if (port != null) {
      c = c.withPort(checkPort("port", port));
    }
    return c.withConsole(out());
  }

  private static boolean bindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException) {
        return true;
      }
    }
    return false;
  }

  private static int checkPort(String field, int p) {
    if (p < 0 || p > 65_535) {
      throw new io.mnemo4j.InvalidRequestException(field, field + " must be 0 to 65535, got " + p);
    }
    return p;
  }

  @Override
  public Integer call() throws InterruptedException {
    ServerConfig config;
    try {
      config = serverConfig(System.getenv());
    } catch (IllegalArgumentException e) {
      throw new io.mnemo4j.InvalidRequestException(
          "config.server", Objects.requireNonNullElse(e.getMessage(), "invalid server settings"));
    }
    ConfigFile.Logging logging = cli().config().logging();
    CliLogging.serve(
        logging == null ? null : logging.level(),
        logging == null ? null : logging.accessLog(),
        MnemoCli.debug());
    // POST /v1/reembed may load the other in-jar model to change to it.
    config =
        config.withEmbedders(
            name ->
                io.mnemo4j.embed.onnx.OnnxEmbedder.names().contains(name)
                    ? java.util.Optional.of(MnemoServer.timedEmbedder(LazyEmbedder.named(name)))
                    : java.util.Optional.empty());
    Embedder embedder = MnemoServer.timedEmbedder(LazyEmbedder.named(cli().embedderName()));
    ConfiguredBackend backend = cli().backend();
    ServeLock serveLock = ServeLock.acquire(cli().dataDir());
    // Counts model tokens per tenant from the first call, before the server binds it to /metrics.
    ModelUsageMeter meter = new ModelUsageMeter();
    Mnemo mnemo;
    try {
      mnemo = buildMnemo(embedder, backend, meter);
    } catch (RuntimeException e) {
      serveLock.close();
      throw e;
    }
    MnemoServer server;
    try {
      server = start(config, mnemo, embedder, meter);
    } catch (RuntimeException e) {
      mnemo.close();
      serveLock.close();
      throw e;
    }
    serveLock.announce("http://" + config.host() + ":" + server.port());
    CountDownLatch closed = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              server.close();
              mnemo.close();
              serveLock.close();
              closed.countDown();
            },
            "mnemo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    printServing(config, server);
    server.awaitStop();
    closed.await();
    return MnemoCli.OK;
  }

  /** The served {@code Mnemo}: the configured backend and model, tenants never created on use. */
  private Mnemo buildMnemo(Embedder embedder, ConfiguredBackend backend, ModelUsageMeter meter) {
    return InferenceConfig.apply(
            cli()
                .common(Mnemo.builder())
                .dataDir(cli().dataDir())
                .embedder(embedder)
                .backend(backend)
                .defaultRegion(backend.defaultRegion())
                .usageListener(meter)
                .autoCreateTenants(false),
            cli().config(),
            System::getenv)
        .build();
  }

  /** Loads the model and binds the port; a port in use is a one-line conflict, not a trace. */
  private static MnemoServer start(
      ServerConfig config, Mnemo mnemo, Embedder embedder, ModelUsageMeter meter) {
    try {
      // Load the model now, so the first request does not pay for it.
      embedder.embed("warm up", Embedder.Purpose.QUERY);
      return MnemoServer.start(config, mnemo, meter);
    } catch (RuntimeException e) {
      if (bindFailure(e)) {
        throw new ConflictException(
            "cannot listen on "
                + config.host()
                + ":"
                + config.port()
                + ": the address is in use (another server?); choose another --port or stop the"
                + " process using it. No admin key was generated.");
      }
      throw e;
    }
  }

  private void printServing(ServerConfig config, MnemoServer server) {
    out()
        .println(
            "mnemo serving "
                + cli().dataDir().toAbsolutePath()
                + " on http://"
                + config.host()
                + ":"
                + server.port()
                + "  (console: /console, OpenAPI: /openapi.json, metrics: /metrics; Ctrl-C stops)");
    out().flush();
  }
}
