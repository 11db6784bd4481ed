package io.mnemo4j.store.embedded;

import io.mnemo4j.InvalidRequestException;
import java.util.Locale;

/**
 * What an acknowledged write of the embedded store survives. {@link #FULL} is the default and the
 * only setting under which "acknowledged" means "on disk"; {@link #PROCESS} is the documented trade
 * of durability for the latency of one fsync per commit.
 */
public enum Durability {
  /**
   * Every commit fsyncs SQLite's write-ahead log before the write returns (SQLite {@code
   * synchronous=FULL}): an acknowledged write survives a killed process, an operating-system crash
   * and a power loss.
   */
  FULL,
  /**
   * A commit is handed to the operating system but not fsynced (SQLite {@code synchronous=NORMAL}
   * in WAL mode; the log is fsynced at checkpoints): an acknowledged write survives a killed
   * process, but an operating-system crash or a power loss can take the last acknowledged writes
   * (never a half-written one: the database stays consistent).
   */
  PROCESS;

  /** The setting's name in configuration files and flags: {@code full} or {@code process}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code full} or {@code process} (any case); anything else is an {@link
   * InvalidRequestException} naming {@code field}.
   *
   * @param value the configured value
   * @param field the configuration key or flag the value came from, for the error
   * @return the durability
   */
  public static Durability parse(String value, String field) {
    for (Durability d : values()) {
      if (d.wireName().equals(value.strip().toLowerCase(Locale.ROOT))) {
        return d;
      }
    }
    throw new InvalidRequestException(
        field, field + " must be full or process, got '" + value + "'");
  }
}
