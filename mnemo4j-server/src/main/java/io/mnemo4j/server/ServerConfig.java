package io.mnemo4j.server;

import io.mnemo4j.TenantId;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Settings of one {@link MnemoServer}. Immutable and thread-safe; each {@code with} method returns
 * a copy, validated where it is set.
 *
 * <p>The default host is {@code 127.0.0.1}: a fresh {@code mnemo serve} is reachable from this
 * machine only. Set {@code 0.0.0.0} (or a specific interface) deliberately, behind TLS termination,
 * to serve a network.
 *
 * @param host interface to bind (default {@code 127.0.0.1})
 * @param port TCP port, 0 for a random free port (default 8080)
 * @param maxRequestBytes largest request body accepted; larger bodies get 413 (default 1 MiB)
 * @param requestTimeout how long a connection may sit idle while a request or response is in
 *     transit (default 30 s)
 * @param shutdownTimeout how long {@link MnemoServer#close()} waits for in-flight requests (default
 *     30 s)
 * @param adminKey the admin secret (from {@code MNEMO_ADMIN_KEY}), or null to generate one at first
 *     start when the catalog holds no admin key
 * @param metricsTenantLabels whether metrics carry tenant ids as label values (default false: a
 *     hash bucket instead)
 * @param console where a generated admin key is printed, once (default {@code System.out})
 * @param debugTenants tenants whose memory text, query text and model answers are logged at DEBUG
 *     (logger {@code io.mnemo4j.tenant.<id>}) while the server runs; empty by default: no log line
 *     carries memory text
 */
