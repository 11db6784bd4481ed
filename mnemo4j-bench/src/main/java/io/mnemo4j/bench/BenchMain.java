package io.mnemo4j.bench;

import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * End-to-end benchmarks of Mnemo4j: {@code ingest}, {@code search}, {@code open} and {@code http}
 * on the embedded store, {@code stores}, the embedded store against PostgreSQL on the same data,
 * {@code integrations}, the LangChain4j and Spring AI integrations against a direct search, and
 * {@code mcp}, the MCP tools' search round trip over HTTP and stdio. Each prints a human summary;
 * with {@code --json} the summary goes to stderr and stdout gets one JSON object. See the
 * repository's BENCHMARKS.md.
 */
public final class BenchMain {
  private static final String USAGE =
      """
      usage: BenchMain <command> [options] [--json]

      commands:
        ingest  [--n 2000] [--warmup 200] [--round 100] [--context 2] [--batch 10] [--durability full]
                raw embedder throughput (embedAll, batches of 10) vs TenantMemory.add (batches of 10), alternating
        search  [--memories 100000] [--queries 1000] [--warmup 200] [--users 1] [--pool 5000] [--noise 0.3]
                [--neighbour-weight W (default: SearchTuning's)] [--variants all|embed,hybrid,dense,text,hybrid_pre,dense_pre]
                search latency on one large tenant: hybrid, dense, text, with and without query embedding
        open    [--tenants 1000] [--docs 100] [--hot 16] [--requests 2000] [--warmup 400] [--max-open 64]
                search latency when the tenant is cached (hit) vs must be opened (miss)
        scale   [--tenants 10000] [--docs 1000] [--max-open 64] [--hot 16] [--requests 10000] [--warmup 1000]
                [--threads CORES] [--batch 1000] [--min-free-gib 15] [--build-minutes 0] [--keep] [--build-only]
                [--order-seed SEED (default --seed: which tenants are searched, apart from the corpus)]
                thousands of tenants in one data dir opened on demand: resumable parallel build, then hybrid
                search over random tenants and a hot+random mix, with RSS, file descriptors and heap sampled
                (the corpus is deleted afterwards unless --keep; a build stops cleanly after --build-minutes
                or when a file 'stop' appears beside data/, and the next run continues it)
        stores  [--tenants 100] [--docs 1000] [--large 100000] [--queries 500] [--warmup 100]
                [--warmup-per-tenant 12] [--k 10] [--batch 1000] [--add 2000] [--add-warmup 200]
                [--add-round 100] [--cold-passes 3] [--cold-max-open 8] [--cold-large 10] [--pool 5000]
                [--noise 0.3] [--pg-url jdbc:postgresql://127.0.0.1:5432/] [--pg-user postgres]
                [--pg-db mnemo_bench_stores] [--pg-analyze true] [--pre-analyze 20] [--keep]
                embedded store vs PostgreSQL on the same data in one run: bulk write, dense search + recall@k vs
                exact, hybrid search, cold tenant open, add throughput (creates and drops database --pg-db)
        http    [--adds 100] [--searches 100] [--clients 4] [--rounds 5] [--warmup 50] [--durability full] [--block 10]
                the real server on a random port: add (one message per request) and search by 1 and by
                --clients concurrent clients, side by side with the raw embedder one text at a time, per round
        transfer [--memories 100000] [--reembed 5000] [--pg-copy 10000] [--pg-url U] [--pg-user postgres]
                export and import rates of one large tenant, with and without vectors, and each phase's peak heap
        mcp     [--memories 2000] [--queries 500] [--warmup 100] [--limit 10]
                round trip of the MCP tool search_memories (official Java SDK client) over Streamable HTTP and
                over stdio, next to TenantMemory.search and MemoryTools.call in-process

        integrations [--memories 2000] [--queries 500] [--warmup 100] [--starts 5]
                LangChain4j retriever and Spring AI advisor vs a direct TenantMemory.search (side by side),
                the advisor's queueing of the exchange, and the Spring Boot starter's start-up time

        reembed [--memories 3000] [--queries 200] [--to all-minilm-l6-v2-q]
                changing the embedding model: raw embedder rate vs re-embedding rate in one run, and search
                latency before, during and after

      common options:
        --embedder NAME   bge-small-en-v1.5-q (default), all-minilm-l6-v2-q, or hash (deterministic, no model)
        --locomo FILE     LoCoMo JSON (default ../shared/data/locomo/locomo-dev.json; synthetic texts if absent)
        --work-dir DIR    caches and corpora (default: bench-work/ beside the benchmark jar, under target/)
        --seed N          seed of every random choice (default 42)
        --json            print one JSON object on stdout (the summary goes to stderr)
      """;

