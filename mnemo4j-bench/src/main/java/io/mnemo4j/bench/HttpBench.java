package io.mnemo4j.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mnemo4j.Mnemo;
import io.mnemo4j.TenantId;
import io.mnemo4j.server.MnemoServer;
import io.mnemo4j.server.ServerConfig;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.store.embedded.Durability;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * {@code http}: {@code add} and {@code search} over HTTP against the real server, next to the raw
 * embedder in the same run. Each round measures: (a) the embedder alone, one text at a time (what
 * one add of one message must at least cost), alternating in blocks of {@code --block} requests
 * with (b) one client adding one user message per request, sequentially (a chat app adding turns);
 * then (c) {@code --clients} clients doing the same at once, each for its own user, alternating in
 * blocks with (d) the embedder on as many threads; then searches by one client and by {@code
 * --clients} clients. Alternating blocks give both sides of a ratio the same machine load. Reports
 * rates (median of rounds), latency percentiles over all rounds, the process's CPU time per request
 * and the ratios of the issue: (b)/(a) and (c)/(b).
 */
final class HttpBench {
  private HttpBench() {}

  private static final String ADMIN_KEY = "bench-admin-key-0123456789abcdef0123456789abcdef";
  private static final String TENANT = "http-bench";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final com.sun.management.OperatingSystemMXBean PROCESS =
      (com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  /** Run settings; every count is per round. */
  record Config(
      int adds,
      int searches,
      int clients,
      int rounds,
      int warmup,
      Durability durability,
      int block) {
    static Config from(Args a) {
      Config c =
          new Config(
              a.intValue("adds", 100),
              a.intValue("searches", 100),
              a.intValue("clients", 4),
              a.intValue("rounds", 5),
              a.intValue("warmup", 50),
              Durability.parse(a.string("durability", "full"), "durability"),
              a.intValue("block", 10));
      if (c.adds < 1
          || c.searches < 1
          || c.clients < 2
          || c.rounds < 1
          || c.warmup < 0
          || c.block < 1
          || c.block > c.adds) {
        throw new IllegalArgumentException(
            "need --adds >= 1, --searches >= 1, --clients >= 2, --rounds >= 1, --warmup >= 0,"
                + " 1 <= --block <= --adds");
      }
      return c;
    }
  }

  /** What a phase measured: its rate per round, and every request's latency. */
  private static final class Phase {
    final String label;
    final double[] rates;
    final Stats latency = new Stats();
    private final long[] nanos;
    private final long[] requests;
    private long cpuNanos;
    private long cpuRequests;
    private long jitNanos;
    private boolean jitKnown = true;

    Phase(String label, int rounds) {
      this.label = label;
      this.rates = new double[rounds];
      this.nanos = new long[rounds];
      this.requests = new long[rounds];
    }

    /**
     * Adds a block of {@code n} requests that took {@code wall} and {@code cpu} nanoseconds, {@code
     * jit} of that CPU in the JIT compilers (negative: unknown).
     */
    void block(int round, int n, long wall, long cpu, long jit) {
      nanos[round] += wall;
      requests[round] += n;
      rates[round] = requests[round] / (nanos[round] / 1e9);
      cpuNanos += cpu;
      cpuRequests += n;
      if (jit < 0) {
        jitKnown = false;
      } else {
        jitNanos += jit;
      }
    }

    double medianRate() {
      return Stats.median(rates);
    }

    /** The process's CPU time per request, every thread (server, client, background) counted. */
    double cpuMsPerRequest() {
      return cpuRequests == 0 ? Double.NaN : cpuNanos / 1e6 / cpuRequests;
    }

    /** The JIT compilers' part of {@link #cpuMsPerRequest}, NaN where it could not be read. */
    double jitMsPerRequest() {
      return cpuRequests == 0 || !jitKnown ? Double.NaN : jitNanos / 1e6 / cpuRequests;
    }

    /** The process's CPU time per request without the JIT compilers'. */
    double cpuLessJitMsPerRequest() {
      return cpuMsPerRequest() - jitMsPerRequest();
    }

    String line() {
      return String.format(
          java.util.Locale.ROOT,
          "  %-34s %8.1f /s   p50 %7.2f ms  p95 %7.2f ms  p99 %7.2f ms  cpu %6.2f ms/req"
              + " (jit %5.2f)",
          label,
          medianRate(),
          latency.percentileMs(50),
          latency.percentileMs(95),
          latency.percentileMs(99),
          cpuMsPerRequest(),
          jitMsPerRequest());
    }

    Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("rate_per_s_median", Stats.round1(medianRate()));
      List<Double> r = new ArrayList<>();
      for (double v : rates) {
        r.add(Stats.round1(v));
      }
      m.put("rate_per_s_rounds", r);
      m.put("p50_ms", Stats.round3(latency.percentileMs(50)));
      m.put("p95_ms", Stats.round3(latency.percentileMs(95)));
      m.put("p99_ms", Stats.round3(latency.percentileMs(99)));
      m.put("process_cpu_ms_per_request", Stats.round3(cpuMsPerRequest()));
      double jit = jitMsPerRequest();
      m.put("jit_cpu_ms_per_request", Double.isNaN(jit) ? null : Stats.round3(jit));
      return m;
    }
  }

