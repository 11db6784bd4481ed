package io.mnemo4j.cli;

import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Search;
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

    @Override
    public Integer call() throws IOException {
      if (limitConversations < 0) {
        throw new InvalidRequestException(
            "limit_conversations", "--limit-conversations must be >= 0");
      }
      if (!Files.isRegularFile(data)) {
        throw new InvalidRequestException("data", "no such file: " + data);
      }
      LocomoEval.Options options = new LocomoEval.Options(mode, ks, perTenant);
      MnemoCli.checkEmbedderName(cli().embedderName());
      List<LocomoEval.Conversation> conversations = LocomoEval.load(data);
      if (limitConversations > 0 && conversations.size() > limitConversations) {
        conversations = conversations.subList(0, limitConversations);
      }
      Path dir = Files.createTempDirectory("mnemo-eval-");
      // Ctrl-C must not leave the temporary store behind either.
      Thread cleanup = new Thread(() -> deleteQuietly(dir), "mnemo-eval-cleanup");
      Runtime.getRuntime().addShutdownHook(cleanup);
      LocomoEval.Report report;
      try {
        try (Mnemo mnemo =
            Mnemo.builder()
                .dataDir(dir)
                .embedder(LazyEmbedder.named(cli().embedderName()))
                .backend(EmbeddedBackend.create())
                .autoCreateTenants(false)
                .nearDuplicateThreshold(1.0)
                .build()) {
          report = LocomoEval.run(mnemo, conversations, options, new Bars(cli().err()));
        }
      } finally {
        Runtime.getRuntime().removeShutdownHook(cleanup);
        deleteTree(dir);
      }
      if (json()) {
        Json.print(out(), report.toJson());
      } else {
        printTable(out(), report);
      }
      return MnemoCli.OK;
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
