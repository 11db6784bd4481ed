package io.mnemo4j.spring.boot.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * One PostgreSQL database: {@code mnemo.postgres.*} for the default region, and the base of each
 * {@code mnemo.regions.<name>.*}. Not thread-safe (bound once).
 */
public class MnemoPostgresProperties {
  /** The JDBC URL (jdbc:postgresql://host:5432/db), without a password. */
  private @Nullable String url;

  /** The user (default: the URL's, else the driver's). */
  private @Nullable String user;

  /** The password; bind it from the environment or a secret store, never a committed file. */
  private @Nullable String password;

  /** Connections per database. */
  private int poolSize = 8;

  /** Tenant schemas are named this prefix plus the tenant id. */
  private String schemaPrefix = "mnemo_t_";

  /** Returns the URL, if set. */
  public @Nullable String getUrl() {
    return url;
  }

  /** Sets the URL. */
  public void setUrl(@Nullable String url) {
    this.url = url;
  }

  /** Returns the user, if set. */
  public @Nullable String getUser() {
    return user;
  }

  /** Sets the user. */
  public void setUser(@Nullable String user) {
    this.user = user;
  }

  /** Returns the password, if set. */
  public @Nullable String getPassword() {
    return password;
  }

  /** Sets the password. */
  public void setPassword(@Nullable String password) {
    this.password = password;
  }

  /** Returns the pool size. */
  public int getPoolSize() {
    return poolSize;
  }

  /** Sets the pool size. */
  public void setPoolSize(int poolSize) {
    this.poolSize = poolSize;
  }

  /** Returns the schema prefix. */
  public String getSchemaPrefix() {
    return schemaPrefix;
  }

  /** Sets the schema prefix. */
  public void setSchemaPrefix(String schemaPrefix) {
    this.schemaPrefix = schemaPrefix;
  }
}
