package io.mnemo4j.server;

import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import io.mnemo4j.testing.HashingEmbedder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a unit test: a bounded loopback benchmark. One tenant with 2,000 memories (HashingEmbedder,
 * embedded store); search latency in-process ({@link TenantMemory#search}) vs over HTTP ({@code
 * POST /v1/mem/search}) on the same queries, p50/p99; then searches per second with 8 concurrent
 * clients, over HTTP and in-process.
 *
 * <p>Run: {@code java -cp target/classes:target/test-classes:$(deps)
 * io.mnemo4j.server.SearchLoadClient [seconds]}.
 */
public final class SearchLoadClient {
  private static final String[] WORDS =
      ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima "
              + "mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu project "
              + "meeting budget travel coffee python java server memory search index tenant release deadline customer "
              + "invoice garden hiking music movie dinner family weekend office laptop phone email report")
          .split(" ");

  private SearchLoadClient() {}

  /** Runs the benchmark and prints a small table. */
  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Random random = new Random(42);
    Path dir = Files.createTempDirectory("mnemo-load");
    try (Mnemo mnemo =
            Mnemo.builder()
                .dataDir(dir)
                .embedder(new HashingEmbedder())
                .backend(EmbeddedBackend.create())
                .build();
        MnemoServer server =
            MnemoServer.start(
                ServerConfig.defaults().withPort(0).withAdminKey("bench-admin-key-0123456789"),
                mnemo)) {
      TenantMemory tenant = mnemo.tenant("bench");
      List<Message> batch = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        batch.add(Message.user(sentence(random, 12) + " n" + i));
        if (batch.size() == 100) {
          tenant.add(batch, Scope.user("alice"));
          batch.clear();
        }
      }
      String key = mnemo.admin().keys().issue(tenant.info().id(), null).secret();
      List<String> queries = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        queries.add(sentence(random, 4));
      }
      Search search = Search.in(Scope.user("alice")).limit(10);
      HttpClient http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      URI uri = URI.create("http://127.0.0.1:" + server.port() + "/v1/mem/search");
      Runnable[] inProc = new Runnable[queries.size()];
      Runnable[] overHttp = new Runnable[queries.size()];
      for (int i = 0; i < queries.size(); i++) {
        String q = queries.get(i);
        inProc[i] = () -> tenant.search(q, search);
        HttpRequest req =
            HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"query\":\"" + q + "\",\"user_id\":\"alice\",\"limit\":10}"))
                .build();
        overHttp[i] =
            () -> {
              try {
                HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() != 200) {
                  throw new IllegalStateException("status " + r.statusCode());
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            };
      }
      Runnable health = get(http, "http://127.0.0.1:" + server.port() + "/health", null);
      Runnable ping = get(http, "http://127.0.0.1:" + server.port() + "/v1/ping/", key);
      run(new Runnable[] {health}, 1000);
      run(new Runnable[] {ping}, 1000);
      long[] h = run(new Runnable[] {health}, 2000);
      long[] pg = run(new Runnable[] {ping}, 2000);
      run(inProc, 1000);
      run(overHttp, 1000); // warm-up
      long[] a = run(inProc, 2000);
      long[] b = run(overHttp, 2000);
      long[] a2 = run(inProc, 2000);
      long[] b2 = run(overHttp, 2000);
      System.out.printf(
          Locale.ROOT,
          "memories=2000 embedder=HashingEmbedder(256) limit=10 (2 x 2000 sequential)%n");
      System.out.printf(
          Locale.ROOT,
          "in-process  p50 %.3f ms  p99 %.3f ms  | again p50 %.3f p99 %.3f%n",
          pct(a, 50),
          pct(a, 99),
          pct(a2, 50),
          pct(a2, 99));
      System.out.printf(
          Locale.ROOT,
          "over HTTP   p50 %.3f ms  p99 %.3f ms  | again p50 %.3f p99 %.3f%n",
          pct(b, 50),
          pct(b, 99),
          pct(b2, 50),
          pct(b2, 99));
      System.out.printf(
          Locale.ROOT,
          "GET /health p50 %.3f ms p99 %.3f | GET /v1/ping/ (auth) p50 %.3f ms p99 %.3f%n",
          pct(h, 50),
          pct(h, 99),
          pct(pg, 50),
          pct(pg, 99));
      System.out.printf(
          Locale.ROOT, "8 clients over HTTP: %.0f searches/s%n", throughput(overHttp, 8, seconds));
      System.out.printf(
          Locale.ROOT, "8 threads in-process: %.0f searches/s%n", throughput(inProc, 8, seconds));
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static Runnable get(HttpClient http, String url, String key) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (key != null) {
      b.header("Authorization", "Token " + key);
    }
    HttpRequest req = b.build();
    return () -> {
      try {
        if (http.send(req, HttpResponse.BodyHandlers.ofByteArray()).statusCode() != 200) {
          throw new IllegalStateException(url);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
  }

  private static String sentence(Random r, int words) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < words; i++) {
      sb.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
    }
    return sb.toString();
  }

  private static long[] run(Runnable[] ops, int n) {
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      long start = System.nanoTime();
      ops[i % ops.length].run();
      t[i] = System.nanoTime() - start;
    }
    Arrays.sort(t);
    return t;
  }

  private static double pct(long[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)]
        / 1e6;
  }

  private static double throughput(Runnable[] ops, int clients, int seconds) throws Exception {
    AtomicLong done = new AtomicLong();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> fs = new ArrayList<>();
      long start = System.nanoTime();
      for (int c = 0; c < clients; c++) {
        int offset = c * 17;
        fs.add(
            pool.submit(
                () -> {
                  for (int i = offset; System.nanoTime() < end && i < offset + 5_000_000; i++) {
                    ops[i % ops.length].run();
                    done.incrementAndGet();
                  }
                }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      return done.get() / ((System.nanoTime() - start) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }
}
