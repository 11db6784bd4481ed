package io.mnemo4j.cli;

import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Mnemo;
import io.mnemo4j.MnemoException;
import io.mnemo4j.NotFoundException;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.embed.onnx.OnnxEmbedder;
import io.mnemo4j.store.embedded.Durability;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code mnemo} command: the root of the picocli command tree, holder of the global options and
 * of the streams every subcommand writes to. Exit codes: 0 success, 2 bad input (usage errors and
 * {@link InvalidRequestException}), 1 any other failure (not found included). Not thread-safe: one
 * instance per invocation.
 */
@Command(
    name = "mnemo",
    scope = ScopeType.INHERIT, // subcommands inherit --help and --version
    mixinStandardHelpOptions = true,
    version = "mnemo 0.1.0-SNAPSHOT",
    description =
        "Long-term, tenant-isolated memory on the command line (embedded store, local embedder).",
    subcommands = {
      TenantsCommand.class,
      AddCommand.class,
      ExportCommand.class,
      ImportCommand.class,
      SearchCommand.class,
      GetCommand.class,
      DeleteCommand.class,
      DeleteAllCommand.class,
      EraseCommand.class,
      ReembedCommand.class,
      HistoryCommand.class,
      ListCommand.class,
      EvalCommand.class,
      DemoCommand.class,
      ServeCommand.class,
      AdminCommand.class,
      McpCommand.class,
      CommandLine.HelpCommand.class
    })
public final class MnemoCli implements Runnable {
  /** Exit code of a successful command. */
  static final int OK = 0;

  /** Exit code of any failure that is not bad input (not found, store or model errors). */
  static final int FAILURE = 1;

  /** Exit code of bad input: unknown flags, invalid values, invalid requests. */
  static final int BAD_INPUT = 2;

  static final String DEFAULT_EMBEDDER = "bge-small-en-v1.5-q";
  static final Path DEFAULT_DATA_DIR = Path.of("mnemo-data");

  private final InputStream in;
  private final PrintStream out;
  private final PrintStream err;

  @CommandLine.Spec private CommandLine.Model.CommandSpec spec;

  private @Nullable Path dataDir;
  private @Nullable String embedderName;
  private @Nullable Double nearDuplicateThreshold;
  private @Nullable String durability;
  private @Nullable Path configPath;
  private @Nullable ConfigFile config;
  private boolean json;

