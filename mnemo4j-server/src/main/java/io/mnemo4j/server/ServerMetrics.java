package io.mnemo4j.server;

import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mnemo4j.EventType;
import io.mnemo4j.Mnemo;
import io.mnemo4j.TenantId;
import io.mnemo4j.llm.TokenUsage;
import io.mnemo4j.mcp.ToolCall;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metrics (Prometheus via Micrometer) and the access log. Tenant ids appear as label values only
 * when configured; otherwise adds and searches are labelled with a stable hash bucket of the tenant
 * id ({@code 00}..{@code 15}), and language-model usage ({@code mnemo_llm_tokens_total}, {@code
 * mnemo_llm_calls_total}, fed by a {@link ModelUsageMeter}) carries no tenant label at all.
 * Thread-safe.
 */
final class ServerMetrics {
  /** Request attribute: the tenant id of the request (set by authentication). */
  static final String TENANT = "mnemo.tenant";

  /** Request attribute: the key id of the request. */
  static final String KEY = "mnemo.key";

  /** Request attribute: the error code of an error response. */
  static final String ERROR_CODE = "mnemo.error";

  private static final Logger ACCESS = LoggerFactory.getLogger("io.mnemo4j.server.access");
  private static final int BUCKETS = 16;
  // Clients may send any method token; only these become label values, so metrics cannot be
  // flooded.
  private static final java.util.Set<String> METHODS =
      java.util.Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");

  /**
   * The latency buckets of {@code http_server_requests_seconds}: a dozen fixed boundaries from 1 ms
   * to 10 s instead of Micrometer's percentile histogram (about 70 buckets per route and status).
   */
  static final List<Duration> HTTP_BUCKETS =
      List.of(
          Duration.ofMillis(1),
          Duration.ofMillis(5),
          Duration.ofMillis(10),
          Duration.ofMillis(25),
          Duration.ofMillis(50),
          Duration.ofMillis(100),
          Duration.ofMillis(250),
          Duration.ofMillis(500),
          Duration.ofSeconds(1),
          Duration.ofMillis(2500),
          Duration.ofSeconds(5),
          Duration.ofSeconds(10));

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final boolean tenantLabels;
  private final JvmGcMetrics gc = new JvmGcMetrics();

  ServerMetrics(Mnemo mnemo, boolean tenantLabels) {
    this.tenantLabels = tenantLabels;
    // The process and the JVM: heap and other memory pools, GC pauses, threads, CPU, uptime, open
    // file descriptors, loaded classes.
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    Gauge.builder("mnemo.tenants.open", mnemo, m -> m.operations().openTenants())
        .description("tenant stores currently open")
        .register(registry);
    FunctionTimer.builder(
            "mnemo.embedder.latency",
            EmbedderTimings.INSTANCE,
            EmbedderTimings::count,
            EmbedderTimings::totalNanos,
            TimeUnit.NANOSECONDS)
        .description(
            "time spent embedding (documents and queries), for embedders wrapped by "
                + "MnemoServer.timedEmbedder")
        .register(registry);
    FunctionCounter.builder(
            "mnemo.embedder.texts", EmbedderTimings.INSTANCE, EmbedderTimings::texts)
        .description("texts embedded by embedders wrapped by MnemoServer.timedEmbedder")
        .register(registry);
  }

  /**
   * Records one finished request: latency histogram per route template and status, plus the access
   * log line.
   */
  void request(Context ctx, float millis) {
    request(
        new Finished(
            ctx.method().name(),
            route(ctx),
            ctx.statusCode(),
            millis,
            ctx.attribute(TENANT),
            ctx.attribute(KEY),
            ctx.attribute(ERROR_CODE)));
  }

  /**
   * One finished request, as the latency histogram and the access log see it.
   *
   * @param methodName the HTTP method
   * @param route the route template (never the raw path, which may carry ids)
   * @param status the response status
   * @param millis how long it took
   * @param tenant the tenant of the key, if any
   * @param key the key id, if any
   * @param error the error code answered, if any
   */
  record Finished(
      String methodName,
      String route,
      int status,
      float millis,
      @Nullable Object tenant,
      @Nullable Object key,
      @Nullable Object error) {}

