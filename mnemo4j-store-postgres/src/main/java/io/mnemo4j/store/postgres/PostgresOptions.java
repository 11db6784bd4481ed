package io.mnemo4j.store.postgres;

import io.mnemo4j.InvalidRequestException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * How to reach one PostgreSQL database and lay tenants out in it. Immutable and thread-safe; each
 * setting is validated where it is set, and {@link #toString()} never shows the password.
 *
 * <p>The password is never a literal in configuration: it comes from a supplier, typically {@link
 * #withPasswordFromEnv} or {@link #withPasswordFromFile}, asked once per opened pool.
 *
 * @param jdbcUrl {@code jdbc:postgresql://host:port/database}
 * @param user the role to connect as (default: the URL's {@code user} parameter, else {@code
 *     postgres}); it owns the tenant schemas it creates
 * @param password supplies the password, or null for trust/peer authentication
 * @param poolSize most connections in the pool (default 8, 2 to 1000)
 * @param schemaPrefix tenant schemas are named prefix + tenant id (default {@code mnemo_t_})
 * @param rlsRole the NOLOGIN role without BYPASSRLS that every tenant transaction switches to
 *     (default {@code mnemo_rls}); text searches use a second one, its name + {@code _search}
 * @param connectTimeout how long to wait for a pooled connection (default 10 s)
 */
public record PostgresOptions(
    String jdbcUrl,
    String user,
    @Nullable Supplier<String> password,
    int poolSize,
    String schemaPrefix,
    String rlsRole,
    Duration connectTimeout) {
  /** The default prefix of tenant schema names. */
  public static final String DEFAULT_SCHEMA_PREFIX = "mnemo_t_";

  /** The default row-level-security role. */
  public static final String DEFAULT_RLS_ROLE = "mnemo_rls";

  /** The default pool size. */
  public static final int DEFAULT_POOL_SIZE = 8;

  /** Longest schema prefix, so that a shortened tenant schema name keeps room for the id. */
  static final int MAX_PREFIX_LENGTH = 40;

  private static final Pattern URL = Pattern.compile("jdbc:postgresql:.+");
  private static final Pattern URL_USER = Pattern.compile("[?&]user=([^&]+)");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");

  /** Validates every setting, naming it and its value in the message. */
  public PostgresOptions {
    if (jdbcUrl == null || !URL.matcher(jdbcUrl).matches()) {
      throw new InvalidRequestException(
          "jdbcUrl", "jdbcUrl must start with jdbc:postgresql:, got " + redactUrl(jdbcUrl));
    }
    if (user == null || user.isBlank()) {
      throw new InvalidRequestException("user", "user must not be blank");
    }
    if (poolSize < 2 || poolSize > 1000) {
      throw new InvalidRequestException("poolSize", "poolSize must be 2 to 1000, got " + poolSize);
    }
    if (schemaPrefix == null
        || schemaPrefix.isEmpty()
        || schemaPrefix.length() > MAX_PREFIX_LENGTH
        || !IDENTIFIER.matcher(schemaPrefix).matches()) {
      throw new InvalidRequestException(
          "schemaPrefix",
          "schemaPrefix must match [a-z_][a-z0-9_]* and be at most "
              + MAX_PREFIX_LENGTH
              + " characters, got '"
              + schemaPrefix
              + "'");
    }
    // A tenant schema must never take the name of the store's own schemas.
    if (Names.REGISTRY_SCHEMA.startsWith(schemaPrefix)
        || PostgresCatalog.SCHEMA.startsWith(schemaPrefix)) {
      throw new InvalidRequestException(
          "schemaPrefix",
          "schemaPrefix '"
              + schemaPrefix
              + "' could name the schema "
              + Names.REGISTRY_SCHEMA
              + " or "
              + PostgresCatalog.SCHEMA
              + " for some tenant id");
    }
    // 56 leaves room for the text-search role's suffix within PostgreSQL's 63-byte names.
    if (rlsRole == null || rlsRole.length() > 56 || !IDENTIFIER.matcher(rlsRole).matches()) {
      throw new InvalidRequestException(
          "rlsRole", "rlsRole must match [a-z_][a-z0-9_]{0,55}, got '" + rlsRole + "'");
    }
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    if (connectTimeout.compareTo(Duration.ofMillis(250)) < 0) {
      throw new InvalidRequestException(
          "connectTimeout", "connectTimeout must be at least 250ms, got " + connectTimeout);
    }
  }

  /** Options for {@code jdbcUrl} with every default; no password (trust or peer authentication). */
  public static PostgresOptions of(String jdbcUrl) {
    return new PostgresOptions(
        jdbcUrl,
        userFromUrl(jdbcUrl),
        null,
        DEFAULT_POOL_SIZE,
        DEFAULT_SCHEMA_PREFIX,
        DEFAULT_RLS_ROLE,
        Duration.ofSeconds(10));
  }

  /** A copy connecting as {@code newUser}. */
  public PostgresOptions withUser(String newUser) {
    return new PostgresOptions(
        jdbcUrl, newUser, password, poolSize, schemaPrefix, rlsRole, connectTimeout);
  }

  /** A copy whose password is read from the environment variable {@code name} at each open. */
  public PostgresOptions withPasswordFromEnv(String name) {
    if (name == null || name.isBlank()) {
      throw new InvalidRequestException("password", "password variable name must not be blank");
    }
    return withPassword(
        () -> {
          String value = System.getenv(name);
          if (value == null) {
            throw new InvalidRequestException(
                "password", "environment variable " + name + " (the PostgreSQL password) is unset");
          }
          return value;
        });
  }

  /**
   * A copy whose password is the first line of {@code file} (a mounted secret), read at each open.
   */
  public PostgresOptions withPasswordFromFile(Path file) {
    Objects.requireNonNull(file, "file");
    return withPassword(
        () -> {
          try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int end = text.indexOf('\n');
            return (end < 0 ? text : text.substring(0, end)).strip();
          } catch (IOException e) {
            throw new UncheckedIOException("cannot read the PostgreSQL password file " + file, e);
          }
        });
  }

  /** A copy with a password supplier. */
  public PostgresOptions withPassword(Supplier<String> supplier) {
    return new PostgresOptions(
        jdbcUrl,
        user,
        Objects.requireNonNull(supplier, "supplier"),
        poolSize,
        schemaPrefix,
        rlsRole,
        connectTimeout);
  }

  /** A copy with another pool size. */
  public PostgresOptions withPoolSize(int size) {
    return new PostgresOptions(
        jdbcUrl, user, password, size, schemaPrefix, rlsRole, connectTimeout);
  }

  /** A copy with another tenant schema prefix. */
  public PostgresOptions withSchemaPrefix(String prefix) {
    return new PostgresOptions(jdbcUrl, user, password, poolSize, prefix, rlsRole, connectTimeout);
  }

  /** A copy with another row-level-security role. */
  public PostgresOptions withRlsRole(String role) {
    return new PostgresOptions(
        jdbcUrl, user, password, poolSize, schemaPrefix, role, connectTimeout);
  }

  /** A copy with another connection timeout. */
  public PostgresOptions withConnectTimeout(Duration timeout) {
    return new PostgresOptions(jdbcUrl, user, password, poolSize, schemaPrefix, rlsRole, timeout);
  }

  /** The role text searches switch to: {@link #rlsRole()} + {@code _search}. */
  public String searchRole() {
    return rlsRole + "_search";
  }

  /** The user named by the URL's {@code user} parameter, else {@code postgres}. */
  static String userFromUrl(String jdbcUrl) {
    if (jdbcUrl != null) {
      Matcher m = URL_USER.matcher(jdbcUrl);
      if (m.find()) {
        return java.net.URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
      }
    }
    return "postgres";
  }

  /** The URL without query parameters, which may hold a password. */
  static String redactUrl(@Nullable String url) {
    if (url == null) {
      return "null";
    }
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q) + "?...";
  }

  @Override
  public String toString() {
    return "PostgresOptions[jdbcUrl="
        + redactUrl(jdbcUrl)
        + ", user="
        + user
        + ", password="
        + (password == null ? "none" : "(supplied)")
        + ", poolSize="
        + poolSize
        + ", schemaPrefix="
        + schemaPrefix
        + ", rlsRole="
        + rlsRole
        + ", connectTimeout="
        + connectTimeout
        + "]";
  }
}