public record ServerConfig(
    String host,
    int port,
    long maxRequestBytes,
    Duration requestTimeout,
    Duration shutdownTimeout,
    @Nullable String adminKey,
    boolean metricsTenantLabels,
    PrintStream console,
    Set<String> debugTenants,
    Embedders embedders) {

  /** Default port. */
  public static final int DEFAULT_PORT = 8080;

  /** Default request body limit: 1 MiB. */
  public static final long DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;

  /** Name of the environment variable holding the admin secret. */
  public static final String ADMIN_KEY_ENV = "MNEMO_ADMIN_KEY";

  /** Validates every setting. */
  public ServerConfig {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
    }
    if (maxRequestBytes < 1024 || maxRequestBytes > 256L * 1024 * 1024) {
      throw new IllegalArgumentException(
          "maxRequestBytes must be 1 KiB to 256 MiB, got " + maxRequestBytes);
    }
    requirePositive("requestTimeout", requestTimeout);
    requirePositive("shutdownTimeout", shutdownTimeout);
    if (adminKey != null && adminKey.length() < 16) {
      throw new IllegalArgumentException("adminKey must be at least 16 characters");
    }
    Objects.requireNonNull(console, "console");
    Objects.requireNonNull(debugTenants, "debugTenants");
    for (String t : debugTenants) {
      TenantId.of(t); // a debug switch for a tenant that cannot exist is a typo
    }
    debugTenants = Set.copyOf(debugTenants);
    Objects.requireNonNull(embedders, "embedders");
  }

  /**
   * Loads an embedder by model name, for the admin route that changes the embedding model ({@code
   * POST /v1/reembed}); without one (the default) that route answers 400. Implementations must be
   * thread-safe.
   */
  @FunctionalInterface
  public interface Embedders {
    /** None: this server cannot load another embedding model. */
    Embedders NONE = name -> java.util.Optional.empty();

    /** A new embedder of the model {@code name}, if this server knows it. */
    java.util.Optional<io.mnemo4j.spi.Embedder> named(String name);
  }

  /** A copy that can load embedders by name (to change the embedding model online). */
  public ServerConfig withEmbedders(Embedders loader) {
    return new ServerConfig(
        host,
        port,
        maxRequestBytes,
        requestTimeout,
        shutdownTimeout,
        adminKey,
        metricsTenantLabels,
        console,
        debugTenants,
        loader);
  }

  /**
   * The defaults: 127.0.0.1:8080, 1 MiB bodies, 30 s timeouts, no admin key set, no tenant labels.
   */
  @SuppressForbidden(
      reason =
          "a generated admin key is shown once to the operator on the console, never logged: logs"
              + " must not carry keys")
  public static ServerConfig defaults() {
    return new ServerConfig(
        "127.0.0.1",
        DEFAULT_PORT,
        DEFAULT_MAX_REQUEST_BYTES,
        Duration.ofSeconds(30),
        Duration.ofSeconds(30),
        null,
        false,
        System.out,
        Set.of(),
        Embedders.NONE);
  }

  /**
   * The defaults with the admin key taken from {@code MNEMO_ADMIN_KEY} in {@code env}, if set and
   * non-empty.
   */
  public static ServerConfig fromEnv(Map<String, String> env) {
    String key = env.get(ADMIN_KEY_ENV);
    return defaults().withAdminKey(key == null || key.isEmpty() ? null : key);
  }

  /** A copy binding {@code newHost}. */
  public ServerConfig withHost(String newHost) {
    return new ServerConfig(
        newHost,
        port,
        maxRequestBytes,
        requestTimeout,
        shutdownTimeout,
        adminKey,
        metricsTenantLabels,
        console,
        debugTenants,
        embedders);
  }

  /** A copy on {@code newPort} (0 = random). */
  public ServerConfig withPort(int newPort) {
    return new ServerConfig(
        host,
        newPort,
        maxRequestBytes,
        requestTimeout,
        shutdownTimeout,
        adminKey,
        metricsTenantLabels,
        console,
        debugTenants,
        embedders);
  }

  /** A copy with another body limit. */
  public ServerConfig withMaxRequestBytes(long bytes) {
    return new ServerConfig(
        host,
        port,
        bytes,
        requestTimeout,
        shutdownTimeout,
        adminKey,
        metricsTenantLabels,
        console,
        debugTenants,
        embedders);
  }

  /** A copy with another idle timeout. */
  public ServerConfig withRequestTimeout(Duration timeout) {
    return new ServerConfig(
        host,
        port,
        maxRequestBytes,
        timeout,
        shutdownTimeout,
        adminKey,
        metricsTenantLabels,
        console,
        debugTenants,
        embedders);
  }

  /** A copy with another graceful-shutdown timeout. */
  public ServerConfig withShutdownTimeout(Duration timeout) {
    return new ServerConfig(
        host,
        port,
        maxRequestBytes,
        requestTimeout,
        timeout,
        adminKey,
        metricsTenantLabels,
        console,
        debugTenants,
        embedders);
  }

  /** A copy with this admin secret (null: generate one at first start if the catalog has none). */
  public ServerConfig withAdminKey(@Nullable String key) {
    return new ServerConfig(
        host,
        port,
        maxRequestBytes,
        requestTimeout,
        shutdownTimeout,
        key,
        metricsTenantLabels,
        console,
        debugTenants,
        embedders);
  }

  /** A copy that labels metrics with tenant ids (or not). */
  public ServerConfig withMetricsTenantLabels(boolean on) {
    return new ServerConfig(
        host,
        port,
        maxRequestBytes,
        requestTimeout,
        shutdownTimeout,
        adminKey,
        on,
        console,
        debugTenants,
        embedders);
  }

  /** A copy printing a generated admin key to {@code out}. */
  public ServerConfig withConsole(PrintStream out) {
    return new ServerConfig(
        host,
        port,
        maxRequestBytes,
        requestTimeout,
        shutdownTimeout,
        adminKey,
        metricsTenantLabels,
        out,
        debugTenants,
        embedders);
  }

  /**
   * A copy logging the memory text of these tenants at DEBUG (logger {@code
   * io.mnemo4j.tenant.<id>}); each id must be a valid tenant id.
   */
  public ServerConfig withDebugTenants(Collection<String> tenants) {
    return new ServerConfig(
        host,
        port,
        maxRequestBytes,
        requestTimeout,
        shutdownTimeout,
        adminKey,
        metricsTenantLabels,
        console,
        Set.copyOf(tenants),
        embedders);
  }

  /** Hides the admin secret. */
  @Override
  public String toString() {
    return "ServerConfig[host="
        + host
        + ", port="
        + port
        + ", maxRequestBytes="
        + maxRequestBytes
        + ", requestTimeout="
        + requestTimeout
        + ", shutdownTimeout="
        + shutdownTimeout
        + ", adminKey="
        + (adminKey == null ? "none" : "set")
        + ", metricsTenantLabels="
        + metricsTenantLabels
        + ", debugTenants="
        + debugTenants.stream().sorted().toList()
        + "]";
  }

  private static void requirePositive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }
}