  private BenchMain() {}

  /** Common options of every command. */
  record Common(String embedder, Path locomo, Path workDir, long seed, boolean json) {
    static Common from(Args a) {
      return new Common(
          a.string("embedder", Embedders.DEFAULT),
          a.path("locomo", Path.of("../shared/data/locomo/locomo-dev.json")),
          a.path("work-dir", defaultWorkDir()),
          a.longValue("seed", 42),
          a.flag("json"));
    }
  }

  public static void main(String[] argv) throws Exception {
    if (argv.length == 0
        || argv[0].equals("--help")
        || argv[0].equals("-h")
        || argv[0].equals("help")) {
      System.out.print(USAGE);
      System.exit(argv.length == 0 ? 2 : 0);
    }
    String command = argv[0];
    Report report;
    Common common;
    long t0 = System.nanoTime();
    try {
      Args a = Args.parse(Arrays.asList(argv).subList(1, argv.length));
      common = Common.from(a);
      switch (command) {
        case "ingest" -> {
          IngestBench.Config c = IngestBench.Config.from(a);
          a.requireAllKnown();
          report = IngestBench.run(common, c);
        }
        case "search" -> {
          SearchBench.Config c = SearchBench.Config.from(a);
          a.requireAllKnown();
          report = SearchBench.run(common, c);
        }
        case "open" -> {
          OpenBench.Config c = OpenBench.Config.from(a);
          a.requireAllKnown();
          report = OpenBench.run(common, c);
        }
        case "scale" -> {
          ScaleBench.Config c = ScaleBench.Config.from(a, common.seed());
          a.requireAllKnown();
          report = ScaleBench.run(common, c);
        }
        case "integrations" -> {
          IntegrationsBench.Config c = IntegrationsBench.Config.from(a);
          a.requireAllKnown();
          report = IntegrationsBench.run(common, c);
        }
        case "http" -> {
          HttpBench.Config c = HttpBench.Config.from(a);
          a.requireAllKnown();
          report = HttpBench.run(common, c);
        }
        case "mcp" -> {
          McpBench.Config c = McpBench.Config.from(a);
          a.requireAllKnown();
          report = McpBench.run(common, c);
        }
        case "transfer" -> {
          TransferBench.Config c = TransferBench.Config.from(a);
          a.requireAllKnown();
          report = TransferBench.run(common, c);
        }
        case "reembed" -> {
          ReembedBench.Config c = ReembedBench.Config.from(a);
          a.requireAllKnown();
          report = ReembedBench.run(common, c);
        }
        case "stores" -> {
          StoresBench.Config c = StoresBench.Config.from(a);
          a.requireAllKnown();
          report = StoresBench.run(common, c);
        }
        default -> throw new IllegalArgumentException("unknown command '" + command + "'");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
      return;
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    report.line("wall time: %.1f s", wall);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("benchmark", command);
    json.put("environment", environment());
    json.putAll(report.json());
    json.put("wall_seconds", Stats.round1(wall));
    if (common.json()) {
      System.err.print(report.human());
      System.out.println(JsonMapper.builder().build().writeValueAsString(json));
    } else {
      System.out.print(report.human());
    }
    System.out.flush();
    // ONNX Runtime and Lucene may leave daemon threads; nothing else to wait for.
    System.exit(0);
  }

  private static Map<String, Object> environment() {
    Map<String, Object> env = new LinkedHashMap<>();
    env.put("time", Instant.now().toString());
    env.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
    env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    env.put("cpus", Runtime.getRuntime().availableProcessors());
    env.put("cpu_model", cpuModel());
    env.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
    env.put("vector_incubator", ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
    return env;
  }

  private static String cpuModel() {
    Path info = Path.of("/proc/cpuinfo");
    if (!Files.isReadable(info)) {
      return "unknown";
    }
    try (Stream<String> lines = Files.lines(info)) {
      return lines
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip())
          .findFirst()
          .orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  /**
   * {@code bench-work/} beside the jar or classes directory, that is under {@code
   * mnemo4j-bench/target/}.
   */
  private static Path defaultWorkDir() {
    try {
      Path code =
          Path.of(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path target = code.getParent(); // target/classes or target/<jar>
      if (target != null
          && target.getFileName() != null
          && target.getFileName().toString().equals("target")) {
        return target.resolve("bench-work");
      }
    } catch (URISyntaxException | RuntimeException e) {
      // fall through
    }
    return Path.of("target", "bench-work");
  }

  /** Formats bytes as MiB with one decimal. */
  static double mib(long bytes) {
    return Stats.round1(bytes / (1024.0 * 1024.0));
  }
}