  static Report run(BenchMain.Common common, Config c) throws Exception {
    Texts texts = Texts.load(common.locomo(), common.seed());
    Files.createDirectories(common.workDir());
    Path dir = Files.createTempDirectory(common.workDir(), "http-");
    Report report = new Report();
    ExecutorService clients = Executors.newFixedThreadPool(c.clients);
    try {
      Embedder embedder = Embedders.open(common.embedder());
      try (Mnemo mnemo =
              Mnemo.builder()
                  .dataDir(dir)
                  .backend(EmbeddedBackend.create().withDurability(c.durability()))
                  .embedder(embedder)
                  .build();
          MnemoServer server =
              MnemoServer.start(
                  ServerConfig.defaults()
                      .withPort(0)
                      .withAdminKey(ADMIN_KEY)
                      .withConsole(new PrintStream(OutputStream.nullOutputStream())),
                  mnemo)) {
        mnemo.admin().createTenant(TENANT);
        String key = mnemo.admin().keys().issue(TenantId.of(TENANT), null).secret();
        Client client = new Client("http://127.0.0.1:" + server.port(), key);
        List<String> turns = texts.turns();
        List<String> questions = texts.questions();
        AtomicInteger next = new AtomicInteger();

        System.err.printf("http: warming up on %d adds and searches%n", c.warmup);
        for (int i = 0; i < c.warmup; i++) {
          String t = unique(turns, next.getAndIncrement());
          embedder.embed(t, Embedder.Purpose.DOCUMENT);
          client.add("warmup", t);
          client.search("warmup", questions.get(i % questions.size()));
        }

        Phase raw = new Phase("(a) embedder, one text at a time", c.rounds);
        Phase one = new Phase("(b) add over HTTP, 1 client", c.rounds);
        Phase many = new Phase("(c) add over HTTP, " + c.clients + " clients", c.rounds);
        Phase rawMany = new Phase("(d) embedder, " + c.clients + " threads", c.rounds);
        Phase search1 = new Phase("(e) search over HTTP, 1 client", c.rounds);
        Phase searchN = new Phase("(f) search over HTTP, " + c.clients + " clients", c.rounds);
        // A chat app adds the user's turn and then searches for it: the search is timed alone, on
        // an index that has not caught up with the add yet.
        Phase turn = new Phase("(g) search right after an add", c.rounds);
        for (int r = 0; r < c.rounds; r++) {
          // (a) with (b) and (d) with (c) alternate in blocks, so that each pair sees the same load
          // on a shared machine; the searches follow, one phase after the other.
          for (int done = 0; done < c.adds; done += c.block) {
            int n = Math.min(c.block, c.adds - done);
            timed(raw, r, 1, n, clients, (k, i) -> embedder.embed(text(turns, next), doc()));
            timed(one, r, 1, n, clients, (k, i) -> client.add("user-1", text(turns, next)));
          }
          for (int done = 0; done < c.adds; done += c.block) {
            int n = Math.min(c.block, c.adds - done);
            timed(
                many,
                r,
                c.clients,
                n,
                clients,
                (k, i) -> client.add("user-n" + k, text(turns, next)));
            timed(
                rawMany,
                r,
                c.clients,
                n,
                clients,
                (k, i) -> embedder.embed(text(turns, next), doc()));
          }
          timed(
              search1,
              r,
              1,
              c.searches,
              clients,
              (k, i) -> client.search("user-1", questions.get(i % questions.size())));
          timed(
              searchN,
              r,
              c.clients,
              c.searches,
              clients,
              (k, i) -> client.search("user-n" + k, questions.get((i * 7 + k) % questions.size())));
          timed(
              turn,
              r,
              1,
              c.searches,
              clients,
              (k, i) -> client.add("user-t", text(turns, next)),
              (k, i) -> client.search("user-t", questions.get(i % questions.size())));
          System.err.printf(
              "  round %d/%d: raw %.1f/s, add 1 client %.1f/s, add %d clients %.1f/s%n",
              r + 1, c.rounds, raw.rates[r], one.rates[r], c.clients, many.rates[r]);
        }
        double oneVsRaw = one.medianRate() / raw.medianRate();
        double manyVsOne = many.medianRate() / one.medianRate();
        report.line(
            "http: %s, embedder %s, %d rounds of %d adds (per client) and %d searches, %d clients; "
                + "warm-up %d; durability %s",
            texts.source(),
            embedder.modelId(),
            c.rounds,
            c.adds,
            c.searches,
            c.clients,
            c.warmup,
            c.durability().wireName());
        for (Phase p : List.of(raw, one, many, rawMany, search1, searchN, turn)) {
          report.line("%s", p.line());
        }
        report.line(
            "  add, 1 client / raw embedder, one text at a time: %.2f (goal >= 0.70);"
                + " by process CPU per request: %.2f; the same without the JIT compilers' CPU: %.2f",
            oneVsRaw,
            raw.cpuMsPerRequest() / one.cpuMsPerRequest(),
            raw.cpuLessJitMsPerRequest() / one.cpuLessJitMsPerRequest());
        report.line(
            "  add, %d clients / 1 client: %.2f (goal >= 1.8); embedder, %d threads / 1: %.2f",
            c.clients, manyVsOne, c.clients, rawMany.medianRate() / raw.medianRate());
        report.put("embedder", embedder.modelId());
        report.put("texts", texts.source());
        report.put("clients", c.clients);
        report.put("durability", c.durability().wireName());
        report.put("rounds", c.rounds);
        report.put("adds_per_round", c.adds);
        report.put("searches_per_round", c.searches);
        report.put("raw_one_at_a_time", raw.json());
        report.put("add_1_client", one.json());
        report.put("add_n_clients", many.json());
        report.put("raw_n_threads", rawMany.json());
        report.put("search_1_client", search1.json());
        report.put("search_n_clients", searchN.json());
        report.put("search_right_after_add", turn.json());
        report.put("block", c.block);
        report.put("ratio_add_1_client_vs_raw", Stats.round3(oneVsRaw));
        report.put(
            "ratio_add_1_client_vs_raw_by_cpu",
            Stats.round3(raw.cpuMsPerRequest() / one.cpuMsPerRequest()));
        double lessJit = raw.cpuLessJitMsPerRequest() / one.cpuLessJitMsPerRequest();
        report.put(
            "ratio_add_1_client_vs_raw_by_cpu_less_jit",
            Double.isNaN(lessJit) ? null : Stats.round3(lessJit));
        report.put("ratio_add_n_clients_vs_1", Stats.round3(manyVsOne));
      }
    } finally {
      clients.shutdownNow();
      CorpusWriter.deleteTree(dir);
    }
    return report;
  }

