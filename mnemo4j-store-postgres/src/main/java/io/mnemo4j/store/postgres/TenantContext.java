package io.mnemo4j.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * One tenant's schema and how to reach it: the store (its pool and options), the schema's SQL, the
 * filter compiler for it and the roles a transaction switches to. Shared by the parts of a {@link
 * PostgresTenantStore}. Immutable and thread-safe.
 *
 * @param store the store whose pool every transaction uses
 * @param sql the tenant schema's statements
 * @param filters compiles filters to conditions on the schema's memories
 * @param tenantId the tenant, as {@code mnemo.tenant} holds it
 * @param role the row-level-security role reads and writes switch to
 * @param searchRole the role full-text search switches to (see {@link TenantSql#create})
 * @param lockFirst run before each transaction or one-trip read of the calling thread: sends the
 *     scope lock its guard holds but has not sent yet ({@link Guard}), so that nothing the thread
 *     does under a guard runs before its lock is held
 */
record TenantContext(
    PostgresStore store,
    TenantSql sql,
    SqlFilter filters,
    String tenantId,
    String role,
    String searchRole,
    Runnable lockFirst) {

  /**
   * The context of the tenant whose schema {@code sql} describes, in {@code store}; {@code
   * lockFirst} as the record's component.
   */
  static TenantContext of(PostgresStore store, TenantSql sql, Runnable lockFirst) {
    return new TenantContext(
        store,
        sql,
        new SqlFilter(sql.q),
        sql.tenant.value(),
        store.options().rlsRole(),
        store.options().searchRole(),
        lockFirst);
  }

  /** Refuses calls once the store, and with it the pool, is closed. */
  void ensureOpen() {
    store.ensureOpen();
  }

  /** Runs {@code work} in one transaction on a pooled connection, naming the tenant on failure. */
  <T extends @Nullable Object> T transaction(String what, Pg.Work<T> work) {
    ensureOpen();
    lockFirst.run();
    return Pg.inTransaction(store.pool(), what + " in tenant '" + tenantId + "'", work);
  }

  /** Runs a read in a transaction set for this tenant under the row-level-security role. */
  <T extends @Nullable Object> T read(String what, Pg.Work<T> work) {
    return transaction(
        what,
        c -> {
          Pg.enterTenant(c, tenantId, role);
          return work.run(c);
        });
  }

  /**
   * Runs {@code work} on a pooled connection in auto-commit mode ({@link Pg#inOneTrip}): each
   * statement text it sends is a transaction of its own, so each must carry the settings it runs
   * under, and no {@code BEGIN} or {@code COMMIT} round trip is made.
   */
  <T extends @Nullable Object> T inOneTrips(String what, Pg.Work<T> work) {
    ensureOpen();
    lockFirst.run();
    return Pg.inOneTrip(store.pool(), what + " in tenant '" + tenantId + "'", work);
  }

  /**
   * Runs one read as the tenant under the row-level-security role in one round trip: {@link
   * Pg#ENTER_TENANT} goes in front of {@code query} in one statement text, run in auto-commit mode
   * ({@link Pg#inOneTrip}), so the settings hold for the query and end with it. {@code query} may
   * itself be several statements; {@code read} reads the result set of the last one.
   *
   * @param statements how many statements {@code query} holds (each yields a result set)
   * @param customPlans whether the server plans the query for its values on every run ({@link
   *     Pg#ENTER_TENANT}), else it may keep a generic plan once the driver prepares the statement
   *     on the connection ({@link Pg#ENTER_TENANT_CACHED_PLANS})
   * @param bind binds the query's parameters from the index it is given; returns the next one
   */
  <T extends @Nullable Object> T readOnce(
      String what,
      String query,
      int statements,
      boolean customPlans,
      Statements.Binder bind,
      Statements.Reader<T> read) {
    String enter = customPlans ? Pg.ENTER_TENANT : Pg.ENTER_TENANT_CACHED_PLANS;
    return inOneTrips(
        what,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(enter + ";\n" + query)) {
            bind.bind(ps, Pg.bindEnterTenant(ps, 1, tenantId, role));
            return Statements.readLast(ps, statements + 1, read);
          }
        });
  }

  /** The dimension the tenant's models table records for {@code model}, if any. */
  OptionalInt recordedDimension(Connection c, String model) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT dimension FROM " + sql.models + " WHERE model = ?")) {
      ps.setString(1, model);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? OptionalInt.of(rs.getInt(1)) : OptionalInt.empty();
      }
    }
  }
}
