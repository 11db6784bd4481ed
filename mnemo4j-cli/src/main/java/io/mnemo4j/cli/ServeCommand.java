package io.mnemo4j.cli;

import io.mnemo4j.Mnemo;
import io.mnemo4j.server.MnemoServer;
import io.mnemo4j.server.ModelUsageMeter;
import io.mnemo4j.server.ServerConfig;
import io.mnemo4j.spi.Embedder;
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
    if (host != null) {
      c = c.withHost(host);
    }
    if (port != null) {
      c = c.withPort(checkPort("port", port));
    }
    return c.withConsole(out());
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
      throw new io.mnemo4j.InvalidRequestException("config.server", e.getMessage());
    }
    Embedder embedder = MnemoServer.timedEmbedder(LazyEmbedder.named(cli().embedderName()));
    ConfiguredBackend backend = cli().backend();
    // Counts model tokens per tenant from the first call, before the server binds it to /metrics.
    ModelUsageMeter meter = new ModelUsageMeter();
    Mnemo mnemo =
        InferenceConfig.apply(
                Mnemo.builder()
                    .dataDir(cli().dataDir())
                    .embedder(embedder)
                    .backend(backend)
                    .defaultRegion(backend.defaultRegion())
                    .usageListener(meter)
                    .autoCreateTenants(false),
                cli().config(),
                System::getenv)
            .build();
    MnemoServer server;
    try {
      // Load the model now, so the first request does not pay for it.
      embedder.embed("warm up", Embedder.Purpose.QUERY);
      server = MnemoServer.start(config, mnemo, meter);
    } catch (RuntimeException e) {
      mnemo.close();
      throw e;
    }
    CountDownLatch closed = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              server.close();
              mnemo.close();
              closed.countDown();
            },
            "mnemo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
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
    server.awaitStop();
    closed.await();
    return MnemoCli.OK;
  }
}
