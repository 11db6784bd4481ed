package io.mnemo4j.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.mnemo4j.Hit;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.TenantId;
import io.mnemo4j.spring.ai.MnemoChatMemoryRepository;
import io.mnemo4j.spring.ai.MnemoMemoryAdvisor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

/**
 * An application with the auto-configuration and not one {@code mnemo.*} property: the embedded
 * store under {@code ./mnemo-data} (the test runs in a scratch working directory, emptied first)
 * and the in-jar ONNX embedder, with health, metrics and the Spring AI beans.
 */
@SpringBootTest(classes = TestApplications.Plain.class)
@DirtiesContext
class StarterDefaultsTest {
  private static final Path DATA = Path.of("mnemo-data");

  @Autowired Mnemo mnemo;
  @Autowired ChatMemoryRepository chatMemoryRepository;
  @Autowired MnemoMemoryAdvisor advisor;
  @Autowired MeterRegistry meters;

  @Autowired
  @org.springframework.beans.factory.annotation.Qualifier("mnemoHealthIndicator")
  HealthIndicator health;

  @BeforeAll
  static void emptyTheDefaultDataDir() throws IOException {
    if (Files.exists(DATA)) {
      try (Stream<Path> files = Files.walk(DATA)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  @Test
  void noProperties_embeddedStoreInDataDirAndOnnxEmbedder_addAndSearchWork() {
    List<?> added =
        mnemo
            .tenant("default")
            .add(List.of(Message.user("I take my coffee black")), Scope.user("alice"));
    List<Hit> hits =
        mnemo.tenant("default").search("how do I like coffee?", Search.in(Scope.user("alice")));

    assertThat(added).hasSize(1);
    assertThat(hits).extracting(h -> h.memory().text()).containsExactly("I take my coffee black");
    assertThat(mnemo.operations().embedder().modelId()).isEqualTo("bge-small-en-v1.5-q");
    assertThat(DATA.resolve("catalog.db")).exists();
    assertThat(DATA.resolve("local").resolve("default")).isDirectory();
    assertThat(mnemo.operations().inference(TenantId.of("default")).modelIfAny()).isEmpty();
  }

  @Test
  void noProperties_healthMetricsAndSpringAiBeansArePresent() {
    mnemo.tenant("default").search("warm up", Search.in(Scope.user("bob")));

    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    assertThat(health.health().getDetails()).containsEntry("embedder", "bge-small-en-v1.5-q");
    assertThat(meters.get("mnemo.tenants.open").gauge().value()).isGreaterThanOrEqualTo(1);
    assertThat(meters.get("mnemo.embedder.latency").tag("purpose", "query").timer().count())
        .isPositive();
    assertThat(chatMemoryRepository).isInstanceOf(MnemoChatMemoryRepository.class);
    assertThat(((MnemoChatMemoryRepository) chatMemoryRepository).tenant().info().id().value())
        .isEqualTo("default");
    assertThat(advisor.getOrder()).isEqualTo(MnemoMemoryAdvisor.DEFAULT_ORDER);
  }
}
