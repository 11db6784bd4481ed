package io.mnemo4j.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.mcp.Caller;
import io.mnemo4j.mcp.MemoryTools;
import io.mnemo4j.server.MnemoServer;
import io.mnemo4j.server.ServerConfig;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code mcp}: the round trip of the MCP tool {@code search_memories} through the official MCP Java
 * SDK client, over Streamable HTTP ({@code /mcp} of a real server on loopback) and over stdio (a
 * child JVM serving the tools, as {@code ./mnemo mcp} does), next to the same search in-process
 * ({@code TenantMemory.search}) and through the tool layer without a transport ({@code
 * MemoryTools.call}). One tenant of {@code --memories} memories of one user, built by {@code add}
 * and copied so that the server and the stdio child each own their copy (the embedded store admits
 * one process per tenant). The four variants run in rotating order on each query.
 */
final class McpBench {
  private McpBench() {}

  static final String TENANT = "bench";
  private static final String USER = "alice";
  private static final String ADMIN_KEY = "bench-admin-key-0123456789abcdef";

  record Config(int memories, int queries, int warmup, int limit) {
    static Config from(Args a) {
      Config c =
          new Config(
              a.intValue("memories", 2000),
              a.intValue("queries", 500),
              a.intValue("warmup", 100),
              a.intValue("limit", 10));
      if (c.memories < 1 || c.queries < 1 || c.warmup < 0 || c.limit < 1 || c.limit > 1000) {
        throw new IllegalArgumentException(
            "memories and queries must be positive, limit 1 to 1000");
      }
      return c;
    }
  }

  /** The variants measured, in the order of the report. */
  private enum Variant {
    IN_PROCESS("in-process TenantMemory.search"),
    TOOL("in-process MemoryTools.call"),
    HTTP("MCP over Streamable HTTP"),
    STDIO("MCP over stdio");

    final String label;

    Variant(String label) {
      this.label = label;
    }
  }

  static Report run(BenchMain.Common common, Config c) throws Exception {
    Report report = new Report();
    Texts texts = Texts.load(common.locomo(), common.seed());
    Path root =
        Files.createDirectories(common.workDir()).resolve("mcp-" + ProcessHandle.current().pid());
    Path serverDir = root.resolve("server");
    Path stdioDir = root.resolve("stdio");
    List<String> queries = Texts.cycle(texts.questions(), 0, c.warmup + c.queries);
    try {
      long t0 = System.nanoTime();
      build(serverDir, common.embedder(), Texts.cycle(texts.turns(), 0, c.memories));
      copy(serverDir, stdioDir);
      report.line(
          "corpus: %d memories of one user (%s), built by add in %.1f s; %d queries",
          c.memories, texts.source(), (System.nanoTime() - t0) / 1e9, c.queries);
      try (Mnemo mnemo = open(serverDir, common.embedder());
          MnemoServer server =
              MnemoServer.start(
                  ServerConfig.defaults()
                      .withPort(0)
                      .withAdminKey(ADMIN_KEY)
                      .withConsole(new PrintStream(OutputStream.nullOutputStream())),
                  mnemo)) {
        String key = mnemo.admin().keys().issue(TenantId.of(TENANT), null).secret();
        TenantMemory memory = mnemo.existingTenant(TENANT);
        MemoryTools tools = MemoryTools.create();
        Caller caller = Caller.local(memory, USER, null, "bench");
        McpSyncClient http = http("http://127.0.0.1:" + server.port(), key);
        McpSyncClient stdio = stdio(stdioDir, common.embedder());
        try {
          http.initialize();
          stdio.initialize();
          Map<Variant, Consumer<String>> run =
              Map.of(
                  Variant.IN_PROCESS,
                  q ->
                      memory.search(q, Search.in(Scope.user(USER)).withTenantWide().limit(c.limit)),
                  Variant.TOOL,
                  q -> check(tools.call(caller, "search_memories", args(q, c.limit))),
                  Variant.HTTP,
                  q -> check(http.callTool(request(q, c.limit))),
                  Variant.STDIO,
                  q -> check(stdio.callTool(request(q, c.limit))));
          Map<Variant, Stats> stats = new java.util.EnumMap<>(Variant.class);
          for (Variant v : Variant.values()) {
            stats.put(v, new Stats());
          }
          Variant[] order = Variant.values();
          for (int i = 0; i < queries.size(); i++) {
            String q = queries.get(i);
            for (int k = 0; k < order.length; k++) {
              Variant v = order[(i + k) % order.length];
              long s = System.nanoTime();
              run.get(v).accept(q);
              long took = System.nanoTime() - s;
              if (i >= c.warmup) {
                stats.get(v).add(took);
              }
            }
          }
          double base = stats.get(Variant.IN_PROCESS).percentileMs(50);
          Map<String, Object> json = new java.util.LinkedHashMap<>();
          for (Variant v : Variant.values()) {
            Stats s = stats.get(v);
            report.line("%-32s %s", v.label, s.line());
            Map<String, Object> m = s.toJson();
            m.put("p50_overhead_ms", Stats.round3(s.percentileMs(50) - base));
            json.put(v.name().toLowerCase(java.util.Locale.ROOT), m);
          }
          report.line(
              "p50 over in-process search: tool layer %+.3f ms, HTTP %+.3f ms, stdio %+.3f ms",
              stats.get(Variant.TOOL).percentileMs(50) - base,
              stats.get(Variant.HTTP).percentileMs(50) - base,
              stats.get(Variant.STDIO).percentileMs(50) - base);
          report.put("memories", c.memories);
          report.put("queries", c.queries);
          report.put("limit", c.limit);
          report.put("embedder", common.embedder());
          report.put("texts", texts.source());
          report.put("search_memories", json);
        } finally {
          http.closeGracefully();
          stdio.closeGracefully();
        }
      }
    } finally {
      delete(root);
    }
    return report;
  }

