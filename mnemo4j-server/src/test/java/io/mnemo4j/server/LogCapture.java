package io.mnemo4j.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Captures every log event of this JVM (rendered as the real format renders it, stack traces
 * included) while open, and can turn loggers up for that time; closing restores the levels.
 * Thread-safe.
 */
final class LogCapture implements AutoCloseable {
  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
  private final PatternLayout layout = new PatternLayout();
  private final List<String> lines = new ArrayList<>();
  private final Map<Logger, Level> previous = new HashMap<>();
  private final AppenderBase<ILoggingEvent> appender =
      new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
          String line = layout.doLayout(event);
          synchronized (lines) {
            lines.add(line);
          }
        }
      };

  LogCapture() {
    layout.setContext(context);
    layout.setPattern("%level %logger - %msg%n%ex");
    layout.start();
    appender.setContext(context);
    appender.setName("capture");
    appender.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
  }

  /** Sets {@code logger} to {@code level} until {@link #close()}. */
  LogCapture level(String logger, Level level) {
    Logger l = context.getLogger(logger);
    previous.putIfAbsent(l, l.getLevel());
    l.setLevel(level);
    return this;
  }

  /** Every line captured so far. */
  List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** Everything captured so far, as one text. */
  String text() {
    return String.join("", lines());
  }

  @Override
  public void close() {
    context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
    appender.stop();
    previous.forEach(Logger::setLevel);
  }
}
