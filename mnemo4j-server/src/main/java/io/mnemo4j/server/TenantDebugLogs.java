package io.mnemo4j.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-tenant debug logging. Memory text, query text and model answers are logged only to the logger
 * {@code io.mnemo4j.tenant.<tenantId>} at DEBUG, and only for the tenants an operator names ({@link
 * ServerConfig#debugTenants()}): this switches those loggers to DEBUG while the server runs, and
 * back when it stops. With Logback (what {@code mnemo serve} ships) the server sets the levels
 * itself; with another slf4j backend it cannot, and warns at start when a named tenant's logger is
 * not at DEBUG in that backend's configuration. Thread-safe.
 */
final class TenantDebugLogs implements AutoCloseable {
  /** Prefix of the per-tenant loggers: the only loggers that may carry memory text. */
  static final String PREFIX = "io.mnemo4j.tenant.";

  private static final Logger LOG = LoggerFactory.getLogger(TenantDebugLogs.class);
  private static final String LOGBACK = "ch.qos.logback.classic.LoggerContext";

  private final List<AutoCloseable> restore;

  private TenantDebugLogs(List<AutoCloseable> restore) {
    this.restore = restore;
  }

  /** Switches debug logging on for {@code tenants}; {@link #close()} switches it back. */
  static TenantDebugLogs enable(Set<String> tenants) {
    List<AutoCloseable> restore = new ArrayList<>();
    if (tenants.isEmpty()) {
      return new TenantDebugLogs(restore);
    }
    // Logback's classes are only loaded when Logback is the backend: it is optional here.
    boolean logback = LoggerFactory.getILoggerFactory().getClass().getName().equals(LOGBACK);
    for (String tenant : tenants.stream().sorted().toList()) {
      String name = PREFIX + tenant;
      if (logback) {
        restore.add(LogbackLevels.debug(name));
        LOG.warn("debug logging is on for tenant {}: its memory text is logged", tenant);
      } else if (!LoggerFactory.getLogger(name).isDebugEnabled()) {
        LOG.warn(
            "debug logging was asked for tenant {}, but the logging backend is not Logback: set"
                + " logger {} to DEBUG in its configuration",
            tenant,
            name);
      }
    }
    return new TenantDebugLogs(restore);
  }

  /** Restores the levels the tenants' loggers had before. */
  @Override
  public void close() {
    for (AutoCloseable r : restore) {
      try {
        r.close();
      } catch (Exception e) {
        LOG.warn("could not restore a tenant logger's level: {}", e.getClass().getName());
      }
    }
  }
}
