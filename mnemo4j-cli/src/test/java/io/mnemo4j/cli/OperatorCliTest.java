package io.mnemo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo4j.ApiKeys;
import io.mnemo4j.ConflictException;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Selection;
import io.mnemo4j.server.ServerConfig;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The operator's side of the command line (issue 9, "Operators"). */
class OperatorCliTest {
  @TempDir Path dir;

  private Mnemo open() {
    return Mnemo.builder()
        .dataDir(dir)
        .embedder(LazyEmbedder.named(MnemoCli.DEFAULT_EMBEDDER))
        .backend(EmbeddedBackend.create())
        .autoCreateTenants(false)
        .build();
  }

  /**
   * {@code mnemo admin rotate-key} prints a new admin key once and revokes every other admin key,
   * generated or registered from an operator's secret; tenant keys are untouched.
   */
  @Test
  void adminRotateKey_printsANewKey_andRevokesEveryOtherAdminKey() {
    String generated;
    String tenantKey;
    try (Mnemo mnemo = open()) {
      generated = mnemo.admin().keys().issueAdmin().secret();
      mnemo.admin().keys().registerAdminSecret("an-operator-secret-0123");
      mnemo.admin().createTenant("acme");
      tenantKey = mnemo.admin().keys().issue(io.mnemo4j.TenantId.of("acme"), null).secret();
    }
    CliTestSupport cli = new CliTestSupport(dir);

    JsonNode rotated = cli.run("--json", "admin", "rotate-key").ok().json();
    String fresh = rotated.get("admin_key").asText();
    assertThat(fresh).startsWith(ApiKeys.SECRET_PREFIX);
    assertThat(rotated.get("revoked").asInt()).isEqualTo(2);

    CliTestSupport.Result text = cli.run("admin", "rotate-key").ok();
    assertThat(text.out()).contains("New admin key").contains("Revoked 1 previous");

    try (Mnemo mnemo = open()) {
      ApiKeys keys = mnemo.admin().keys();
      assertThat(keys.authenticate(generated)).isEmpty();
      assertThat(keys.authenticate("an-operator-secret-0123")).isEmpty();
      assertThat(keys.authenticate(fresh)).as("rotated again since").isEmpty();
      assertThat(keys.listAdmin()).hasSize(1);
      assertThat(keys.authenticate(tenantKey)).isPresent();
    }
    assertThat(cli.run("admin").code()).isEqualTo(MnemoCli.BAD_INPUT);
  }

  /**
   * Regression: a command on a data dir whose tenant a running {@code mnemo serve} holds failed
   * with "tenant 'acme' is open in another process", leaving the user to guess. It now says that a
   * server holds the data dir (its pid and URL) and what to do: use the REST API, or stop the
   * server.
   */
  @Test
  void command_onADataDirHeldByAServer_saysSoAndWhatToDo() {
    CliTestSupport cli = new CliTestSupport(dir);
    cli.run("tenants", "create", "acme").ok();
    try (ServeLock lock = ServeLock.acquire(dir);
        Mnemo server = open()) {
      lock.announce("http://127.0.0.1:8080");
      server.existingTenant("acme").getAll(Selection.everywhere(), io.mnemo4j.PageRequest.first(1));

      CliTestSupport.Result r = cli.run("list", "--tenant", "acme", "--all");

      assertThat(r.code()).isEqualTo(MnemoCli.FAILURE);
      assertThat(r.err())
          .contains("is held by a running mnemo serve (pid " + ProcessHandle.current().pid())
          .contains("http://127.0.0.1:8080")
          .contains("use its REST API")
          .contains("stop the server");
      assertThat(r.err()).doesNotContain("\tat ");

      // a second server on the same data dir is refused up front
      assertThatThrownBy(() -> ServeLock.acquire(dir))
          .isInstanceOf(ConflictException.class)
          .hasMessageContaining("already served by a running mnemo serve");
    }
    // once the server is gone the command works, and the lock file with it
    cli.run("list", "--tenant", "acme", "--all").ok();
    assertThat(dir.resolve(ServeLock.FILE)).doesNotExist();
    assertThat(ServeLock.holder(dir)).isEmpty();
  }

