package io.mnemo4j.bench;

import io.mnemo4j.Hit;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Search;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code TenantMemory.search} on one embedded tenant of 10,000 memories in one user scope, with the
 * deterministic {@link io.mnemo4j.testing.HashingEmbedder} (a few microseconds per query), so the
 * time is the store's (Lucene HNSW and BM25, SQLite reads) and the fusion's, not ONNX's. The tenant
 * is built through the SPI from synthetic sentences in a temporary directory, removed afterwards.
 * The setup also runs up to 2,000 searches (at most 20 s) so the Vector API code is compiled before
 * JMH's short warm-up starts.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class HybridSearchBenchmark {
  private static final int MEMORIES = 10_000;
  private static final String TENANT = "jmh";
  private static final int WARMUP_SEARCHES = 2_000;
  private static final int WARMUP_SECONDS = 20;

  @Param({"HYBRID", "DENSE", "TEXT"})
  public String mode;

  private Path dir;
  private Mnemo mnemo;
  private TenantMemory tenant;
  private Search search;
  private List<String> queries;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("mnemo4j-jmh-");
    Path dataDir = dir.resolve("data");
    Embedder embedder = new io.mnemo4j.testing.HashingEmbedder(384, "hash-384");
    Texts texts = Texts.synthetic(42, 2_000, 256);
    Pool pool =
        new Pool(
            embedder.modelId(),
            texts.turns(),
            embedder.embedAll(texts.turns(), Embedder.Purpose.DOCUMENT),
            0,
            false);
    CorpusWriter.registerTenants(dataDir, List.of(TENANT));
    try (MemoryStore region = CorpusWriter.openRegion(dataDir)) {
      new CorpusWriter(pool, 42, 0.3)
          .writeTenant(region, TENANT, 0, MEMORIES, 1_000, i -> scope(), false);
    }
    mnemo =
        Mnemo.builder()
            .dataDir(dataDir)
            .backend(EmbeddedBackend.create())
            .embedder(embedder)
            .autoCreateTenants(false)
            .build();
    tenant = mnemo.tenant(TENANT);
    search = Search.in(scope()).mode(Search.Mode.valueOf(mode));
    queries = texts.questions();
    // Lucene's vector code runs through the Vector API, which is very slow until C2 compiles it:
    // the first searches
    // take up to a second each, so two 1 s JMH warm-up iterations are not enough. Warm the search
    // path up here.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARMUP_SECONDS);
    for (int i = 0; i < WARMUP_SEARCHES && System.nanoTime() < deadline; i++) {
      search10kMemories();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    mnemo.close();
    CorpusWriter.deleteTree(dir);
  }

  @Benchmark
  public List<Hit> search10kMemories() {
    String q = queries.get(next);
    next = (next + 1) % queries.size();
    return tenant.search(q, search);
  }

  private static io.mnemo4j.Scope scope() {
    return io.mnemo4j.Scope.user("alice");
  }
}
