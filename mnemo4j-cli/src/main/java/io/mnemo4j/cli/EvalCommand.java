package io.mnemo4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Search;
import io.mnemo4j.SearchTuning;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mnemo eval}: retrieval benchmarks. */
@Command(
    name = "eval",
    description = "Retrieval evaluations.",
    subcommands = EvalCommand.Locomo.class)
final class EvalCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "an eval command is required");
  }

  /**
   * {@code mnemo eval locomo}: see {@link LocomoEval}. Works in a temporary data dir, deleted
   * afterwards.
   */
  @Command(
      name = "locomo",
      description =
          "LoCoMo retrieval recall@k / hit@k (categories 1-4 overall; 5 reported apart). Runs in a "
              + "temporary data dir, deleted afterwards (--data-dir is ignored).")
  static final class Locomo extends CliCommand {
    /** The file in {@code --store-dir} that says what the store holds; written after the ingest. */
    static final String MANIFEST = "locomo-ingest.json";

    @Option(
        names = "--data",
        paramLabel = "FILE",
        required = true,
        description = "LoCoMo JSON file.")
    Path data = Path.of("");

    @Option(
        names = "--per-tenant",
        description = "Each conversation in its own tenant (default: one tenant).")
    boolean perTenant;

    @Option(
        names = "--mode",
        paramLabel = "MODE",
        defaultValue = "hybrid",
        converter = ModeConverter.class,
        description = "hybrid, dense or text (default: hybrid).")
    Search.Mode mode = Search.Mode.HYBRID;

    @Option(
        names = "--k",
        paramLabel = "K",
        split = ",",
        defaultValue = "1,5,10,20",
        description = "Cut-offs (default: 1,5,10,20).")
    List<Integer> ks = new ArrayList<>(LocomoEval.DEFAULT_KS);

    @Option(
        names = "--limit-conversations",
        paramLabel = "N",
        defaultValue = "0",
        description = "Only the first N conversations (default: all).")
    int limitConversations;

    @Option(
        names = "--split",
        paramLabel = "SPLIT",
        defaultValue = "all",
        converter = SplitConverter.class,
        description =
            "all, tune (the 1st, 3rd, 5th... conversation of the file) or confirm (the 2nd, 4th..."
                + "): tune on one half, confirm on the other (default: all).")
    LocomoEval.Split split = LocomoEval.Split.ALL;

    @Option(
        names = "--conversations",
        paramLabel = "IDS",
        split = ",",
        description = "Only these sample ids (within --split).")
    List<String> sampleIds = new ArrayList<>();

    @Option(
        names = "--neighbour-weight",
        paramLabel = "W",
        description =
            "Weight of neighbour evidence in [0, 1] (SearchTuning.withNeighbourWeight; default the"
                + " library's, 0 turns it off): a search-side setting, so a --store-dir ingest is"
                + " searched again with it.")
    double neighbourWeight = SearchTuning.DEFAULT_NEIGHBOUR_WEIGHT;

    @Option(
        names = "--date-weight",
        paramLabel = "W",
        description =
            "Weight of the date signal in [0, 1] (SearchTuning.withDateWeight; default the"
                + " library's): a search-side setting, so a --store-dir ingest is searched again"
                + " with it.")
    double dateWeight = SearchTuning.DEFAULT_DATE_WEIGHT;

    @Option(
        names = "--store-dir",
        paramLabel = "DIR",
        description =
            "Keep the ingested store in DIR (created if missing) and, when DIR already holds an"
                + " ingest of the same file, conversations, embedder and tenancy, search it again"
                + " instead of ingesting (the ingest is most of a run). Default: a temporary"
                + " directory, deleted afterwards.")
    @Nullable Path storeDir;

    @Override
    public Integer call() throws IOException {
      if (limitConversations < 0) {
        throw new InvalidRequestException(
            "limit_conversations", "--limit-conversations must be >= 0");
      }
      if (!Files.isRegularFile(data)) {
        throw new InvalidRequestException("data", "no such file: " + data);
      }
      if (!(neighbourWeight >= 0 && neighbourWeight <= 1)) {
        throw new InvalidRequestException(
            "neighbour_weight", "--neighbour-weight must be within [0, 1], got " + neighbourWeight);
      }
      if (!(dateWeight >= 0 && dateWeight <= 1)) {
        throw new InvalidRequestException(
            "date_weight", "--date-weight must be within [0, 1], got " + dateWeight);
      }
      LocomoEval.Options options = new LocomoEval.Options(mode, ks, perTenant);
      MnemoCli.checkEmbedderName(cli().embedderName());
      List<LocomoEval.Conversation> conversations =
          LocomoEval.select(LocomoEval.load(data), split, sampleIds, limitConversations);
      if (conversations.isEmpty()) {
        throw new InvalidRequestException("conversations", "no conversation left to evaluate");
      }
      LocomoEval.Report report =
          storeDir == null
              ? inTemporaryDir(conversations, options)
              : inStoreDir(storeDir, conversations, options);
      if (json()) {
        Json.print(out(), report.toJson());
      } else {
        printTable(out(), report);
      }
      return MnemoCli.OK;
    }

    private LocomoEval.Report inTemporaryDir(
        List<LocomoEval.Conversation> conversations, LocomoEval.Options options)
        throws IOException {
      Path dir = Files.createTempDirectory("mnemo-eval-");
      // Ctrl-C must not leave the temporary store behind either.
      Thread cleanup = new Thread(() -> deleteQuietly(dir), "mnemo-eval-cleanup");
      Runtime.getRuntime().addShutdownHook(cleanup);
      try (Mnemo mnemo = open(dir)) {
        return LocomoEval.run(mnemo, conversations, options, new Bars(cli().err()));
      } finally {
        Runtime.getRuntime().removeShutdownHook(cleanup);
        deleteTree(dir);
      }
    }

    /**
     * Searches the ingest {@code --store-dir} holds when its manifest matches this run, else
     * ingests into the (missing or empty) directory and writes the manifest last, so an interrupted
     * ingest is never reused. A directory holding anything else is refused, never emptied.
     */
    private LocomoEval.Report inStoreDir(
        Path storeDir, List<LocomoEval.Conversation> conversations, LocomoEval.Options options)
        throws IOException {
      Path manifest = storeDir.resolve(MANIFEST);
      ObjectNode fingerprint = fingerprint(conversations, options.perTenant());
      if (Files.isRegularFile(manifest)) {
        JsonNode stored = readManifest(manifest);
        if (!fingerprint.equals(stored.path("fingerprint"))) {
          throw new InvalidRequestException(
              "store_dir",
              "--store-dir "
                  + storeDir
                  + " holds another ingest (other file, conversations, embedder or tenancy);"
                  + " delete it or choose another directory");
        }
        LocomoEval.Ingested ingested =
            LocomoEval.Ingested.fromJson(stored.path("ingest"), "store_dir");
        try (Mnemo mnemo = open(storeDir)) {
          return LocomoEval.evaluate(
              mnemo, conversations, ingested, options, new Bars(cli().err()));
        }
      }
      if (Files.exists(storeDir) && !isEmptyDirectory(storeDir)) {
        throw new InvalidRequestException(
            "store_dir",
            "--store-dir "
                + storeDir
                + " is not empty and holds no LoCoMo ingest; choose an empty or new directory");
      }
      Files.createDirectories(storeDir);
      try (Mnemo mnemo = open(storeDir)) {
        Bars bars = new Bars(cli().err());
        LocomoEval.Ingested ingested =
            LocomoEval.ingest(mnemo, conversations, options.perTenant(), bars);
        ObjectNode m = Json.object();
        m.set("fingerprint", fingerprint);
        m.set("ingest", ingested.toJson());
        Files.writeString(manifest, Json.MAPPER.writeValueAsString(m));
        return LocomoEval.evaluate(mnemo, conversations, ingested, options, bars);
      }
    }

    private Mnemo open(Path dir) {
      return Mnemo.builder()
          .dataDir(dir)
          .embedder(LazyEmbedder.named(cli().embedderName()))
          .backend(EmbeddedBackend.create())
          .clock(LocomoEval.sessionClock())
          .autoCreateTenants(false)
          .nearDuplicateThreshold(1.0)
          .searchTuning(
              SearchTuning.defaults()
                  .withNeighbourWeight(neighbourWeight)
                  .withDateWeight(dateWeight))
          .build();
    }

    /**
     * What an ingest depends on: the file's bytes, the conversations, the embedder, the tenancy and
     * {@link LocomoEval#INGEST_VERSION} (bumped whenever what ingest stores changes).
     */
    private ObjectNode fingerprint(List<LocomoEval.Conversation> conversations, boolean perTenant)
        throws IOException {
      ObjectNode f = Json.object();
      f.put("ingest_version", LocomoEval.INGEST_VERSION);
      f.put("data_sha256", sha256(data));
      var ids = f.putArray("conversations");
      conversations.forEach(c -> ids.add(c.sampleId()));
      f.put("embedder", cli().embedderName());
      f.put("per_tenant", perTenant);
      return f;
    }

    private static JsonNode readManifest(Path manifest) throws IOException {
      try {
        JsonNode n = Json.MAPPER.readTree(Files.readString(manifest));
        if (n == null || !n.isObject()) {
          throw new InvalidRequestException("store_dir", manifest + " is not a JSON object");
        }
        return n;
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new InvalidRequestException("store_dir", manifest + " is not valid JSON");
      }
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
      if (!Files.isDirectory(dir)) {
        return false;
      }
      try (var entries = Files.list(dir)) {
        return entries.findAny().isEmpty();
      }
    }

    private static String sha256(Path file) throws IOException {
      try {
        return java.util.HexFormat.of()
            .formatHex(
                java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(file)));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is missing from this JDK", e);
      }
    }

    private static void printTable(PrintStream o, LocomoEval.Report r) {
      o.printf(
          Locale.ROOT,
          "LoCoMo retrieval: %d conversations, %d turns (%d memories), mode %s, embedder %s%n",
          r.conversations(),
          r.turns(),
          r.memories(),
          r.mode().name().toLowerCase(Locale.ROOT),
          r.embedder());
      StringBuilder head =
          new StringBuilder(String.format(Locale.ROOT, "%-22s %9s", "category", "questions"));
      for (int k : r.ks()) {
        head.append(String.format(Locale.ROOT, " %8s", "R@" + k));
      }
      for (int k : r.ks()) {
        head.append(String.format(Locale.ROOT, " %8s", "H@" + k));
      }
      o.println(head);
      for (Map.Entry<Integer, LocomoEval.Stats> e : r.byCategory().entrySet()) {
        if (LocomoEval.SCORED_CATEGORIES.contains(e.getKey())) {
          o.println(row(categoryName(e.getKey()), e.getValue(), r.ks()));
        }
      }
      o.println(row("overall (1-4)", r.overall(), r.ks()));
      LocomoEval.Stats adversarial = r.byCategory().get(5);
      if (adversarial != null) {
        o.println(row("5 adversarial (apart)", adversarial, r.ks()));
      }
      o.printf(
          Locale.ROOT,
          "skipped (no valid evidence, categories 1-4): %d questions%n",
          r.skippedQuestions());
      o.printf(
          Locale.ROOT, "ingest %.1f s, search p50 %.1f ms%n", r.ingestSeconds(), r.searchP50Ms());
    }

    private static String row(String label, LocomoEval.Stats s, List<Integer> ks) {
      StringBuilder b =
          new StringBuilder(String.format(Locale.ROOT, "%-22s %9d", label, s.questions()));
      for (int k : ks) {
        b.append(String.format(Locale.ROOT, " %8.3f", s.recall(k)));
      }
      for (int k : ks) {
        b.append(String.format(Locale.ROOT, " %8.3f", s.hit(k)));
      }
      return b.toString();
    }

    private static String categoryName(int c) {
      return switch (c) {
        case 1 -> "1 multi-hop";
        case 2 -> "2 temporal";
        case 3 -> "3 open-domain";
        case 4 -> "4 single-hop";
        default -> Integer.toString(c);
      };
    }
  }

  /** Parses {@code --split all|tune|confirm}. */
  static final class SplitConverter
      implements picocli.CommandLine.ITypeConverter<LocomoEval.Split> {
    @Override
    public LocomoEval.Split convert(String value) {
      try {
        return LocomoEval.Split.valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "expected all, tune or confirm but was '" + value + "'");
      }
    }
  }

  /** Progress bars on stderr for both phases. */
  static final class Bars implements LocomoEval.Listener {
    private final PrintStream err;
    private Progress bar = Progress.none();

    Bars(PrintStream err) {
      this.err = err;
    }

    @Override
    public void ingestStarted(int turns) {
      bar = new Progress(err, "ingest", turns);
    }

    @Override
    public void ingested(int n) {
      bar.advance(n);
    }

    @Override
    public void ingestDone() {
      bar.done();
    }

    @Override
    public void searchStarted(int questions) {
      bar = new Progress(err, "search", questions);
    }

    @Override
    public void searched() {
      bar.advance(1);
    }

    @Override
    public void searchDone() {
      bar.done();
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      deleteTree(dir);
    } catch (RuntimeException ignored) {
      // best effort while the JVM stops
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete temporary directory " + dir, e);
    }
  }
}
