package io.mnemo4j.spring.boot.autoconfigure;

import io.mnemo4j.InferenceMode;
import io.mnemo4j.InferenceSettings;
import io.mnemo4j.Mnemo;
import io.mnemo4j.llm.LanguageModel;
import io.mnemo4j.spi.Backend;
import io.mnemo4j.spi.Embedder;
import java.util.Locale;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

/**
 * The {@link Mnemo} bean, built from {@link MnemoProperties} unless the application defines its
 * own. The application may also define the pieces: an {@link Embedder}, a {@link Backend}, a {@link
 * LanguageModel}, or {@link MnemoBuilderCustomizer}s. Without a language model bean, the Spring AI
 * configuration offers the application's ChatModel; without either, adds are verbatim.
 */
@AutoConfiguration
@ConditionalOnClass(Mnemo.class)
@ConditionalOnBooleanProperty(name = "mnemo.enabled", matchIfMissing = true)
@EnableConfigurationProperties(MnemoProperties.class)
public class MnemoAutoConfiguration {
  private static final System.Logger LOG = System.getLogger(MnemoAutoConfiguration.class.getName());

  /** Creates the configuration (Spring calls it). */
  public MnemoAutoConfiguration() {}

  /** The Mnemo instance; closed with the application context. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Mnemo mnemo(
      MnemoProperties properties,
      ObjectProvider<Embedder> embedders,
      ObjectProvider<Backend> backends,
      ObjectProvider<LanguageModel> languageModels,
      ObjectProvider<ModelSource> modelSources,
      ObjectProvider<MnemoInstrumentation> instrumentation,
      ObjectProvider<MnemoBuilderCustomizer> customizers) {
    Mnemo.Builder b = Mnemo.builder().dataDir(properties.getDataDir());
    Backend backend = backends.getIfAvailable();
    if (backend == null) {
      MnemoBackends configured = MnemoBackends.from(properties);
      b.backend(configured).defaultRegion(configured.defaultRegion());
    } else {
      b.backend(backend);
      if (properties.getDefaultRegion() != null) {
        b.defaultRegion(properties.getDefaultRegion());
      }
    }
    Embedder embedder = embedders.getIfAvailable(() -> onnx(properties.getEmbedder()));
    MnemoInstrumentation meters = instrumentation.getIfAvailable();
    b.embedder(meters == null ? embedder : meters.instrument(embedder));
    if (meters != null) {
      b.usageListener(meters::usage);
    }
    b.autoCreateTenants(properties.isAutoCreateTenants())
        .nearDuplicateThreshold(properties.getNearDuplicateThreshold())
        .maxOpenTenants(properties.getMaxOpenTenants())
        .contextWindow(properties.getContextWindow())
        .contextAfter(properties.getContextAfter())
        .asyncAdds(properties.getAsync().getCapacity(), properties.getAsync().getWorkers())
        .expirySweep(
            properties.getExpirySweep().getInterval(), properties.getExpirySweep().getGrace());
    b.inference(inference(properties.getInference(), languageModels, modelSources));
    customizers.orderedStream().forEach(c -> c.customize(b));
    Mnemo mnemo = b.build();
    LOG.log(
        System.Logger.Level.INFO,
        "Mnemo4j ready: data in {0}, regions {1}, embedder {2}",
        properties.getDataDir().toAbsolutePath(),
        mnemo.admin().regions(),
        mnemo.operations().embedder().modelId());
    return mnemo;
  }

  /**
   * Lets queued adds finish when the application stops (up to {@code
   * mnemo.async.shutdown-timeout}), before the Mnemo bean closes: what the advisor and the
   * LangChain4j store queue is then stored by the time the process ends.
   */
  @Bean
  @ConditionalOnBean(Mnemo.class)
  MnemoAsyncDrain mnemoAsyncDrain(Mnemo mnemo, MnemoProperties properties) {
    return new MnemoAsyncDrain(mnemo, properties.getAsync().getShutdownTimeout());
  }

  private static InferenceSettings inference(
      MnemoInferenceProperties p,
      ObjectProvider<LanguageModel> languageModels,
      ObjectProvider<ModelSource> modelSources) {
    InferenceMode mode =
        switch (p.getMode().toLowerCase(Locale.ROOT)) {
          case "consolidate" -> InferenceMode.CONSOLIDATE;
          case "additive" -> InferenceMode.ADDITIVE;
          default ->
              throw new IllegalArgumentException(
                  "mnemo.inference.mode must be consolidate or additive, got '"
                      + p.getMode()
                      + "'");
        };
    InferenceSettings settings =
        InferenceSettings.none()
            .withMode(mode)
            .withInstructions(p.getInstructions())
            .withCategories(p.getCategories());
    if (!p.isEnabled()) {
      return settings;
    }
    Optional<LanguageModel> model =
        Optional.ofNullable(languageModels.getIfUnique())
            .or(
                () ->
                    modelSources
                        .orderedStream()
                        .map(ModelSource::model)
                        .flatMap(Optional::stream)
                        .findFirst());
    return settings.withModel(model.orElse(null));
  }

  private static Embedder onnx(String name) {
    if (!ClassUtils.isPresent(
        "io.mnemo4j.embed.onnx.OnnxEmbedder", MnemoAutoConfiguration.class.getClassLoader())) {
      throw new IllegalStateException(
          "no Embedder bean and no io.mnemo4j:mnemo4j-onnx on the class path: add the starter"
              + " (mnemo4j-spring-boot-starter) or define an Embedder bean");
    }
    return Onnx.byName(name);
  }

  /** Loaded only when mnemo4j-onnx is present. */
  private static final class Onnx {
    static Embedder byName(String name) {
      try {
        return io.mnemo4j.embed.onnx.OnnxEmbedder.byName(name);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("mnemo.embedder: " + e.getMessage(), e);
      }
    }
  }

  /**
   * The Actuator health indicator, when Spring Boot's health support is present; {@code
   * management.health.mnemo.enabled=false} turns it off. (A plain property condition: Boot's own
   * health-indicator condition would be loaded, and fail, where the health module is absent.)
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  @ConditionalOnBooleanProperty(name = "management.health.mnemo.enabled", matchIfMissing = true)
  static class HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "mnemoHealthIndicator")
    MnemoHealthIndicator mnemoHealthIndicator(Mnemo mnemo) {
      return new MnemoHealthIndicator(mnemo);
    }
  }

  /** Micrometer meters, when Micrometer is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
  static class MetricsConfiguration {
    @Bean
    @ConditionalOnMissingBean
    MnemoMeters mnemoMeters(ObjectProvider<Mnemo> mnemo) {
      return new MnemoMeters(mnemo);
    }
  }
}