  MnemoCli(InputStream in, PrintStream out, PrintStream err) {
    this.in = in;
    this.out = out;
    this.err = err;
  }

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      description = "Data directory (default: ./mnemo-data).")
  void setDataDir(Path dir) {
    this.dataDir = dir;
  }

  @Option(
      names = "--config",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description =
          "YAML configuration file (see docs/configuration.md); flags on the command line win"
              + " over it.")
  void setConfig(Path file) {
    this.configPath = file;
    this.config = null;
  }

  @Option(
      names = "--embedder",
      paramLabel = "NAME",
      scope = ScopeType.INHERIT,
      description = "Embedding model (default: " + DEFAULT_EMBEDDER + ").")
  void setEmbedder(String name) {
    this.embedderName = name;
  }

  @Option(
      names = "--near-duplicate-threshold",
      paramLabel = "X",
      scope = ScopeType.INHERIT,
      description =
          "Near-duplicate threshold of verbatim adds, in (0, 1]: a message is not stored again"
              + " when a memory of its scope is this similar and says the same thing; 1.0 stores"
              + " everything but exact duplicates (default: 0.97).")
  void setNearDuplicateThreshold(double t) {
    this.nearDuplicateThreshold = t;
  }

  @Option(
      names = "--durability",
      paramLabel = "MODE",
      scope = ScopeType.INHERIT,
      description =
          "What an acknowledged write to an embedded region survives: full (default; fsync per"
              + " commit, survives a power loss) or process (survives a killed process only, not"
              + " a power loss or OS crash).")
  void setDurability(String mode) {
    this.durability = mode;
  }

  @Option(
      names = "--json",
      scope = ScopeType.INHERIT,
      description = "Print exactly one JSON object on stdout.")
  void setJson(boolean on) {
    this.json = on;
  }

  /** Runs the command line and exits the JVM with its exit code. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs the command line with the given streams (standard input is {@link System#in}); returns the
   * exit code.
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, System.in, out, err);
  }

  static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    quietLogging();
    MnemoCli root = new MnemoCli(in, out, err);
    CommandLine cl = new CommandLine(root);
    PrintWriter outWriter = new PrintWriter(new OutputStreamWriter(out, out.charset()), true);
    PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err, err.charset()), true);
    cl.setOut(outWriter);
    cl.setErr(errWriter);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler(MnemoCli::usageError);
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> root.failure(e));
    try {
      return cl.execute(args);
    } finally {
      outWriter.flush();
      errWriter.flush();
      out.flush();
      err.flush();
    }
  }

  @Override
  public void run() {
    // `mnemo` with no subcommand: show the usage on stderr and fail as bad input.
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  // ---- shared by the subcommands ----

  PrintStream out() {
    return out;
  }

  PrintStream err() {
    return err;
  }

  InputStream in() {
    return in;
  }

  boolean json() {
    return json;
  }

  /**
   * The configuration file's settings (empty without {@code --config}); read once, on first use.
   */
  ConfigFile config() {
    if (config == null) {
      config = configPath == null ? ConfigFile.empty() : ConfigFile.read(configPath);
    }
    return config;
  }

  Path dataDir() {
    if (dataDir != null) {
      return dataDir;
    }
    String fromFile = config().dataDir();
    return fromFile != null ? Path.of(fromFile) : DEFAULT_DATA_DIR;
  }

  String embedderName() {
    if (embedderName != null) {
      return embedderName;
    }
    String fromFile = config().embedder();
    if (fromFile != null) {
      checkEmbedderName(fromFile);
      return fromFile;
    }
    return DEFAULT_EMBEDDER;
  }

  /**
   * The settings every command's {@link Mnemo} shares: the near-duplicate threshold from the flag,
   * else the configuration file, else the library default.
   */
  Mnemo.Builder common(Mnemo.Builder builder) {
    Double t =
        nearDuplicateThreshold != null ? nearDuplicateThreshold : config().nearDuplicateThreshold();
    if (t != null) {
      String field =
          nearDuplicateThreshold != null
              ? "near-duplicate-threshold"
              : "config.near_duplicate_threshold";
      if (!(t > 0 && t <= 1)) {
        throw new InvalidRequestException(
            field, field + " must be within (0, 1] (1.0: exact duplicates only), got " + t);
      }
      builder.nearDuplicateThreshold(t);
    }
    return builder;
  }

  /**
   * Opens the data directory. Tenants are never created implicitly: a mistyped tenant id must fail,
   * not start an empty tenant. {@code extraRegions} are regions a {@code tenants create} may pin a
   * tenant to.
   */
  Mnemo openMnemo(String... extraRegions) {
    return openMnemo(LazyEmbedder.named(embedderName()), extraRegions);
  }

  /** Opens the data directory with the model {@code embedder} (see {@link #openMnemo}). */
  Mnemo openMnemo(LazyEmbedder embedder, String... extraRegions) {
    ConfiguredBackend backend = backend();
    Mnemo.Builder builder =
        Mnemo.builder()
            .dataDir(dataDir())
            .embedder(embedder)
            .backend(backend)
            .defaultRegion(backend.defaultRegion())
            .regions(backend.regions().isEmpty() ? extraRegions : new String[0])
            .autoCreateTenants(false)
            // A one-shot command must not resume other work or start a sweeper.
            .resumeQueuedAdds(false)
            .expirySweep(java.time.Duration.ZERO, java.time.Duration.ZERO);
    return InferenceConfig.apply(common(builder), config(), System::getenv).build();
  }

  /** The storage the configuration describes (the embedded default without regions). */
  ConfiguredBackend backend() {
    return ConfiguredBackend.from(config(), dataDir(), durability());
  }

  /** The durability of embedded regions: the flag, else the configuration file, else full. */
  Durability durability() {
    if (durability != null) {
      return Durability.parse(durability, "durability");
    }
    String fromFile = config().durability();
    return fromFile != null ? Durability.parse(fromFile, "config.durability") : Durability.FULL;
  }

  /** The tenant's memory, or a not-found error that says how to create it. */
  static TenantMemory tenant(Mnemo mnemo, String tenantId) {
    try {
      return mnemo.existingTenant(tenantId);
    } catch (NotFoundException e) {
      throw new NotFoundException(
          "tenant " + tenantId + " not found; create it with: mnemo tenants create " + tenantId);
    }
  }

  /** Validates an embedder name early, so a typo fails before anything is opened. */
  static void checkEmbedderName(String name) {
    if (!OnnxEmbedder.names().contains(name)) {
      throw new InvalidRequestException(
          "embedder",
          "unknown embedder '"
              + name
              + "'; known embedders: "
              + String.join(", ", OnnxEmbedder.names()));
    }
  }

  // ---- errors ----

  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    PrintWriter w = cl.getErr();
    w.println("error: " + e.getMessage());
    if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, w)) {
      w.println("try: " + cl.getCommandSpec().qualifiedName() + " --help");
    }
    w.flush();
    return BAD_INPUT;
  }

  private int failure(Exception e) {
    Throwable t = e;
    int code;
    String message;
    if (t instanceof InvalidRequestException ire) {
      code = BAD_INPUT;
      message = ire.getMessage() + " (field: " + ire.field() + ")";
    } else if (t instanceof UsageException ue) {
      code = BAD_INPUT;
      message = ue.getMessage();
    } else if (t instanceof StoreUnavailableException su) {
      code = FAILURE;
      message = su.getMessage() + heldByServer();
    } else if (t instanceof MnemoException me) {
      code = FAILURE;
      message = me.getMessage();
    } else {
      code = FAILURE;
      message =
          t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
    err.println("error: " + message);
    if (debug()) {
      t.printStackTrace(err);
    } else if (code == FAILURE && !(t instanceof MnemoException)) {
      err.println("(set MNEMO_DEBUG=1 for the stack trace)");
    }
    err.flush();
    return code;
  }

  /**
   * When a running {@code mnemo serve} holds this data dir (its tenants are open there), what to do
   * about it; else nothing.
   */
  private String heldByServer() {
    Path dir;
    try {
      dir = dataDir();
    } catch (RuntimeException e) {
      return "";
    }
    return ServeLock.holder(dir)
        .map(
            who ->
                "\nthe data dir "
                    + dir.toAbsolutePath()
                    + " is held by "
                    + who
                    + ": use its REST API (see /openapi.json), or stop the server and run this"
                    + " command again")
        .orElse("");
  }

  static boolean debug() {
    return "1".equals(System.getenv("MNEMO_DEBUG"));
  }

  private static void quietLogging() {
    // Logback's logback.xml keeps one-shot commands at warnings; java.util.logging (Lucene, the
    // PostgreSQL driver) is bridged into it so that everything shares one format.
    CliLogging.init(debug());
  }

  /** A bad combination of flags found after parsing: reported like a usage error, exit code 2. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
