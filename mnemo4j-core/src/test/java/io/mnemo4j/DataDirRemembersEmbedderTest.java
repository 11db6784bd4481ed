package io.mnemo4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.testing.HashingEmbedder;
import io.mnemo4j.testing.InMemoryBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data dir remembers its embedding model. Regression (issue 9): opening a data dir with another
 * {@code --embedder} silently returned nothing from dense search and stored vectors no search could
 * reach. Now the first open records the model and another one is refused, naming both.
 */
class DataDirRemembersEmbedderTest {
  @TempDir Path dir;
  final InMemoryBackend backend = new InMemoryBackend();

  Mnemo open(String model) {
    return Mnemo.builder()
        .dataDir(dir)
        .embedder(new HashingEmbedder(64, model))
        .backend(backend)
        .expirySweep(Duration.ZERO, Duration.ZERO)
        .build();
  }

  @Test
  void open_withAnotherEmbedder_isRefusedNamingTheRecordedModel() {
    try (Mnemo first = open("model-a")) {
      first.tenant("acme").add(List.of(Message.user("hello")), Scope.user("u"));
    }
    assertThatThrownBy(() -> open("model-b"))
        .isInstanceOfSatisfying(
            InvalidRequestException.class,
            e -> {
              assertThat(e.field()).isEqualTo("embedder");
              assertThat(e.getMessage()).contains("model-a").contains("model-b");
            });
    try (Mnemo again = open("model-a")) {
      assertThat(again.tenant("acme").count(Selection.everywhere())).isEqualTo(1);
    }
  }
}
