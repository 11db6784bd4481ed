package io.mnemo4j.store.postgres;

import io.mnemo4j.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Prepares a database for tenant schemas, idempotently and safely from several processes at once
 * (an advisory lock serialises them): pgvector, the row-level-security role, the tenant registry.
 * Thread-safe (stateless).
 */
final class Bootstrap {
  /** Iterative HNSW scans, which pre-filtered search relies on, arrived in pgvector 0.8.0. */
  static final int[] MIN_PGVECTOR = {0, 8, 0};

  private Bootstrap() {}

  static void prepare(DataSource pool, PostgresOptions options) {
    Pg.inTransaction(
        pool,
        "prepare the database",
        c -> {
          Pg.advisoryLock(c, Names.lockKey("bootstrap"));
          ensurePgvector(c);
          ensureRole(c, options.rlsRole());
          ensureRole(c, options.searchRole());
          requireIcu(c);
          Pg.exec(c, "CREATE SCHEMA IF NOT EXISTS " + Names.REGISTRY_SCHEMA);
          // Ids only, never memory text: which schema holds which tenant of which store prefix.
          Pg.exec(
              c,
              "CREATE TABLE IF NOT EXISTS "
                  + Names.REGISTRY_SCHEMA
                  + ".tenants (schema_prefix text NOT NULL, tenant_id text NOT NULL,"
                  + " schema_name text NOT NULL UNIQUE, schema_version integer NOT NULL,"
                  + " created_at timestamptz NOT NULL DEFAULT now(),"
                  + " PRIMARY KEY (schema_prefix, tenant_id))");
          return null;
        });
  }

  private static void ensurePgvector(Connection c) throws SQLException {
    if (!available(c)) {
      throw new StoreUnavailableException(
          "PostgreSQL has no pgvector extension: install it with "
              + Pg.PGVECTOR_SCRIPT
              + " (as root; it builds pgvector 0.8 for PostgreSQL 15), or ask the DBA for"
              + " pgvector 0.8 or newer");
    }
    Pg.exec(c, "CREATE EXTENSION IF NOT EXISTS vector");
    String version;
    try (PreparedStatement ps =
            c.prepareStatement("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      version = rs.getString(1);
    }
    if (!atLeast(version, MIN_PGVECTOR)) {
      throw new StoreUnavailableException(
          "pgvector "
              + version
              + " is installed in this database; mnemo4j needs 0.8.0 or newer for iterative"
              + " index scans (ALTER EXTENSION vector UPDATE after installing it with "
              + Pg.PGVECTOR_SCRIPT
              + ")");
    }
  }

  private static boolean available(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'");
        ResultSet rs = ps.executeQuery()) {
      return rs.next();
    }
  }

  /** Whether a dotted version is at least {@code minimum}. */
  static boolean atLeast(String version, int[] minimum) {
    String[] parts = version.split("[^0-9]+", -1);
    for (int i = 0; i < minimum.length; i++) {
      int part = i < parts.length && !parts[i].isEmpty() ? Integer.parseInt(parts[i]) : 0;
      if (part != minimum[i]) {
        return part > minimum[i];
      }
    }
    return true;
  }

  /**
   * Creates the NOLOGIN role every tenant transaction switches to, refuses one that would bypass
   * row-level security, and makes the connecting user a member (superusers already may SET ROLE).
   * Roles are cluster-wide, so a concurrent creation from another database is tolerated.
   */
  private static void ensureRole(Connection c, String role) throws SQLException {
    String quoted = Names.quote(role);
    Pg.exec(
        c,
        "DO $$ BEGIN CREATE ROLE "
            + quoted
            + " NOLOGIN NOINHERIT; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;"
            + " END $$");
    try (PreparedStatement ps =
        c.prepareStatement("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = ?")) {
      ps.setString(1, role);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new StoreUnavailableException("role " + role + " could not be created");
        }
        if (rs.getBoolean(1) || rs.getBoolean(2)) {
          throw new StoreUnavailableException(
              "role "
                  + role
                  + " is a superuser or has BYPASSRLS, so row-level security would not apply;"
                  + " choose another rlsRole");
        }
      }
    }
    boolean member;
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT rolsuper OR pg_has_role(current_user, ?, 'MEMBER') FROM pg_roles"
                    + " WHERE rolname = current_user");
        ResultSet rs = setAndQuery(ps, role)) {
      member = rs.next() && rs.getBoolean(1);
    }
    if (!member) {
      Pg.exec(c, "GRANT " + quoted + " TO CURRENT_USER");
    }
  }

  private static ResultSet setAndQuery(PreparedStatement ps, String value) throws SQLException {
    ps.setString(1, value);
    return ps.executeQuery();
  }

  /** icontains lower-cases with ICU's root locale; a server built without ICU cannot do that. */
  private static void requireIcu(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT 1 FROM pg_collation WHERE collname = '" + SqlFilter.ICU_COLLATION + "'");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        throw new StoreUnavailableException(
            "PostgreSQL has no ICU collation "
                + SqlFilter.ICU_COLLATION
                + " (a server built without ICU); icontains filters need it");
      }
    }
  }
}
