package io.mnemo4j.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.MnemoException;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.internal.store.TimeColumn;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Plumbing shared by the store and the catalog: pools, transactions, error translation and the
 * exact time encoding. Thread-safe (stateless).
 */
final class Pg {
  /** What to run when PostgreSQL lacks pgvector; named in every such error. */
  static final String PGVECTOR_SCRIPT = "scripts/pgvector.sh";

  private static final BigInteger NANOS_PER_SECOND = BigInteger.valueOf(1_000_000_000L);
  private static final AtomicInteger POOLS = new AtomicInteger();

  /** Times as exact epoch nanoseconds in {@code numeric} columns (see {@link #nanos}). */
  static final TimeColumn TIMES =
      new TimeColumn() {
        @Override
        public void set(PreparedStatement ps, int index, @Nullable Instant time)
            throws SQLException {
          ps.setBigDecimal(index, nanosOrNull(time));
        }

        @Override
        public @Nullable Instant getOrNull(ResultSet rs, int index) throws SQLException {
          return instantOrNull(rs, index);
        }
      };

  private Pg() {}

  /** A HikariCP pool for the options; transactions are explicit (auto-commit off). */
  static HikariDataSource pool(PostgresOptions options, String purpose, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(options.jdbcUrl());
    config.setUsername(options.user());
    if (options.password() != null) {
      config.setPassword(options.password().get());
    }
    config.setPoolName("mnemo-" + purpose + "-" + POOLS.incrementAndGet());
    config.setMaximumPoolSize(size);
    // Idle connections cost the server a process each: keep few, open more on demand.
    config.setMinimumIdle(Math.min(2, size));
    config.setIdleTimeout(60_000);
    config.setConnectionTimeout(options.connectTimeout().toMillis());
    config.setAutoCommit(false);
    // Server error details quote row values (keys, memory text): keep them out of exception
    // messages, which reach logs.
    config.addDataSourceProperty("logServerErrorDetail", "false");
    config.addDataSourceProperty("ApplicationName", "mnemo4j");
    try {
      return new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new StoreUnavailableException(
          "cannot connect to PostgreSQL at "
              + PostgresOptions.redactUrl(options.jdbcUrl())
              + " as "
              + options.user()
              + " (is it running? "
              + PGVECTOR_SCRIPT
              + " starts the local one)",
          e);
    }
  }

