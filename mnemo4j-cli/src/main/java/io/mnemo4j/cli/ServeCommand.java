package io.mnemo4j.cli;

import io.mnemo4j.Mnemo;
import io.mnemo4j.server.MnemoServer;
import io.mnemo4j.server.ServerConfig;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mnemo serve}: the REST server (native and Mem0-compatible routes) on the embedded store and the local
 * embedder, until interrupted. Ctrl-C stops gracefully: in-flight requests finish, then every store closes.
 */
@Command(name = "serve", description = "Run the REST server on the data dir until interrupted.")
final class ServeCommand extends CliCommand {
  @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
      description = "Port to listen on (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
      description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
  String host = "127.0.0.1";

  @Override
  public Integer call() throws InterruptedException {
    if (port < 0 || port > 65_535) {
      throw new io.mnemo4j.InvalidRequestException("port", "port must be 0 to 65535, got " + port);
    }
    Embedder embedder = MnemoServer.timedEmbedder(LazyEmbedder.named(cli().embedderName()));
    Mnemo mnemo = Mnemo.builder().dataDir(cli().dataDir()).embedder(embedder).backend(EmbeddedBackend.create())
        .autoCreateTenants(false).build();
    MnemoServer server;
    try {
      // Load the model now, so the first request does not pay for it.
      embedder.embed("warm up", Embedder.Purpose.QUERY);
      server = MnemoServer.start(
          ServerConfig.fromEnv(System.getenv()).withHost(host).withPort(port).withConsole(out()), mnemo);
    } catch (RuntimeException e) {
      mnemo.close();
      throw e;
    }
    CountDownLatch closed = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      server.close();
      mnemo.close();
      closed.countDown();
    }, "mnemo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    out().println("mnemo serving " + cli().dataDir().toAbsolutePath() + " on http://" + host + ":" + server.port()
        + "  (OpenAPI: /openapi.json, metrics: /metrics; Ctrl-C stops)");
    out().flush();
    server.awaitStop();
    closed.await();
    return MnemoCli.OK;
  }
}
