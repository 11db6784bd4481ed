package io.mnemo4j.spring.boot.autoconfigure;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.mnemo4j.Mnemo;
import io.mnemo4j.TenantId;
import io.mnemo4j.llm.TokenUsage;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.TimedEmbedder;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Micrometer meters of the Mnemo bean: {@code mnemo.tenants.open} (gauge), {@code
 * mnemo.embedder.latency} (timer, by purpose), {@code mnemo.llm.tokens} (counter, by direction) and
 * {@code mnemo.llm.calls}. No tenant ids in tags: their number is unbounded. Thread-safe; meters
 * record nothing until Spring Boot binds a registry.
 */
final class MnemoMeters implements MeterBinder, MnemoInstrumentation {
  private final ObjectProvider<Mnemo> mnemo;
  private volatile @Nullable MeterRegistry registry;

  MnemoMeters(ObjectProvider<Mnemo> mnemo) {
    this.mnemo = mnemo;
  }

  @Override
  public void bindTo(MeterRegistry r) {
    this.registry = r;
    Gauge.builder("mnemo.tenants.open", mnemo, m -> m.getObject().operations().openTenants())
        .description("Tenant stores currently open")
        .register(r);
  }

  @Override
  public void usage(TenantId tenant, TokenUsage usage) {
    MeterRegistry r = registry;
    if (r == null) {
      return;
    }
    Counter.builder("mnemo.llm.tokens")
        .tag("direction", "input")
        .description("Language model tokens used by adds")
        .register(r)
        .increment((double) usage.inputTokens());
    Counter.builder("mnemo.llm.tokens")
        .tag("direction", "output")
        .description("Language model tokens used by adds")
        .register(r)
        .increment((double) usage.outputTokens());
    Counter.builder("mnemo.llm.calls")
        .description("Language model calls made by adds")
        .register(r)
        .increment(usage.calls());
  }

  @Override
  public Embedder instrument(Embedder delegate) {
    return new TimedEmbedder(delegate, (purpose, texts, nanos) -> record(purpose, nanos));
  }

  private void record(Embedder.Purpose purpose, long nanos) {
    MeterRegistry r = registry;
    if (r != null) {
      Timer.builder("mnemo.embedder.latency")
          .tag("purpose", purpose.name().toLowerCase(java.util.Locale.ROOT))
          .description("Embedding calls")
          .register(r)
          .record(java.time.Duration.ofNanos(nanos));
    }
  }
}
