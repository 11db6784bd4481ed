package io.mnemo4j.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/**
 * Sets Logback logger levels. Referenced only after checking that Logback is the slf4j backend, so
 * the server runs without Logback on the class path. Thread-safe (Logback's levels are).
 */
final class LogbackLevels {
  private LogbackLevels() {}

  /** Sets {@code name} to DEBUG; the returned handle restores its previous level. */
  static AutoCloseable debug(String name) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger logger = context.getLogger(name);
    Level previous = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    return () -> logger.setLevel(previous);
  }
}
