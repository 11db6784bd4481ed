package io.mnemo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.server.ServerConfig;
import io.mnemo4j.store.embedded.Durability;
import io.mnemo4j.store.embedded.EmbeddedStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --config FILE}: keys are read, flags win, and a typo is an error naming the key. */
class ConfigFileTest {
  @TempDir Path tmp;

  private Path write(String yaml) throws IOException {
    Path f = tmp.resolve("mnemo.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  @Test
  void dataDir_fromConfig_isUsedUnlessTheFlagIsGiven() throws IOException {
    Path fromFile = tmp.resolve("from-file");
    Path cfg = write("data_dir: " + fromFile + "\n");

    CliTestSupport.raw("", "--config", cfg.toString(), "tenants", "create", "acme").ok();
    assertThat(fromFile.resolve("catalog.db")).exists();

    Path fromFlag = tmp.resolve("from-flag");
    CliTestSupport.raw(
            "",
            "--config",
            cfg.toString(),
            "--data-dir",
            fromFlag.toString(),
            "tenants",
            "create",
            "x")
        .ok();
    assertThat(fromFlag.resolve("catalog.db")).exists();
  }

  @Test
  void unknownKey_exit2_namingTheKey() throws IOException {
    Path cfg = write("data_dir: ./d\nserver:\n  prot: 9000\n");

    CliTestSupport.Result r = CliTestSupport.raw("", "--config", cfg.toString(), "tenants", "list");

    assertThat(r.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(r.err()).contains("unknown key 'prot'").contains("(field: config.server.prot)");
  }

  @Test
  void missingFileAndBadValues_exit2() throws IOException {
    assertThat(
            CliTestSupport.raw(
                    "", "--config", tmp.resolve("nope.yaml").toString(), "tenants", "list")
                .code())
        .isEqualTo(MnemoCli.BAD_INPUT);
    Path cfg = write("server:\n  port: \"eighty\"\n");
    CliTestSupport.Result r = CliTestSupport.raw("", "--config", cfg.toString(), "tenants", "list");
    assertThat(r.code()).isEqualTo(MnemoCli.BAD_INPUT);
  }

  @Test
  void serverSection_mapsToServerConfig_andFlagsWin() throws IOException {
    Path cfg =
        write(
            """
        server:
          host: 0.0.0.0
          port: 9090
          max_request_bytes: 2048
          request_timeout: 5s
          shutdown_timeout: 1500ms
          metrics_tenant_labels: true
          admin_key_env: MY_ADMIN
        """);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    MnemoCli root =
        new MnemoCli(
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(sink, true, StandardCharsets.UTF_8),
            new PrintStream(sink, true, StandardCharsets.UTF_8));
    CommandLine cl = new CommandLine(root);
    CommandLine.ParseResult parsed =
        cl.parseArgs("--config", cfg.toString(), "serve", "--port", "7070");
    ServeCommand serve = (ServeCommand) parsed.subcommand().commandSpec().userObject();

    ServerConfig c = serve.serverConfig(Map.of("MY_ADMIN", "a-secret-of-sixteen+"));

    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.port()).isEqualTo(7070);
    assertThat(c.maxRequestBytes()).isEqualTo(2048);
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.metricsTenantLabels()).isTrue();
    assertThat(c.adminKey()).isEqualTo("a-secret-of-sixteen+");
  }

  @Test
  void durability_fromConfigOrFlag_reachesEveryEmbeddedRegion_flagWins() throws IOException {
    Path data = tmp.resolve("d");
    Path cfg =
        write(
            "data_dir: "
                + data
                + "\ndurability: process\nregions:\n  eu: { store: embedded, path: "
                + tmp.resolve("eu")
                + " }\n");
    CommandLine.ParseResult fromFile =
        new CommandLine(cli()).parseArgs("--config", cfg.toString(), "tenants", "list");
    MnemoCli root = (MnemoCli) fromFile.commandSpec().userObject();
    assertThat(root.durability()).isEqualTo(Durability.PROCESS);
    try (EmbeddedStore eu = (EmbeddedStore) root.backend().openRegion("eu", data)) {
      assertThat(eu.durability()).isEqualTo(Durability.PROCESS);
    }

    CommandLine.ParseResult flag =
        new CommandLine(cli())
            .parseArgs("--config", cfg.toString(), "--durability", "FULL", "tenants", "list");
    MnemoCli flagged = (MnemoCli) flag.commandSpec().userObject();
    assertThat(flagged.durability()).isEqualTo(Durability.FULL);
    try (EmbeddedStore eu = (EmbeddedStore) flagged.backend().openRegion("eu", data)) {
      assertThat(eu.durability()).isEqualTo(Durability.FULL);
    }

    // The embedded default (no regions section) gets it too, and adds work under it.
    Path plain = write("data_dir: " + data + "\ndurability: process\n");
    CommandLine.ParseResult dflt =
        new CommandLine(cli()).parseArgs("--config", plain.toString(), "tenants", "list");
    try (EmbeddedStore local =
        (EmbeddedStore)
            ((MnemoCli) dflt.commandSpec().userObject()).backend().openRegion("local", data)) {
      assertThat(local.durability()).isEqualTo(Durability.PROCESS);
    }
    CliTestSupport.raw("", "--config", plain.toString(), "tenants", "create", "acme").ok();
    CliTestSupport.raw(
            "", "--config", plain.toString(), "add", "--tenant", "acme", "Stored without fsync")
        .ok();
    assertThat(
            CliTestSupport.raw(
                    "", "--config", plain.toString(), "search", "--tenant", "acme", "fsync")
                .ok()
                .out())
        .contains("Stored without fsync");
  }

  @Test
  void durability_unknownValue_exit2_namingTheFieldItCameFrom() throws IOException {
    CliTestSupport.Result flag =
        CliTestSupport.raw(
            "",
            "--data-dir",
            tmp.resolve("d").toString(),
            "--durability",
            "off",
            "tenants",
            "list");
    assertThat(flag.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(flag.err()).contains("durability must be full or process").contains("'off'");

    Path cfg = write("data_dir: " + tmp.resolve("d") + "\ndurability: normal\n");
    CliTestSupport.Result file =
        CliTestSupport.raw("", "--config", cfg.toString(), "tenants", "list");
    assertThat(file.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(file.err()).contains("(field: config.durability)");
  }

  private static MnemoCli cli() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    return new MnemoCli(
        new ByteArrayInputStream(new byte[0]),
        new PrintStream(sink, true, StandardCharsets.UTF_8),
        new PrintStream(sink, true, StandardCharsets.UTF_8));
  }
}
