package io.mnemo4j;

import java.util.function.Supplier;

/**
 * The one place memory text may be logged: a logger per tenant, {@code io.mnemo4j.tenant.<id>},
 * silent unless its level is set to DEBUG for that tenant (an operator switches it on to diagnose
 * one customer). Every other log line names ids, codes and counts only. Stateless, thread-safe.
 */
public final class TenantLog {
  /** The prefix of the per-tenant loggers; the tenant id follows it. */
  public static final String PREFIX = "io.mnemo4j.tenant.";

  private TenantLog() {}

  /** The name of {@code tenant}'s debug logger. */
  public static String loggerName(TenantId tenant) {
    return PREFIX + tenant.value();
  }

  /**
   * Logs {@code message} (which may hold memory text or model answers) at DEBUG to the tenant's own
   * logger; the supplier runs only when that logger is on.
   */
  public static void debug(TenantId tenant, Supplier<String> message) {
    System.Logger log = System.getLogger(loggerName(tenant));
    if (log.isLoggable(System.Logger.Level.DEBUG)) {
      log.log(System.Logger.Level.DEBUG, message.get());
    }
  }
}
