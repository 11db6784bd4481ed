package io.mnemo4j.spring.boot.autoconfigure;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/** Throwaway databases on the local PostgreSQL (127.0.0.1:5432, trust auth, user postgres). */
final class TestDatabases {
  static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";

  private TestDatabases() {}

  /** Creates a randomly named database and returns its name. */
  static String create() {
    String name =
        "mnemo_test_" + UUID.randomUUID().toString().replace("-", "").toLowerCase(Locale.ROOT);
    exec("CREATE DATABASE " + name);
    return name;
  }

  /** Drops the database, closing other sessions on it first. */
  static void drop(String name) {
    exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
            + name
            + "' AND pid <> pg_backend_pid()");
    exec("DROP DATABASE IF EXISTS " + name);
  }

  private static void exec(String sql) {
    try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", "");
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL at 127.0.0.1:5432: " + e.getMessage(), e);
    }
  }
}
