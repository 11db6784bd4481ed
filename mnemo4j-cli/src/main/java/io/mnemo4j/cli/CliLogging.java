package io.mnemo4j.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.mnemo4j.InvalidRequestException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The command's logging: Logback (configured by {@code logback.xml}, one format, UTC wall-clock
 * times, stderr), with {@code java.util.logging} bridged into it. Levels are set here: warnings
 * only for one-shot commands, INFO for {@code serve} (or the {@code logging.level} of the
 * configuration file), DEBUG for {@code io.mnemo4j} with {@code MNEMO_DEBUG=1}. None of them logs
 * memory text: only the loggers {@code io.mnemo4j.tenant.<id>} do, pinned to INFO unless the server
 * is told to debug that tenant. Not thread-safe: called from the main thread before work starts.
 */
final class CliLogging {
  /** Our own loggers: the core, stores, server and CLI. */
  static final String MNEMO = "io.mnemo4j";

  /** The server's access log: one line per request. */
  static final String ACCESS = "io.mnemo4j.server.access";

  private CliLogging() {}

  /** Bridges java.util.logging into slf4j and applies {@code MNEMO_DEBUG}. */
  static void init(boolean debug) {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
    if (debug) {
      logger(MNEMO).setLevel(Level.DEBUG);
    }
  }

  /**
   * The levels of {@code serve}: {@code io.mnemo4j} at {@code level} (default INFO; DEBUG when
   * {@code MNEMO_DEBUG=1}), the access log on unless {@code accessLog} is false.
   */
  static void serve(@Nullable String level, @Nullable Boolean accessLog, boolean debug) {
    Level l = debug ? Level.DEBUG : level == null ? Level.INFO : parse(level);
    logger(MNEMO).setLevel(l);
    if (Boolean.FALSE.equals(accessLog)) {
      logger(ACCESS).setLevel(Level.OFF);
    } else {
      logger(ACCESS).setLevel(Level.INFO);
    }
  }

  /** A level name of the configuration file: error, warn, info or debug. */
  static Level parse(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "error" -> Level.ERROR;
      case "warn", "warning" -> Level.WARN;
      case "info" -> Level.INFO;
      case "debug" -> Level.DEBUG;
      default ->
          throw new InvalidRequestException(
              "config.logging.level", "logging.level must be error, warn, info or debug");
    };
  }

  private static Logger logger(String name) {
    return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(name);
  }
}
