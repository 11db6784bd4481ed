package io.mnemo4j.store.postgres;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Empties the pending list of a tenant's full-text index in the background after writes.
 *
 * <p>The GIN index of {@code memory_text} queues new rows' lexemes in a short unsorted list ({@code
 * fastupdate}, at most {@link TenantSql#TEXT_PENDING_LIST_KB} kB) instead of inserting each row's
 * 30 to 80 entries into the index tree inside the writer's transaction: an add of 10 memories spent
 * about 1.5 ms of its server time there. Every full-text pass reads the list next to the tree, so
 * its results are the same, and reading it costs a pass time in proportion to its length. Moving
 * the list into the tree in one sorted batch ({@code gin_clean_pending_list}) right after each
 * committed write, off the writer's path, keeps it near empty for searches; a writer that finds the
 * list at its limit moves it itself, which bounds what a search reads when these flushes fall
 * behind or fail. Thread-safe.
 */
final class TextIndexFlush {
  private static final System.Logger LOG = System.getLogger(TextIndexFlush.class.getName());

  /** No flush runs. */
  private static final int IDLE = 0;

  /** A flush runs, and no write committed since it started. */
  private static final int RUNNING = 1;

  /** A flush runs, and writes committed since it started: it runs once more when done. */
  private static final int AGAIN = 2;

  private final TenantContext tenant;
  private final AtomicInteger state = new AtomicInteger(IDLE);

  TextIndexFlush(TenantContext tenant) {
    this.tenant = tenant;
  }

  /**
   * Asks for a flush after a committed write that put memories. At most one flush per tenant runs
   * at a time; writes committed while it runs are flushed by one more run after it.
   */
  void written() {
    if (state.getAndUpdate(s -> s == IDLE ? RUNNING : AGAIN) == IDLE) {
      tenant.store().background(this::run);
    }
  }

  private void run() {
    do {
      state.set(RUNNING); // what committed from here on needs another run
      flushOnce();
    } while (!state.compareAndSet(RUNNING, IDLE));
  }

  /**
   * One {@code gin_clean_pending_list}, as the schema owner (the function requires the index's
   * owner) in a transaction of its own. Waits for a store-wide permit, so flushes of many tenants
   * take few connections from the pool at once, and does nothing once the store is closing. {@code
   * to_regclass} makes a purged tenant's flush a no-op. A failure leaves the entries in the list,
   * where searches still find them, and logs a warning: the message is PostgreSQL's about the
   * index, never memory text.
   */
  private void flushOnce() {
    try {
      tenant
          .store()
          .withBackgroundPermit(
              () ->
                  Pg.inTransaction(
                      tenant.store().pool(),
                      "flush the text index of tenant '" + tenant.tenantId() + "'",
                      c -> {
                        try (PreparedStatement ps =
                            c.prepareStatement("SELECT gin_clean_pending_list(to_regclass(?))")) {
                          ps.setString(1, tenant.sql().textIndex());
                          ps.execute();
                        }
                        return null;
                      }));
    } catch (RuntimeException e) {
      if (!tenant.store().isOpen() || dropped(e)) {
        return; // the store closed, or the tenant was purged, while the flush ran
      }
      LOG.log(
          System.Logger.Level.WARNING,
          "tenant {0}: moving new text-index entries into the index failed; searches still find"
              + " them, a later write retries: {1}",
          tenant.tenantId(),
          e.toString());
    }
  }

  /** Whether {@code e} says the index went away between naming it and opening it. */
  private static boolean dropped(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s
          && ("42P01".equals(s.getSQLState()) || "XX000".equals(s.getSQLState()))) {
        return true;
      }
    }
    return false;
  }
}
