package io.mnemo4j.server;

import io.mnemo4j.Mnemo;
import io.mnemo4j.TenantId;
import io.mnemo4j.llm.TokenUsage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Counts language-model usage for a server's {@code /metrics}: {@code
 * mnemo_llm_tokens_total{direction="input|output"}} and {@code mnemo_llm_calls_total}, with a
 * {@code tenant} label only when {@link ServerConfig#metricsTenantLabels()} is on. The server is
 * handed an already-built {@link Mnemo}, so create the meter first, give it to the builder, then to
 * the server:
 *
 * <pre>{@code
 * ModelUsageMeter meter = new ModelUsageMeter();
 * try (Mnemo mnemo = Mnemo.builder().inference(settings).usageListener(meter).build();
 *      MnemoServer server = MnemoServer.start(config, mnemo, meter)) {
 *   server.awaitStop();
 * }
 * }</pre>
 *
 * <p>Usage reported while no server is bound (before {@code start}, or after {@code close}) is
 * kept, summed per tenant, and counted when a server binds the meter. Thread-safe; bound to at most
 * one server at a time.
 */
public final class ModelUsageMeter implements BiConsumer<TenantId, TokenUsage> {
  private final Object lock = new Object();
  private final Map<TenantId, TokenUsage> pending = new LinkedHashMap<>(); // guarded by lock
  private volatile @Nullable ServerMetrics metrics;

  /** A meter bound to no server yet. */
  public ModelUsageMeter() {}

  /** Counts one report of usage (called by {@link Mnemo} after each model call or add). */
  @Override
  public void accept(TenantId tenant, TokenUsage usage) {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(usage, "usage");
    ServerMetrics m = metrics;
    if (m == null) {
      synchronized (lock) {
        m = metrics;
        if (m == null) {
          pending.merge(tenant, usage, TokenUsage::plus);
          return;
        }
      }
    }
    m.modelUsage(tenant, usage);
  }

  /** Binds the meter to a starting server's metrics, counting what was reported before. */
  void bind(ServerMetrics target) {
    synchronized (lock) {
      if (metrics != null) {
        throw new IllegalStateException(
            "this ModelUsageMeter is already bound to a running server; use one meter per server");
      }
      target.registerModelUsage();
      pending.forEach(target::modelUsage);
      pending.clear();
      metrics = target;
    }
  }

  /** Unbinds the meter from a stopping server; later usage waits for the next server. */
  void unbind(ServerMetrics target) {
    synchronized (lock) {
      if (metrics == target) {
        metrics = null;
      }
    }
  }
}