  /** Work inside a transaction. */
  @FunctionalInterface
  interface Work<T extends @Nullable Object> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} on a pooled connection in auto-commit mode, for one read sent as a single
   * statement text (its settings in front): the driver sends the statements with one Sync, and the
   * server runs everything up to a Sync in one implicit transaction, so settings made local with
   * {@code set_config(..., true)} hold for the statements after them and end with it. One round
   * trip, no {@code BEGIN} and no {@code COMMIT} (measured: 100 us against 190-280 us for the same
   * read as a transaction). SQL errors become {@link MnemoException}s naming {@code what}.
   */
  static <T extends @Nullable Object> T inOneTrip(DataSource pool, String what, Work<T> work) {
    try (Connection c = pool.getConnection()) {
      // The pool sets auto-commit back to its own (off) when the connection returns to it.
      c.setAutoCommit(true);
      return work.run(c);
    } catch (SQLException e) {
      throw translate(what, e);
    }
  }

  /**
   * Runs {@code work} in one transaction on a pooled connection: commits if it returns, rolls back
   * if it throws. SQL errors become {@link MnemoException}s naming {@code what}.
   */
  static <T extends @Nullable Object> T inTransaction(DataSource pool, String what, Work<T> work) {
    try (Connection c = pool.getConnection()) {
      return inTransaction(c, what, work);
    } catch (SQLException e) {
      throw translate(what, e);
    }
  }

  /** Runs {@code work} on {@code c} and commits, or rolls back and rethrows. */
  static <T extends @Nullable Object> T inTransaction(Connection c, String what, Work<T> work) {
    try {
      T result = work.run(c);
      c.commit();
      return result;
    } catch (SQLException e) {
      rollbackQuietly(c, e);
      throw translate(what, e);
    } catch (RuntimeException e) {
      rollbackQuietly(c, e);
      throw e;
    }
  }

  static void rollbackQuietly(Connection c, @Nullable Throwable failure) {
    try {
      c.rollback();
    } catch (SQLException suppressed) {
      if (failure != null) {
        failure.addSuppressed(suppressed);
      }
    }
  }

  /**
   * An exception for a failed SQL call. Data errors (SQLSTATE class 22: a NUL character, a value
   * out of range) are the request's fault; everything else is the store's, and retriable.
   */
  static MnemoException translate(String what, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.startsWith("22")) {
      return new InvalidRequestException(
          "request",
          what + ": PostgreSQL cannot store or compare a value (SQLSTATE " + state + ")");
    }
    return new StoreUnavailableException(
        what + " failed in PostgreSQL (SQLSTATE " + (state.isEmpty() ? "unknown" : state) + ")", e);
  }

  /** Whether {@code e} (or an exception chained to it) violated the named unique constraint. */
  static boolean violates(SQLException e, String constraint) {
    for (Throwable t = e; t != null; t = next(t)) {
      if (t instanceof PSQLException p && "23505".equals(p.getSQLState())) {
        ServerErrorMessage server = p.getServerErrorMessage();
        if (server == null || constraint == null || constraint.equals(server.getConstraint())) {
          return true;
        }
      }
    }
    return false;
  }

  private static @Nullable Throwable next(Throwable t) {
    if (t instanceof SQLException s && s.getNextException() != null) {
      return s.getNextException();
    }
    return t.getCause() == t ? null : t.getCause();
  }

  /** Runs one statement without results. */
  static void exec(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.execute();
    }
  }

  /** Sets the transaction's tenant (for row-level security and column defaults). */
  static void setTenant(Connection c, String tenant) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT set_config('mnemo.tenant', ?, true)")) {
      ps.setString(1, tenant);
      ps.executeQuery().close();
    }
  }

  /**
   * Sets the transaction's tenant, switches it to the row-level-security role and asks for custom
   * plans, in one round trip. {@code set_config('role', ...)} is {@code SET LOCAL ROLE}, with the
   * same membership check.
   */
  static void enterTenant(Connection c, String tenant, String role) throws SQLException {
    // Custom plans: the driver prepares a statement on the server after a few runs, and a generic
    // plan would cast the bound query vector once per row (measured 148 ms against 20 ms on 5,000
    // rows). Planning our small queries each time is cheap.
    try (PreparedStatement ps = c.prepareStatement(ENTER_TENANT)) {
      bindEnterTenant(ps, 1, tenant, role);
      ps.executeQuery().close();
    }
  }

  /** {@link #enterTenant}'s statement, for a caller sending it with others in one round trip. */
  static final String ENTER_TENANT =
      "SELECT set_config('mnemo.tenant', ?, true), set_config('role', ?, true),"
          + " set_config('plan_cache_mode', 'force_custom_plan', true)";

  /**
   * {@link #ENTER_TENANT} keeping the session's plan cache mode: for a statement whose generic plan
   * is as good as a custom one (ids and scopes to look up, no vector or filter values to plan for),
   * which the server then stops planning on every run once the driver has prepared it on the
   * connection (measured: the neighbour lookup spent 0.35 ms of its 0.63 ms planning). Binds the
   * same two parameters.
   */
  static final String ENTER_TENANT_CACHED_PLANS =
      "SELECT set_config('mnemo.tenant', ?, true), set_config('role', ?, true)";

  /** Binds {@link #ENTER_TENANT}'s two parameters from {@code from} on; returns the next index. */
  static int bindEnterTenant(PreparedStatement ps, int from, String tenant, String role)
      throws SQLException {
    ps.setString(from, tenant);
    ps.setString(from + 1, role);
    return from + 2;
  }

  /** Switches the transaction to the row-level-security role. */
  static void setRole(Connection c, String role) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT set_config('role', ?, true)")) {
      ps.setString(1, role);
      ps.executeQuery().close();
    }
  }

  /**
   * The planner's row estimate of {@code table} ({@code pg_class.reltuples}): free to read, -1 when
   * the table was never analysed.
   */
  static long estimatedRows(Connection c, String table) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT reltuples FROM pg_class WHERE oid = ?::regclass")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? (long) rs.getFloat(1) : -1;
      }
    }
  }

  /**
   * Takes transaction-level advisory locks on {@code keys}, in their order, and enters the tenant
   * as {@link #enterTenant} does, as a statement to send in front of another (one round trip for
   * both): what a scope guard's transaction needs before its reads and its write.
   */
  static Ahead lockAndEnter(List<Long> keys, String tenant, String role) {
    List<Long> locks = List.copyOf(keys);
    if (locks.isEmpty()) {
      throw new IllegalArgumentException("no lock to take");
    }
    // One statement per further key: a select list's order of evaluation is not promised.
    String text =
        "SELECT pg_advisory_xact_lock(?), set_config('mnemo.tenant', ?, true),"
            + " set_config('role', ?, true),"
            + " set_config('plan_cache_mode', 'force_custom_plan', true)"
            + ";\nSELECT pg_advisory_xact_lock(?)".repeat(locks.size() - 1);
    return new Ahead() {
      @Override
      public String sql() {
        return text;
      }

      @Override
      public int bind(PreparedStatement ps, int from) throws SQLException {
        ps.setLong(from, locks.get(0));
        ps.setString(from + 1, tenant);
        ps.setString(from + 2, role);
        for (int i = 1; i < locks.size(); i++) {
          ps.setLong(from + 2 + i, locks.get(i));
        }
        return from + 2 + locks.size();
      }

      @Override
      public void read(ResultSet rs) {
        // the locks are held once the statement answered: nothing to read
      }

      @Override
      public void readFrom(PreparedStatement ps) throws SQLException {
        for (int i = 0; i < locks.size(); i++) {
          ps.getResultSet().close();
          ps.getMoreResults();
        }
      }
    };
  }

  /** Takes a transaction-level advisory lock, released at commit or rollback. */
  static void advisoryLock(Connection c, long key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
      ps.setLong(1, key);
      ps.executeQuery().close();
    }
  }

  /**
   * An instant as exact epoch nanoseconds: {@code timestamptz} keeps microseconds only, and filters
   * compare times to the nanosecond (as {@link io.mnemo4j.filter.FilterEvaluator} does).
   */
  static BigDecimal nanos(Instant t) {
    return new BigDecimal(
        BigInteger.valueOf(t.getEpochSecond())
            .multiply(NANOS_PER_SECOND)
            .add(BigInteger.valueOf(t.getNano())));
  }

  static @Nullable BigDecimal nanosOrNull(@Nullable Instant t) {
    return t == null ? null : nanos(t);
  }

  /** The instant of epoch nanoseconds written by {@link #nanos}. */
  static Instant instant(BigDecimal nanos) {
    BigInteger[] parts = nanos.toBigIntegerExact().divideAndRemainder(NANOS_PER_SECOND);
    long seconds = parts[0].longValueExact();
    long rest = parts[1].longValueExact();
    if (rest < 0) {
      seconds--;
      rest += 1_000_000_000L;
    }
    return Instant.ofEpochSecond(seconds, rest);
  }

  static @Nullable Instant instantOrNull(ResultSet rs, int column) throws SQLException {
    BigDecimal value = rs.getBigDecimal(column);
    return value == null ? null : instant(value);
  }
}
