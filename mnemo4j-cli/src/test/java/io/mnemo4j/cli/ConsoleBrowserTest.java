package io.mnemo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.mnemo4j.EventType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryType;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.spi.Catalog;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import io.mnemo4j.testing.TestMemories;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console end to end in a real browser: {@code mnemo serve} runs in its own JVM (this
 * module's CLI on its runtime class path, as {@code ./mnemo} runs it) on a random port over a
 * temporary data dir with {@code MNEMO_ADMIN_KEY} set; then Node runs {@code
 * src/test/e2e/console.e2e.mjs}, which drives Debian's headless Chromium through playwright-core
 * over every scenario of issue 12 (sign-in, search, history, edit, delete, narrowed keys, XSS,
 * admin, purge, errors, keyboard, phone width, a tenant of 100,000 memories). Screenshots of each
 * view land in {@code target/console-screenshots}.
 *
 * <p>Chromium, Node.js and playwright-core are installed by {@code scripts/test-clients.sh}, which
 * {@code ./run-tests} runs first; without them this test fails saying so.
 */
class ConsoleBrowserTest {
  private static final Path E2E = Path.of("src/test/e2e");
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path SHOTS = Path.of("target/console-screenshots");
  private static final String BIG_TENANT = "bigco";
  private static final int BIG_MEMORIES = 100_000;

  /** Memories per write when seeding: fewer, larger transactions write faster. */
  private static final int BATCH = 5_000;

  private static final Pattern LISTENING =
      Pattern.compile("mnemo serving .* on (http://[0-9.]+:\\d+)");

  /** Every scenario the script must report as passed. */
  private static final List<String> SCENARIOS =
      List.of(
          "the console is served from the jar with a strict Content-Security-Policy",
          "a wrong key shows the server’s error and keeps nothing",
          "tenant key: find a memory by search, edit it, see its history and earlier version",
          "a user-narrowed key sees its user and organisation memory, never another user",
          "memory text, metadata and ids that look like HTML stay text and run nothing",
          "delete all of a scope asks first, naming how many memories go",
          "admin: create a tenant (key shown once, copied), a user-narrowed key, revoke a key",
          "every API error is shown",
          "keyboard only",
          "phone width",
          "a tenant of 100,000 memories is paged, never loaded whole");

  @TempDir Path dataDir;

  @Test
  void console_inHeadlessChromiumAgainstMnemoServe_passesEveryScenario() throws Exception {
    requireBrowserTools();
    deleteTree(SHOTS);
    Files.createDirectories(SHOTS);
    long t0 = System.nanoTime();
    seedBigTenant();
    System.out.printf(
        "seeded %,d memories in %.1f s%n", BIG_MEMORIES, (System.nanoTime() - t0) / 1e9);
    String admin =
        "console-e2e-admin-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    Path secrets = Files.createTempFile("console-e2e-secrets", ".txt");
    try (Server server = Server.start(dataDir, admin)) {
      Run node =
          Run.of(
              new ProcessBuilder("node", "console.e2e.mjs").directory(E2E.toFile()),
              Map.of(
                  "MNEMO_URL", server.url,
                  "MNEMO_ADMIN_KEY", admin,
                  "SCREENSHOT_DIR", SHOTS.toAbsolutePath().toString(),
                  "BIG_TENANT", BIG_TENANT,
                  "BIG_MEMORIES", Integer.toString(BIG_MEMORIES),
                  "CHROMIUM", CHROMIUM.toString(),
                  "SECRETS_FILE", secrets.toString()),
              Duration.ofMinutes(6));
      System.out.println(node.output);
      assertThat(node.exitCode)
          .as("the browser tests' exit code; their output:%n%s", node.output)
          .isZero();
      for (String s : SCENARIOS) {
        assertThat(node.output)
            .as("scenario %s", s)
            .containsPattern("(?m)^ok - " + Pattern.quote(s));
      }
      assertThat(node.output).containsPattern("(?m)^" + SCENARIOS.size() + " passed, 0 failed$");
      // Keys and memory text never reach the server's log (at info here, access log included).
      String log = server.output();
      assertThat(log).contains("route=/v1/mem/search");
      assertThat(log).doesNotContain("window seats", "locker 4711", "onerror", "Customer user-");
      for (String secret : Files.readAllLines(secrets)) {
        if (!secret.isBlank()) {
          assertThat(log).as("the server log holds no API key").doesNotContain(secret);
        }
      }
    } finally {
      Files.deleteIfExists(secrets);
    }
    try (Stream<Path> shots = Files.list(SHOTS)) {
      assertThat(shots.filter(p -> p.toString().endsWith(".png")).count())
          .isGreaterThanOrEqualTo(20);
    }
  }

  private static void requireBrowserTools() {
    Path playwright = E2E.resolve("node_modules/playwright-core/package.json");
    if (!Files.isExecutable(CHROMIUM) || !Files.exists(playwright)) {
      fail(
          "the console's browser tests need %s and playwright-core in %s; run scripts/test-clients.sh"
              + " (./run-tests does)",
          CHROMIUM, E2E.resolve("node_modules"));
    }
  }

  /**
   * Writes a tenant of {@link #BIG_MEMORIES} memories straight through the storage SPI (the
   * embedder would take minutes): 1,000 users, 8 agents, 2,000 runs, varied texts, tiny vectors of
   * their own model id (dense search ignores them; lists, counts and text search see them all).
   */
  private void seedBigTenant() {
    EmbeddedBackend backend = EmbeddedBackend.create();
    try (Catalog catalog = backend.openCatalog(dataDir)) {
      catalog.create(new TenantInfo(TenantId.of(BIG_TENANT), "local", Instant.now()));
    }
    String[] subjects = {
      "prefers", "asked about", "complained about", "booked", "wants to change", "mentioned"
    };
    String[] things = {
      "the pelican harbour tour",
      "a window seat",
      "the invoice for March",
      "vegetarian meals",
      "the quarterly report",
      "a refund",
      "the Berlin office",
      "early check-in",
      "the premium plan",
      "a callback on Tuesday"
    };
    String[] agents = {
      "support-bot",
      "sales-bot",
      "travel-agent",
      "billing",
      "onboarding",
      "triage",
      "crm",
      "planner"
    };
    Random random = new Random(12);
    Supplier<String> ids = TestMemories.engineIds(Clock.systemUTC());
    Instant start = Instant.now().minus(Duration.ofDays(365));
    try (MemoryStore region = backend.openRegion("local", dataDir);
        TenantStore store = region.open(TenantId.of(BIG_TENANT))) {
      for (int batch = 0; batch < BIG_MEMORIES / BATCH; batch++) {
        List<Change> changes = new ArrayList<>(BATCH);
        List<HistoryEntry> history = new ArrayList<>(BATCH);
        for (int j = 0; j < BATCH; j++) {
          int i = batch * BATCH + j;
          String user = String.format("user-%04d", i % 1000);
          String text =
              "Customer "
                  + user
                  + " "
                  + subjects[random.nextInt(subjects.length)]
                  + " "
                  + things[random.nextInt(things.length)]
                  + " (ticket "
                  + i
                  + ")";
          Instant created = start.plusSeconds(i * 300L);
          Scope scope =
              new Scope(user, agents[i % agents.length], String.format("run-%05d", i % 2000));
          Memory m =
              new Memory(
                  ids.get(),
                  text,
                  TestMemories.textHash(text),
                  scope,
                  Map.of("ticket", i),
                  List.of(i % 3 == 0 ? "travel" : "billing"),
                  Role.USER,
                  null,
                  created,
                  created,
                  null,
                  null,
                  null,
                  new Memory.Provenance(Memory.Provenance.VERBATIM, List.of()),
                  "seeded-without-vectors",
                  MemoryType.EPISODIC);
          changes.add(new Change.Put(new StoredMemory(m, new float[0])));
          history.add(
              new HistoryEntry(ids.get(), m.id(), EventType.ADD, null, text, "user", created));
        }
        store.write(new WriteBatch(changes, history, List.of()));
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** A child process whose merged output is collected as it comes. */
  private static final class Run {
    final int exitCode;
    final String output;

    private Run(int exitCode, String output) {
      this.exitCode = exitCode;
      this.output = output;
    }

    static Run of(ProcessBuilder pb, Map<String, String> env, Duration timeout) throws Exception {
      pb.environment().putAll(env);
      pb.redirectErrorStream(true);
      Process p;
      try {
        p = pb.start();
      } catch (IOException e) {
        throw new AssertionError(
            "could not start " + pb.command() + " (is Node.js installed? scripts/test-clients.sh)",
            e);
      }
      Pump pump = Pump.of(p.getInputStream(), "node");
      if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        pump.join();
        fail("the browser tests did not finish within %s; their output:%n%s", timeout, pump.text());
      }
      pump.join();
      return new Run(p.exitValue(), pump.text());
    }
  }

  /** Reads a stream to the end on its own thread, keeping the text. */
  private static final class Pump extends Thread {
    private final InputStream in;
    private final StringBuffer text = new StringBuffer();

    private Pump(InputStream in, String name) {
      super("pump-" + name);
      this.in = in;
      setDaemon(true);
    }

    static Pump of(InputStream in, String name) {
      Pump p = new Pump(in, name);
      p.start();
      return p;
    }

    @Override
    public void run() {
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          text.append(line).append('\n');
        }
      } catch (IOException e) {
        text.append("(output lost: ").append(e.getMessage()).append(")\n");
      }
    }

    String text() {
      return text.toString();
    }
  }

  /** {@code mnemo serve} in its own JVM; closing it stops it as Ctrl-C would. */
  private static final class Server implements AutoCloseable {
    final Process process;
    final Pump pump;
    final String url;

    private Server(Process process, Pump pump, String url) {
      this.process = process;
      this.pump = pump;
      this.url = url;
    }

    static Server start(Path dataDir, String adminKey) throws Exception {
      String classpath = System.getProperty("mnemo.runtime.classpath");
      assertThat(classpath)
          .as("system property mnemo.runtime.classpath (set by the POM)")
          .isNotBlank();
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(List.of(System.getProperty("mnemo.jvm.args", "").trim().split("\\s+")));
      command.addAll(
          List.of(
              "-Xmx1g",
              "-cp",
              classpath,
              "io.mnemo4j.cli.MnemoCli",
              "--data-dir",
              dataDir.toString(),
              "serve",
              "--port",
              "0"));
      command.removeIf(String::isEmpty);
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      pb.environment().put("MNEMO_ADMIN_KEY", adminKey);
      pb.environment().put("MNEMO_DEBUG", "1"); // info logging: the access log is checked for keys
      Process p = pb.start();
      Pump pump = Pump.of(p.getInputStream(), "mnemo-serve");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < deadline) {
        Matcher m = LISTENING.matcher(pump.text());
        if (m.find()) {
          return new Server(p, pump, m.group(1));
        }
        if (!p.isAlive()) {
          fail("mnemo serve exited with %d:%n%s", p.exitValue(), pump.text());
        }
        Thread.sleep(100);
      }
      p.destroyForcibly();
      throw new AssertionError("mnemo serve did not start within 120 s:\n" + pump.text());
    }

    String output() {
      return pump.text();
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy(); // SIGTERM: the shutdown hook stops the server, then closes the stores
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      pump.join(5_000);
    }
  }
}
