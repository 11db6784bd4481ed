package io.mnemo4j.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.ConversationMessage;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantId;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spring.ai.MnemoChatMemoryRepository;
import io.mnemo4j.spring.ai.MnemoMemoryAdvisor;
import io.mnemo4j.testing.HashingEmbedder;
import io.mnemo4j.testing.InMemoryBackend;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.memory.InMemoryChatMemoryRepository;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Property binding, validation and back-off of the auto-configuration, each in a context of its own
 * (Spring Boot's ApplicationContextRunner), with a fast test embedder unless the test is about the
 * embedder.
 */
class MnemoAutoConfigurationTest {
  @TempDir Path dir;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                MnemoAutoConfiguration.class, MnemoSpringAiAutoConfiguration.class))
        .withBean(Embedder.class, HashingEmbedder::new)
        .withPropertyValues("mnemo.data-dir=" + dir);
  }

  @Test
  void properties_bindToTheBuilder_andShowInBehaviour() {
    runner()
        .withPropertyValues(
            "mnemo.regions.eu.store=embedded",
            "mnemo.regions.eu.path=" + dir.resolve("eu-data"),
            "mnemo.regions.us.store=embedded",
            "mnemo.default-region=us",
            "mnemo.tenant=acme",
            "mnemo.near-duplicate-threshold=0.9",
            "mnemo.max-open-tenants=3",
            "mnemo.context-window=0",
            "mnemo.inference.mode=additive",
            "mnemo.inference.categories=food,travel",
            "mnemo.advisor.limit=2",
            "mnemo.advisor.template=Known: {memories}",
            "mnemo.expiry-sweep.interval=0s")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              Mnemo mnemo = context.getBean(Mnemo.class);
              MnemoProperties p = context.getBean(MnemoProperties.class);
              assertThat(mnemo.admin().regions()).containsExactlyInAnyOrder("eu", "us");
              assertThat(mnemo.admin().defaultRegion()).isEqualTo("us");
              assertThat(p.getNearDuplicateThreshold()).isEqualTo(0.9);
              assertThat(p.getMaxOpenTenants()).isEqualTo(3);
              assertThat(p.getContextWindow()).isZero();
              assertThat(p.getInference().getCategories()).containsExactly("food", "travel");
              assertThat(mnemo.operations().inference(TenantId.of("x")).categories())
                  .containsExactly("food", "travel");
              assertThat(mnemo.operations().inference(TenantId.of("x")).mode().name())
                  .isEqualTo("ADDITIVE");
              assertThat(
                      ((MnemoChatMemoryRepository) context.getBean(ChatMemoryRepository.class))
                          .tenant()
                          .info()
                          .id()
                          .value())
                  .isEqualTo("acme");
              assertThat(p.getAdvisor().getLimit()).isEqualTo(2);
              assertThat(p.getExpirySweep().getInterval()).isZero();
            });
  }

  @Test
  void autoCreateTenantsOff_unknownDefaultTenant_failsTheStartNamingIt() {
    runner()
        .withPropertyValues("mnemo.auto-create-tenants=false", "mnemo.tenant=acme")
        .run(c -> assertThat(c).getFailure().rootCause().hasMessageContaining("tenant acme"));
  }

  @Test
  void regions_placeEachTenantInItsRegionsDirectory() {
    runner()
        .withPropertyValues(
            "mnemo.regions.eu.store=embedded",
            "mnemo.regions.eu.path=" + dir.resolve("eu-data"),
            "mnemo.regions.us.store=embedded",
            "mnemo.default-region=us")
        .run(
            context -> {
              Mnemo mnemo = context.getBean(Mnemo.class);
              mnemo.admin().createTenant("acme", "eu");
              mnemo.tenant("acme").add(List.of(Message.user("in Europe")), Scope.user("a"));
              mnemo.tenant("globex").add(List.of(Message.user("in the US")), Scope.user("a"));

              assertThat(dir.resolve("eu-data").resolve("acme")).isDirectory();
              assertThat(dir.resolve("us").resolve("globex")).isDirectory();
              assertThat(dir.resolve("catalog.db")).exists();
            });
  }

  @Test
  void durability_reachesTheEmbeddedRegions_fullByDefault() {
    MnemoProperties p = new MnemoProperties();
    p.setDataDir(dir);
    try (var local =
        (io.mnemo4j.store.embedded.EmbeddedStore) MnemoBackends.from(p).openRegion("local", dir)) {
      assertThat(local.durability()).isEqualTo(io.mnemo4j.store.embedded.Durability.FULL);
    }
    p.setDurability("process");
    try (var local =
        (io.mnemo4j.store.embedded.EmbeddedStore) MnemoBackends.from(p).openRegion("local", dir)) {
      assertThat(local.durability()).isEqualTo(io.mnemo4j.store.embedded.Durability.PROCESS);
    }
    MnemoProperties.Region eu = new MnemoProperties.Region();
    eu.setStore("embedded");
    p.getRegions().put("eu", eu);
    try (var region =
        (io.mnemo4j.store.embedded.EmbeddedStore) MnemoBackends.from(p).openRegion("eu", dir)) {
      assertThat(region.durability()).isEqualTo(io.mnemo4j.store.embedded.Durability.PROCESS);
    }
    runner()
        .withPropertyValues("mnemo.durability=process")
        .run(
            context -> {
              Mnemo mnemo = context.getBean(Mnemo.class);
              String id =
                  mnemo
                      .tenant("acme")
                      .add(List.of(Message.user("no fsync here")), Scope.user("a"))
                      .getFirst()
                      .id();
              assertThat(mnemo.tenant("acme").get(id)).map(m -> m.text()).contains("no fsync here");
            });
  }

  @Test
  void badSettings_failTheStartWithTheSettingsName() {
    runner()
        .withPropertyValues("mnemo.durability=sometimes")
        .run(c -> assertThat(c).getFailure().rootCause().hasMessageContaining("mnemo.durability"));
    runner()
        .withPropertyValues("mnemo.store=mongo")
        .run(c -> assertThat(c).getFailure().rootCause().hasMessageContaining("mnemo.store"));
    runner()
        .withPropertyValues("mnemo.near-duplicate-threshold=2")
        .run(
            c ->
                assertThat(c)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("nearDuplicateThreshold"));
    runner()
        .withPropertyValues("mnemo.advisor.template=no placeholder")
        .run(
            c ->
                assertThat(c)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("mnemo.advisor.template"));
    runner()
        .withPropertyValues("mnemo.store=postgres")
        .run(
            c -> assertThat(c).getFailure().rootCause().hasMessageContaining("mnemo.postgres.url"));
    runner()
        .withPropertyValues("mnemo.regions.eu.store=embedded", "mnemo.default-region=us")
        .run(
            c ->
                assertThat(c)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("mnemo.default-region"));
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBeans {
    @Bean(destroyMethod = "close")
    Mnemo myMnemo() {
      return Mnemo.builder().embedder(new HashingEmbedder()).backend(new InMemoryBackend()).build();
    }

    @Bean
    ChatMemoryRepository myRepository() {
      return new InMemoryChatMemoryRepository();
    }

    @Bean
    MnemoMemoryAdvisor myAdvisor(Mnemo mnemo) {
      return MnemoMemoryAdvisor.builder(mnemo).limit(1).build();
    }
  }

  @Test
  void applicationBeans_winAndTheAutoConfiguredOnesBackOff() {
    runner()
        .withUserConfiguration(OwnBeans.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(Mnemo.class).hasBean("myMnemo");
              assertThat(context).hasSingleBean(ChatMemoryRepository.class).hasBean("myRepository");
              assertThat(context).hasSingleBean(MnemoMemoryAdvisor.class).hasBean("myAdvisor");
              // The application's Mnemo holds no files of ours.
              assertThat(dir.resolve("catalog.db")).doesNotExist();
            });
  }

  @Test
  void disabled_createsNothing() {
    runner()
        .withPropertyValues("mnemo.enabled=false")
        .run(
            c ->
                assertThat(c)
                    .doesNotHaveBean(Mnemo.class)
                    .doesNotHaveBean(ChatMemoryRepository.class));
    runner()
        .withPropertyValues("mnemo.chat-memory.enabled=false", "mnemo.advisor.enabled=false")
        .run(
            c ->
                assertThat(c)
                    .hasSingleBean(Mnemo.class)
                    .doesNotHaveBean(ChatMemoryRepository.class)
                    .doesNotHaveBean(MnemoMemoryAdvisor.class));
  }

  @Test
  void withoutSpringAiActuatorOrMicrometer_theMnemoBeanStillWorks() {
    runner()
        .withClassLoader(
            new FilteredClassLoader(
                "org.springframework.ai", "org.springframework.boot.health", "io.micrometer"))
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(Mnemo.class);
              assertThat(context).doesNotHaveBean("mnemoChatMemoryRepository");
              assertThat(context).doesNotHaveBean("mnemoHealthIndicator");
              assertThat(context).doesNotHaveBean("mnemoMeters");
              Mnemo mnemo = context.getBean(Mnemo.class);
              mnemo.tenant("t").add(List.of(Message.user("still works")), Scope.user("u"));
              assertThat(mnemo.tenant("t").search("works", Search.in(Scope.user("u")))).hasSize(1);
            });
  }

  @Test
  void chatMemoryRepository_keepsWindowsInTheTenant_acrossRestarts() {
    runner()
        .run(
            context -> {
              ChatMemoryRepository repo = context.getBean(ChatMemoryRepository.class);
              repo.saveAll(
                  "conv-1",
                  List.of(new UserMessage("hello"), new AssistantMessage("hi, how can I help?")));
            });
    runner()
        .run(
            context -> {
              ChatMemoryRepository repo = context.getBean(ChatMemoryRepository.class);
              assertThat(repo.findConversationIds()).containsExactly("conv-1");
              assertThat(repo.findByConversationId("conv-1"))
                  .containsExactly(
                      new UserMessage("hello"), new AssistantMessage("hi, how can I help?"));
              assertThat(context.getBean(Mnemo.class).tenant("default").conversation("conv-1"))
                  .extracting(ConversationMessage::role)
                  .containsExactly(Role.USER, Role.ASSISTANT);
              repo.deleteByConversationId("conv-1");
              assertThat(repo.findConversationIds()).isEmpty();
            });
  }

  @Test
  void postgres_singleDatabase_holdsCatalogMemoriesAndWindows() {
    String db = TestDatabases.create();
    try {
      runner()
          .withPropertyValues(
              "mnemo.store=postgres",
              "mnemo.postgres.url=" + TestDatabases.SERVER + db,
              "mnemo.postgres.user=postgres",
              "mnemo.postgres.pool-size=2")
          .run(
              context -> {
                assertThat(context).hasNotFailed();
                Mnemo mnemo = context.getBean(Mnemo.class);
                mnemo
                    .tenant("acme")
                    .add(List.of(Message.user("stored in PostgreSQL")), Scope.user("u"));
                assertThat(mnemo.tenant("acme").search("PostgreSQL", Search.in(Scope.user("u"))))
                    .hasSize(1);
                context
                    .getBean(ChatMemoryRepository.class)
                    .saveAll("c", List.of(new UserMessage("window on PostgreSQL")));
                assertThat(mnemo.tenant("default").conversation("c")).hasSize(1);
                // Nothing embedded was written: the catalog is in the database too.
                assertThat(dir.resolve("catalog.db")).doesNotExist();
              });
    } finally {
      TestDatabases.drop(db);
    }
  }

  @Test
  void embedderProperty_selectsTheOnnxModel() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MnemoAutoConfiguration.class))
        .withPropertyValues("mnemo.data-dir=" + dir, "mnemo.embedder=all-minilm-l6-v2-q")
        .run(
            context ->
                assertThat(context.getBean(Mnemo.class).operations().embedder().modelId())
                    .isEqualTo("all-minilm-l6-v2-q"));
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MnemoAutoConfiguration.class))
        .withPropertyValues("mnemo.data-dir=" + dir, "mnemo.embedder=word2vec")
        .run(c -> assertThat(c).getFailure().rootCause().hasMessageContaining("word2vec"));
  }

  @Test
  void applicationBackendBean_isUsed() {
    InMemoryBackend backend = new InMemoryBackend();
    runner()
        .withBean(io.mnemo4j.spi.Backend.class, () -> backend)
        .run(
            context -> {
              context
                  .getBean(Mnemo.class)
                  .tenant("t")
                  .add(List.of(Message.user("x")), Scope.user("u"));
              assertThat(backend.tenantsIn("local", "0")).isEqualTo(1);
              assertThat(dir.resolve("catalog.db")).doesNotExist();
            });
  }

  /** An embedder slow enough that a queued add is still running when the context closes. */
  static final class SlowEmbedder implements Embedder {
    private final HashingEmbedder delegate = new HashingEmbedder();

    @Override
    public String modelId() {
      return delegate.modelId();
    }

    @Override
    public int dimension() {
      return delegate.dimension();
    }

    @Override
    public float[] embed(String text, Purpose purpose) {
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return delegate.embed(text, purpose);
    }

    @Override
    public List<float[]> embedAll(List<String> texts, Purpose purpose) {
      return texts.stream().map(t -> embed(t, purpose)).toList();
    }

    @Override
    public void close() {}
  }

  @Test
  void shutdown_waitsForQueuedAdds() {
    ApplicationContextRunner slow =
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MnemoAutoConfiguration.class))
            .withBean(Embedder.class, SlowEmbedder::new)
            .withPropertyValues("mnemo.data-dir=" + dir);
    slow.run(
        context ->
            context
                .getBean(Mnemo.class)
                .tenant("t")
                .addAsync(
                    List.of(Message.user("queued right before the shutdown")),
                    Scope.user("u"),
                    io.mnemo4j.AddOptions.none()));
    slow.withPropertyValues("mnemo.async.shutdown-timeout=0s")
        .run(
            context ->
                assertThat(
                        context
                            .getBean(Mnemo.class)
                            .tenant("t")
                            .count(Selection.in(Scope.user("u"))))
                    .isEqualTo(1));
  }

  @Test
  void chatMemoryRepository_isTheMnemoOne() {
    runner()
        .run(
            c ->
                assertThat(c.getBean(ChatMemoryRepository.class))
                    .isInstanceOf(MnemoChatMemoryRepository.class));
  }
}
