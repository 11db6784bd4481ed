package io.mnemo4j.embed.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.ModelException;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.Embedder.Purpose;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OnnxEmbedderTest {
  private static final Map<String, OnnxEmbedder> OPEN = new LinkedHashMap<>();
  private static OnnxEmbedder bge;
  private static OnnxEmbedder miniLm;

  @BeforeAll
  static void loadModels() {
    bge = open("bge-small-en-v1.5-q");
    miniLm = open("all-minilm-l6-v2-q");
  }

  @AfterAll
  static void closeModels() {
    OPEN.values().forEach(OnnxEmbedder::close);
    OPEN.clear();
  }

  /**
   * Model names, not embedders: JUnit closes {@code AutoCloseable} arguments after each
   * parameterized test.
   */
  static Stream<String> embedders() {
    return OnnxEmbedder.names().stream();
  }

  /** One embedder per model for the whole class: loading a model takes seconds. */
  private static synchronized OnnxEmbedder open(String name) {
    return OPEN.computeIfAbsent(name, OnnxEmbedder::byName);
  }

  @ParameterizedTest
  @MethodSource("embedders")
  void embed_anyPurpose_isUnitVectorOfModelDimension(String model) {
    OnnxEmbedder embedder = open(model);
    for (Purpose purpose : Purpose.values()) {
      float[] vector =
          embedder.embed("Melanie painted a sunrise over the lake last weekend.", purpose);

      assertThat(vector).hasSize(384).hasSize(embedder.dimension());
      assertThat(norm(vector)).isCloseTo(1.0, within(1e-5));
    }
  }

  @ParameterizedTest
  @MethodSource("embedders")
  void embed_paraphrasePair_scoresHigherThanUnrelatedPair(String model) {
    OnnxEmbedder embedder = open(model);
    float[] a =
        embedder.embed("I adopted a puppy from the animal shelter last month.", Purpose.DOCUMENT);
    float[] paraphrase =
        embedder.embed("A few weeks ago I got a young dog from the pound.", Purpose.DOCUMENT);
    float[] unrelated =
        embedder.embed("The quarterly tax report is due on Friday.", Purpose.DOCUMENT);

    assertThat(dot(a, paraphrase)).isGreaterThan(dot(a, unrelated) + 0.1);
  }

  @ParameterizedTest
  @MethodSource("embedders")
  void embed_query_findsRelevantDocumentAboveIrrelevantOne(String model) {
    OnnxEmbedder embedder = open(model);
    float[] query = embedder.embed("What pet does Caroline have?", Purpose.QUERY);
    float[] relevant =
        embedder.embed("Caroline: my cat Oliver slept on my keyboard all day.", Purpose.DOCUMENT);
    float[] irrelevant =
        embedder.embed("Melanie: we drove to the beach and swam all afternoon.", Purpose.DOCUMENT);

    assertThat(dot(query, relevant)).isGreaterThan(dot(query, irrelevant));
  }

  @Test
  void embed_queryPurpose_addsInstructionForBgeOnly() {
    String text = "where did Caroline move from?";

    assertThat(bge.embed(text, Purpose.QUERY)).isNotEqualTo(bge.embed(text, Purpose.DOCUMENT));
    assertThat(miniLm.embed(text, Purpose.QUERY)).isEqualTo(miniLm.embed(text, Purpose.DOCUMENT));
  }

  @Test
  void bgeFp32_isTheQuantizedModelsFullPrecisionTwin_notTheSameVectors() {
    OnnxEmbedder fp32 = open("bge-small-en-v1.5");
    for (String text : sentences(5)) {
      for (Purpose purpose : Purpose.values()) {
        float[] full = fp32.embed(text, purpose);
        float[] quantized = bge.embed(text, purpose);

        // Same weights up to int8 rounding: nearly the same direction, yet another model id.
        assertThat(dot(full, quantized)).isGreaterThan(0.95).isLessThan(0.99999);
      }
    }
    assertThat(fp32.modelId()).isNotEqualTo(bge.modelId());
    assertThat(fp32.model().queryInstruction()).isEqualTo(bge.model().queryInstruction());
  }

  @Test
  void byName_queryInstructionOff_embedsQueriesLikeDocuments() {
    String text = "where did Caroline move from?";
    try (OnnxEmbedder plain = OnnxEmbedder.byName("bge-small-en-v1.5-q", false)) {
      assertThat(plain.modelId()).isEqualTo(bge.modelId());
      assertThat(plain.embed(text, Purpose.QUERY)).isEqualTo(bge.embed(text, Purpose.DOCUMENT));
      assertThat(plain.embed(text, Purpose.DOCUMENT)).isEqualTo(bge.embed(text, Purpose.DOCUMENT));
    }
  }

  @ParameterizedTest
  @MethodSource("embedders")
  void embedAll_severalTexts_equalsEmbedOneByOne(String model) {
    OnnxEmbedder embedder = open(model);
    List<String> texts = sentences(12);
    for (Purpose purpose : Purpose.values()) {
      List<float[]> all = embedder.embedAll(texts, purpose);

      assertThat(all).hasSize(texts.size());
      for (int i = 0; i < texts.size(); i++) {
        assertThat(all.get(i))
            .containsExactly(embedder.embed(texts.get(i), purpose), within(1e-5f));
      }
    }
  }

  @Test
  void embedAll_noTexts_isEmpty() {
    assertThat(bge.embedAll(List.of(), Purpose.DOCUMENT)).isEmpty();
  }

  @Test
  void embedAll_workerThreads_areNamedDaemons() {
    bge.embedAll(sentences(8), Purpose.DOCUMENT);

    List<Thread> workers =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("mnemo4j-onnx-bge-small-en-v1.5-q-"))
            .toList();
    assertThat(workers).isNotEmpty().allMatch(Thread::isDaemon);
  }

  @ParameterizedTest
  @MethodSource("embedders")
  void embed_textLongerThanModelWindow_ignoresTheRest(String model) {
    OnnxEmbedder embedder = open(model);
    int max = embedder.model().maxWordPieces();
    String full = "cat ".repeat(max); // "cat" is one word piece in both vocabularies
    String oneShort = "cat ".repeat(max - 1);

    assertThat(embedder.embed(full + "dog dog", Purpose.DOCUMENT))
        .isEqualTo(embedder.embed(full, Purpose.DOCUMENT));
    assertThat(embedder.embed(oneShort + "dog dog", Purpose.DOCUMENT))
        .isNotEqualTo(embedder.embed(oneShort, Purpose.DOCUMENT));
  }

  @ParameterizedTest
  @MethodSource("embedders")
  void embed_blankText_isInvalidRequestOnText(String model) {
    OnnxEmbedder embedder = open(model);
    for (String blank : List.of("", "   ", "\n\t")) {
      assertThatThrownBy(() -> embedder.embed(blank, Purpose.QUERY))
          .isInstanceOfSatisfying(
              InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("text"));
    }
  }

  @Test
  void embedAll_blankText_namesItsIndex() {
    assertThatThrownBy(() -> bge.embedAll(List.of("a fine sentence", " "), Purpose.DOCUMENT))
        .isInstanceOfSatisfying(
            InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("texts[1]"));
  }

  @Test
  void byName_knownNames_openThoseModels() {
    assertThat(OnnxEmbedder.names())
        .containsExactly("bge-small-en-v1.5-q", "all-minilm-l6-v2-q", "bge-small-en-v1.5");
    for (String name : OnnxEmbedder.names()) {
      try (OnnxEmbedder embedder = OnnxEmbedder.byName(name)) {
        assertThat(embedder.modelId()).isEqualTo(name);
        assertThat(embedder.dimension()).isEqualTo(384);
      }
    }
    assertThat(bge.modelId()).isEqualTo("bge-small-en-v1.5-q");
    assertThat(miniLm.modelId()).isEqualTo("all-minilm-l6-v2-q");
  }

  @Test
  void byName_unknownName_failsListingKnownNames() {
    assertThatThrownBy(() -> OnnxEmbedder.byName("text-embedding-3-small"))
        .isInstanceOfSatisfying(
            InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("embedder"))
        .hasMessageContaining("text-embedding-3-small")
        .hasMessageContaining("bge-small-en-v1.5-q")
        .hasMessageContaining("all-minilm-l6-v2-q");
  }

  @ParameterizedTest
  @MethodSource("embedders")
  void embed_fromFourThreads_equalsSequential(String model) throws Exception {
    OnnxEmbedder embedder = open(model);
    List<String> texts = sentences(40);
    List<float[]> sequential = new ArrayList<>();
    for (String text : texts) {
      sequential.add(embedder.embed(text, Purpose.QUERY));
    }

    ExecutorService pool =
        Executors.newFixedThreadPool(4, Thread.ofPlatform().name("test-embed-", 0).factory());
    try {
      List<Future<float[]>> futures = new ArrayList<>();
      for (int round = 0; round < 2; round++) {
        for (String text : texts) {
          futures.add(pool.submit(() -> embedder.embed(text, Purpose.QUERY)));
        }
      }
      for (int i = 0; i < futures.size(); i++) {
        assertThat(futures.get(i).get()).isEqualTo(sequential.get(i % texts.size()));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void embed_afterClose_failsNotRetriable() {
    Embedder embedder = OnnxEmbedder.byName("all-minilm-l6-v2-q");
    embedder.embed("still open", Purpose.DOCUMENT);
    embedder.close();
    embedder.close();

    assertThatThrownBy(() -> embedder.embed("closed now", Purpose.DOCUMENT))
        .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.retriable()).isFalse())
        .hasMessageContaining("all-minilm-l6-v2-q")
        .hasMessageNotContaining("closed now");
    assertThatThrownBy(() -> embedder.embedAll(List.of("a", "b"), Purpose.DOCUMENT))
        .isInstanceOf(ModelException.class);
  }

  private static List<String> sentences(int count) {
    String[] subjects = {"Caroline", "Melanie", "Jon", "Gina", "Tim"};
    String[] things = {
      "a pottery class",
      "the charity race",
      "her adoption interview",
      "a camping trip",
      "his new job"
    };
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String thing = things[(i * 3) % things.length];
      texts.add(subjects[i % subjects.length] + ": I told you about " + thing + " (" + i + ")");
    }
    return texts;
  }

  private static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * b[i];
    }
    return sum;
  }

  private static double norm(float[] v) {
    return Math.sqrt(dot(v, v));
  }
}