  private static Mnemo open(Path dir, String embedder) {
    return Mnemo.builder()
        .dataDir(dir)
        .embedder(Embedders.open(embedder))
        .backend(EmbeddedBackend.create())
        .autoCreateTenants(false)
        .build();
  }

  private static void build(Path dir, String embedder, List<String> turns) {
    try (Mnemo mnemo = open(dir, embedder)) {
      mnemo.admin().createTenant(TENANT);
      TenantMemory memory = mnemo.existingTenant(TENANT);
      for (int i = 0; i < turns.size(); i += 50) {
        List<Message> batch = new ArrayList<>();
        for (String t : turns.subList(i, Math.min(turns.size(), i + 50))) {
          batch.add(Message.user(t));
        }
        memory.add(batch, Scope.user(USER));
      }
    }
  }

  private static Map<String, Object> args(String query, int limit) {
    return Map.of("query", query, "limit", limit);
  }

  private static McpSchema.CallToolRequest request(String query, int limit) {
    return McpSchema.CallToolRequest.builder("search_memories")
        .arguments(args(query, limit))
        .build();
  }

  private static void check(McpSchema.CallToolResult r) {
    if (Boolean.TRUE.equals(r.isError())) {
      throw new IllegalStateException("search_memories failed: " + r.content());
    }
  }

  private static McpSyncClient http(String base, String key) {
    HttpClientStreamableHttpTransport transport =
        HttpClientStreamableHttpTransport.builder(base)
            .endpoint("/mcp")
            .jsonMapper(new JacksonMcpJsonMapper(new ObjectMapper()))
            .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + key))
            .build();
    return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60)).build();
  }

  private static McpSyncClient stdio(Path dir, String embedder) {
    String java = ProcessHandle.current().info().command().orElse("java");
    ServerParameters params =
        ServerParameters.builder(java)
            .args(
                "--add-modules",
                "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                McpStdioChild.class.getName(),
                dir.toString(),
                TENANT,
                USER,
                embedder)
            .build();
    StdioClientTransport transport =
        new StdioClientTransport(params, new JacksonMcpJsonMapper(new ObjectMapper()));
    return McpClient.sync(transport)
        .requestTimeout(Duration.ofSeconds(60))
        .initializationTimeout(Duration.ofMinutes(2))
        .build();
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static void delete(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