  /**
   * Regression: {@code serve} on a port in use printed a Javalin exception (and, before the admin
   * key moved after the bind, had already used up the one-time admin key). It now says the address
   * is in use and what to do, generates no key, and leaves the data dir unlocked.
   */
  @Test
  void serve_onAPortInUse_saysSo_andGeneratesNoAdminKey() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      CliTestSupport.Result r =
          new CliTestSupport(dir).run("serve", "--port", Integer.toString(taken.getLocalPort()));
      assertThat(r.code()).isEqualTo(MnemoCli.FAILURE);
      assertThat(r.err())
          .contains("cannot listen on 127.0.0.1:" + taken.getLocalPort())
          .contains("in use")
          .doesNotContain("Exception");
      assertThat(r.out()).doesNotContain("admin key");
    }
    assertThat(dir.resolve(ServeLock.FILE)).doesNotExist();
    try (Mnemo mnemo = open()) {
      assertThat(mnemo.admin().keys().listAdmin()).isEmpty();
    }
  }

  /** Without a server holding the data dir, the message stays as it was: no false advice. */
  @Test
  void command_onATenantOpenElsewhere_withoutAServer_givesNoServerAdvice() {
    CliTestSupport cli = new CliTestSupport(dir);
    cli.run("tenants", "create", "acme").ok();
    try (Mnemo other = open()) {
      other.existingTenant("acme").getAll(Selection.everywhere(), io.mnemo4j.PageRequest.first(1));
      CliTestSupport.Result r = cli.run("list", "--tenant", "acme", "--all");
      assertThat(r.code()).isEqualTo(MnemoCli.FAILURE);
      assertThat(r.err()).contains("is already open").doesNotContain("mnemo serve");
    }
  }

  /**
   * One log format: java.util.logging (Lucene, the PostgreSQL driver) and System.Logger (the core)
   * reach Logback, the command's one backend, once a command has run.
   */
  @Test
  void julAndSystemLogger_areBridgedIntoLogback() {
    new CliTestSupport(dir).run("tenants", "list").ok();
    ch.qos.logback.classic.LoggerContext context =
        (ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
        new ch.qos.logback.core.read.ListAppender<>();
    seen.setContext(context);
    seen.start();
    ch.qos.logback.classic.Logger root = context.getLogger("ROOT");
    root.addAppender(seen);
    try {
      java.util.logging.Logger.getLogger("bridge.jul").warning("from jul");
      System.getLogger("bridge.system").log(System.Logger.Level.WARNING, "from system logger");
    } finally {
      root.detachAppender(seen);
    }
    assertThat(seen.list)
        .extracting(e -> e.getLoggerName() + ": " + e.getFormattedMessage())
        .contains("bridge.jul: from jul", "bridge.system: from system logger");
  }

  /** The {@code logging:} section: level, access log and per-tenant debug, each validated. */
  @Test
  void loggingSection_mapsToServerConfig_andATypoIsExit2() throws IOException {
    Path cfg = dir.resolve("mnemo.yaml");
    Files.writeString(
        cfg, "logging:\n  level: debug\n  access_log: false\n  debug_tenants: [acme, beta]\n");
    ServeCommand serve = serve(cfg);
    ServerConfig c = serve.serverConfig(Map.of());
    assertThat(c.debugTenants()).containsExactlyInAnyOrder("acme", "beta");

    for (String bad :
        java.util.List.of(
            "logging:\n  level: loud\n",
            "logging:\n  debug_tenants: [\"Not A Tenant\"]\n",
            "logging:\n  debug_tenant: [acme]\n")) {
      Files.writeString(cfg, bad);
      CliTestSupport.Result r =
          CliTestSupport.raw("", "--config", cfg.toString(), "--data-dir", dir.toString(), "serve");
      assertThat(r.code()).as(bad).isEqualTo(MnemoCli.BAD_INPUT);
      assertThat(r.err()).as(bad).contains("config.logging");
    }
  }

  private ServeCommand serve(Path cfg) {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    MnemoCli root =
        new MnemoCli(
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(sink, true, StandardCharsets.UTF_8),
            new PrintStream(sink, true, StandardCharsets.UTF_8));
    CommandLine.ParseResult parsed =
        new CommandLine(root).parseArgs("--config", cfg.toString(), "serve");
    return (ServeCommand) parsed.subcommand().commandSpec().userObject();
  }

  /**
   * Regression: {@code mnemo list --cursor garbage} printed an empty page, as if the listing had
   * ended. A cursor that no listing handed out is exit 2 naming {@code cursor}.
   */
  @Test
  void list_withAGarbageCursor_exit2NamingCursor() {
    CliTestSupport cli = new CliTestSupport(dir);
    cli.run("tenants", "create", "acme").ok();
    CliTestSupport.Result r = cli.run("list", "--tenant", "acme", "--all", "--cursor", "garbage");
    assertThat(r.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(r.err()).contains("(field: cursor)");
  }
}
