package io.mnemo4j.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.spi.Embedder.Purpose;
import io.mnemo4j.testing.HashingEmbedder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimedEmbedderTest {
  private record Call(Purpose purpose, int texts, long nanos) {}

  @Test
  void everyCall_isReportedWithItsPurposeAndTextCount_andTheVectorsAreTheDelegates() {
    Embedder delegate = new HashingEmbedder(16, "hash-16");
    List<Call> calls = new ArrayList<>();
    TimedEmbedder timed =
        new TimedEmbedder(delegate, (p, n, nanos) -> calls.add(new Call(p, n, nanos)));

    float[] one = timed.embed("tea", Purpose.QUERY);
    List<float[]> three = timed.embedAll(List.of("a", "b", "c"), Purpose.DOCUMENT);

    assertThat(one).containsExactly(delegate.embed("tea", Purpose.QUERY));
    assertThat(three).hasSize(3);
    assertThat(three.get(2)).containsExactly(delegate.embed("c", Purpose.DOCUMENT));
    assertThat(calls).extracting(Call::purpose).containsExactly(Purpose.QUERY, Purpose.DOCUMENT);
    assertThat(calls).extracting(Call::texts).containsExactly(1, 3);
    assertThat(calls).allSatisfy(c -> assertThat(c.nanos()).isNotNegative());
    assertThat(timed.modelId()).isEqualTo(delegate.modelId());
    assertThat(timed.dimension()).isEqualTo(16);
  }

  @Test
  void aFailingCall_isReportedToo_andItsErrorPropagates() {
    List<Call> calls = new ArrayList<>();
    Embedder broken =
        new TimedEmbedder(
            new Embedder() {
              @Override
              public String modelId() {
                return "broken";
              }

              @Override
              public int dimension() {
                return 4;
              }

              @Override
              public float[] embed(String text, Purpose purpose) {
                throw new IllegalStateException("model gone");
              }

              @Override
              public List<float[]> embedAll(List<String> texts, Purpose purpose) {
                throw new IllegalStateException("model gone");
              }

              @Override
              public void close() {}
            },
            (p, n, nanos) -> calls.add(new Call(p, n, nanos)));

    assertThatThrownBy(() -> broken.embed("x", Purpose.DOCUMENT)).hasMessage("model gone");
    assertThatThrownBy(() -> broken.embedAll(List.of("x", "y"), Purpose.QUERY))
        .hasMessage("model gone");
    assertThat(calls).extracting(Call::texts).containsExactly(1, 2);
  }
}