  /**
   * Records one finished request to {@code method route} (also one served beside Javalin's router,
   * the MCP endpoint): latency histogram and access log line.
   */
  void request(Finished r) {
    String method = METHODS.contains(r.methodName()) ? r.methodName() : "OTHER";
    Timer.builder("http.server.requests")
        .description("HTTP request latency by route template and status")
        .tag("method", method)
        .tag("route", r.route())
        .tag("status", Integer.toString(r.status()))
        .serviceLevelObjectives(HTTP_BUCKETS.toArray(Duration[]::new))
        .register(registry)
        .record((long) (r.millis() * 1_000_000L), TimeUnit.NANOSECONDS);
    if (ACCESS.isInfoEnabled()) {
      ACCESS.info(
          String.format(
              Locale.ROOT,
              "method=%s route=%s status=%d ms=%.2f tenant=%s key=%s%s",
              method,
              r.route(),
              r.status(),
              r.millis(),
              r.tenant() == null ? "-" : r.tenant(),
              r.key() == null ? "-" : r.key(),
              r.error() == null ? "" : " error=" + r.error()));
    }
  }

  /**
   * Counts one MCP tool call ({@code mnemo_mcp_tool_calls_seconds} by tool and outcome: {@code ok}
   * or the error code), and its searches and add events like the REST routes' ones.
   */
  void toolCalled(ToolCall call) {
    Timer.builder("mnemo.mcp.tool.calls")
        .description("MCP tool calls by tool and outcome (ok or the tool error's code)")
        .tag("tool", call.tool())
        .tag("outcome", call.errorCode() == null ? "ok" : call.errorCode())
        .register(registry)
        .record(call.took());
    if (call.errorCode() != null) {
      return;
    }
    if (call.tool().equals("search_memories")) {
      searched(call.tenant());
    }
    java.util.Map<EventType, Long> counts = new java.util.EnumMap<>(EventType.class);
    call.events().forEach(e -> counts.merge(e, 1L, Long::sum));
    counts.forEach((e, n) -> added(call.tenant(), e.name(), n.intValue()));
  }

  /** The route template that served {@code ctx}, or {@code unmatched}. */
  static String route(Context ctx) {
    io.javalin.router.Endpoint e = ctx.endpoints().lastHttpEndpoint();
    return e == null || e.path.isEmpty() ? "unmatched" : e.path;
  }

  /** Counts the events of one add. */
  void added(TenantId tenant, String event, int n) {
    if (n > 0) {
      Counter.builder("mnemo.memories.added")
          .description("add results by event (ADD, NONE...)")
          .tag(tenantKey(), tenantValue(tenant))
          .tag("event", event)
          .register(registry)
          .increment(n);
    }
  }

  /** Registers the model usage counters at zero, so they show before the first call. */
  void registerModelUsage() {
    if (!tenantLabels) {
      modelUsage(null, TokenUsage.NONE);
    }
  }

  /**
   * Counts language-model usage: tokens by direction and calls, labelled with the tenant only when
   * tenant labels are configured.
   */
  void modelUsage(@Nullable TenantId tenant, TokenUsage usage) {
    Tags tags;
    if (!tenantLabels) {
      tags = Tags.empty();
    } else if (tenant != null) {
      tags = Tags.of("tenant", tenant.value());
    } else {
      return; // with tenant labels, counters appear per tenant at first use
    }
    Counter.builder("mnemo.llm.tokens")
        .description("language model tokens used by adds, by direction (input, output)")
        .tags(tags)
        .tag("direction", "input")
        .register(registry)
        .increment((double) usage.inputTokens());
    Counter.builder("mnemo.llm.tokens")
        .description("language model tokens used by adds, by direction (input, output)")
        .tags(tags)
        .tag("direction", "output")
        .register(registry)
        .increment((double) usage.outputTokens());
    Counter.builder("mnemo.llm.calls")
        .description("language model calls made by adds")
        .tags(tags)
        .register(registry)
        .increment(usage.calls());
  }

  /** Counts one search. */
  void searched(TenantId tenant) {
    Counter.builder("mnemo.searches")
        .description("searches served")
        .tag(tenantKey(), tenantValue(tenant))
        .register(registry)
        .increment();
  }

  /** The Prometheus text exposition. */
  String scrape() {
    return registry.scrape();
  }

  void close() {
    gc.close();
    registry.close();
  }

  private String tenantKey() {
    return tenantLabels ? "tenant" : "tenant_bucket";
  }

  private String tenantValue(@Nullable TenantId tenant) {
    if (tenant == null) {
      return "-";
    }
    if (tenantLabels) {
      return tenant.value();
    }
    return String.format(
        Locale.ROOT, "%02d", Math.floorMod(tenant.value().hashCode() * 0x9E3779B1, BUCKETS));
  }
}