  private static Embedder.Purpose doc() {
    return Embedder.Purpose.DOCUMENT;
  }

  /** A turn made unique, so that no add is an exact duplicate of an earlier one. */
  private static String unique(List<String> turns, int n) {
    return turns.get(n % turns.size()) + (n >= turns.size() ? " (" + n / turns.size() + ")" : "");
  }

  private static String text(List<String> turns, AtomicInteger next) {
    return unique(turns, next.getAndIncrement());
  }

  @FunctionalInterface
  private interface Request {
    void run(int client, int i) throws Exception;
  }

  /**
   * Runs {@code perClient} requests on each of {@code n} clients at once as one block of round
   * {@code round}: records each latency, the block's wall time and the process's CPU time in the
   * phase.
   */
  private static void timed(
      Phase phase, int round, int n, int perClient, ExecutorService pool, Request r)
      throws Exception {
    timed(phase, round, n, perClient, pool, null, r);
  }

  /**
   * As above, each request preceded by {@code before} (not timed, but counted in the rate: the rate
   * is of whole iterations).
   */
  private static void timed(
      Phase phase,
      int round,
      int n,
      int perClient,
      ExecutorService pool,
      @Nullable Request before,
      Request r)
      throws Exception {
    List<Future<long[]>> futures = new ArrayList<>();
    // Read outside the CPU window: listing the threads costs CPU of its own.
    long jit0 = CompilerCpu.nanos();
    long cpu0 = PROCESS.getProcessCpuTime();
    long t0 = System.nanoTime();
    for (int k = 0; k < n; k++) {
      int client = k;
      futures.add(
          pool.submit(
              () -> {
                long[] lat = new long[perClient];
                for (int i = 0; i < perClient; i++) {
                  if (before != null) {
                    before.run(client, i);
                  }
                  long s = System.nanoTime();
                  r.run(client, i);
                  lat[i] = System.nanoTime() - s;
                }
                return lat;
              }));
    }
    for (Future<long[]> f : futures) {
      for (long l : f.get()) {
        phase.latency.add(l);
      }
    }
    long wall = System.nanoTime() - t0;
    long cpu = PROCESS.getProcessCpuTime() - cpu0;
    long jit1 = CompilerCpu.nanos();
    phase.block(
        round, n * perClient, wall, cpu, jit0 < 0 || jit1 < 0 ? -1 : Math.max(0, jit1 - jit0));
  }

  /** A tenant key's HTTP client on the Mem0 routes; thread-safe. */
  private static final class Client {
    private final HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final String base;
    private final String key;

    Client(String base, String key) {
      this.base = base;
      this.key = key;
    }

    void add(String user, String text) throws IOException, InterruptedException {
      Map<String, Object> body =
          Map.of("messages", List.of(Map.of("role", "user", "content", text)), "user_id", user);
      post("/v3/memories/add/", body);
    }

    void search(String user, String query) throws IOException, InterruptedException {
      Map<String, Object> body = Map.of("query", query, "filters", Map.of("user_id", user));
      post("/v3/memories/search/", body);
    }

    private void post(String path, Object body) throws IOException, InterruptedException {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(base + path))
              .timeout(Duration.ofSeconds(60))
              .header("Authorization", "Token " + key)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
              .build();
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException(
            "HTTP " + response.statusCode() + " from " + path + ": " + new String(response.body()));
      }
    }
  }
}
