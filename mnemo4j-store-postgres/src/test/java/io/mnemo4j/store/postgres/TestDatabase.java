package io.mnemo4j.store.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A throw-away database on the local PostgreSQL (127.0.0.1:5432, user postgres; override the server
 * with {@code -Dmnemo.pg.server=jdbc:postgresql://host:port/}). Each is named {@code
 * mnemo_test_<random>}, created through the {@code postgres} database and dropped with {@code WITH
 * (FORCE)}: tests touch nothing they did not create. As a JUnit extension it gives each test method
 * a fresh database, dropped after the test's own {@code @AfterEach} methods have closed everything.
 */
final class TestDatabase implements BeforeEachCallback, AfterEachCallback {
  static final String SERVER =
      System.getProperty("mnemo.pg.server", "jdbc:postgresql://127.0.0.1:5432/");

  private String name;

  /** The current database's name. */
  String name() {
    return name;
  }

  /** Options for the current database, with a small pool (tests open many stores). */
  PostgresOptions options() {
    return options(name);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    name = create();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (name != null) {
      drop(name);
      name = null;
    }
  }

  static PostgresOptions options(String database) {
    return PostgresOptions.of(SERVER + database).withUser("postgres").withPoolSize(4);
  }

  /**
   * Creates a database; fails, naming scripts/pgvector.sh, when the server is down or lacks
   * pgvector (the tests never skip).
   */
  static String create() {
    String name =
        "mnemo_test_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    try (Connection c = admin();
        Statement s = c.createStatement()) {
      try (ResultSet rs =
          s.executeQuery("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")) {
        if (!rs.next()) {
          throw new AssertionError(
              "PostgreSQL at " + SERVER + " has no pgvector: run scripts/pgvector.sh (as root)");
        }
      }
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new AssertionError(
          "cannot create a test database on "
              + SERVER
              + " (run scripts/pgvector.sh, which starts PostgreSQL and installs pgvector)",
          e);
    }
    return name;
  }

  static void drop(String name) {
    try (Connection c = admin();
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      throw new AssertionError("cannot drop the test database " + name, e);
    }
  }

  /** A superuser connection to {@code database}, auto-commit on. */
  static Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(SERVER + database, "postgres", "");
  }

  /** The first column of the first row {@code sql} answers in {@code database}, as text. */
  static String scalar(String database, String sql) throws SQLException {
    try (Connection c = connect(database);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      if (!rs.next()) {
        throw new AssertionError("no row for: " + sql);
      }
      return rs.getString(1);
    }
  }

  private static Connection admin() throws SQLException {
    return connect("postgres");
  }
}
