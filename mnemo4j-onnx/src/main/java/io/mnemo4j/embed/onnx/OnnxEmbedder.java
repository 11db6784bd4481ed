package io.mnemo4j.embed.onnx;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.ModelException;
import io.mnemo4j.spi.Embedder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * An {@link Embedder} that runs a small quantized sentence-embedding model in process with ONNX
 * Runtime, through LangChain4j's in-process embedding models. The model ships inside a Maven jar:
 * no download, no network.
 *
 * <p>Models, by {@link #names() name}:
 *
 * <ul>
 *   <li>{@code bge-small-en-v1.5-q}: 384 dimensions. {@link Purpose#QUERY} texts are prefixed with
 *       the model's retrieval instruction ({@code "Represent this sentence for searching relevant
 *       passages: "}); documents are not. {@link #byName(String, boolean)} can turn the instruction
 *       off; documents embed the same either way, so the {@link #modelId()} does not change.
 *   <li>{@code all-minilm-l6-v2-q}: 384 dimensions, symmetric (no instruction), faster.
 *   <li>{@code bge-small-en-v1.5}: the same model as {@code bge-small-en-v1.5-q} at full precision
 *       (fp32), same instruction; a little better retrieval for 2 to 3 times the time per text. Its
 *       vectors differ from the quantized model's, so it is another model id.
 * </ul>
 *
 * <p>Vectors are L2-normalised. Long texts are truncated by the tokenizer: the model sees the first
 * 510 word pieces (about 380 English words) for the bge models, the first 126 (about 90 words) for
 * {@code all-minilm-l6-v2-q}, and the query instruction counts toward them; the rest of the text
 * does not affect the vector. Split longer texts before embedding them. Blank texts are refused
 * with an {@link InvalidRequestException} on field {@code text}.
 *
 * <p>Loading: the constructor (each factory) loads the model the first time, which takes one to a
 * few seconds and about 250 MB of memory, mostly native. The ONNX session is kept in a static
 * field, so every embedder of the same model in a class loader shares one session, and {@link
 * #close()} cannot free it (it stays until the class loader goes). Use one embedder per model for
 * the life of the application. ONNX Runtime's intra-op threads sleep when idle instead of spinning,
 * so an embedding leaves the other cores to the rest of the application.
 *
 * <p>Thread-safe: {@link #embed} and {@link #embedAll} may be called from any number of threads at
 * once (ONNX Runtime sessions and the Hugging Face tokenizer are safe for concurrent use). {@code
 * embed} runs in the calling thread; {@code embedAll} of several texts runs on a small pool of
 * named daemon threads owned by the embedder, so no thread keeps the JVM alive. {@link #close()} is
 * idempotent; calls after it fail with a non-retriable {@link ModelException}.
 */
public final class OnnxEmbedder implements Embedder {
  private final OnnxModel model;
  private final String queryPrefix;
  private final ExecutorService executor;
  private final EmbeddingModel delegate;
  private volatile @Nullable IllegalStateException closedAt;

  OnnxEmbedder(OnnxModel model, boolean queryInstruction) {
    this(model, queryInstruction, model::create);
  }

  /** Tests pass a fake {@code factory} to reach the failure paths. */
  OnnxEmbedder(
      OnnxModel model, boolean queryInstruction, Function<Executor, EmbeddingModel> factory) {
    this.model = model;
    this.queryPrefix = queryInstruction ? model.queryInstruction() : "";
    this.executor = newExecutor(model.id());
    try {
      this.delegate = factory.apply(executor);
    } catch (JarModel.MissingJar e) {
      // An optional model jar (bge-small-en-v1.5) the application did not add: say which one.
      executor.shutdownNow();
      throw new ModelException(
          "Embedding model "
              + model.id()
              + " is not on the classpath: add the Maven artifact "
              + e.artifact,
          false,
          e);
    } catch (RuntimeException | LinkageError e) {
      executor.shutdownNow();
      throw new ModelException("Could not load embedding model " + model.id(), false, e);
    }
  }

  /** Opens {@code bge-small-en-v1.5-q} (384 dimensions, query instruction on). */
  public static OnnxEmbedder bgeSmallEnV15Q() {
    return new OnnxEmbedder(OnnxModel.BGE_SMALL_EN_V15_Q, true);
  }

  /** Opens {@code bge-small-en-v1.5}, fp32 (384 dimensions, query instruction on). */
  public static OnnxEmbedder bgeSmallEnV15() {
    return new OnnxEmbedder(OnnxModel.BGE_SMALL_EN_V15, true);
  }

  /** Opens {@code all-minilm-l6-v2-q} (384 dimensions). */
  public static OnnxEmbedder allMiniLmL6V2Q() {
    return new OnnxEmbedder(OnnxModel.ALL_MINILM_L6_V2_Q, true);
  }

  /**
   * Opens the model named {@code name} (one of {@link #names()}), with its query instruction if it
   * has one.
   *
   * @throws InvalidRequestException on field {@code embedder} if no model has that name; the
   *     message lists the names
   */
  public static OnnxEmbedder byName(String name) {
    return byName(name, true);
  }

  /**
   * Opens the model named {@code name}; {@code queryInstruction=false} embeds queries without the
   * model's instruction prefix (for comparing retrieval quality; a no-op for models without one).
   *
   * @throws InvalidRequestException on field {@code embedder} if no model has that name; the
   *     message lists the names
   */
  public static OnnxEmbedder byName(String name, boolean queryInstruction) {
    for (OnnxModel candidate : OnnxModel.values()) {
      if (candidate.id().equals(name)) {
        return new OnnxEmbedder(candidate, queryInstruction);
      }
    }
    throw new InvalidRequestException(
        "embedder",
        "Unknown embedder '" + name + "'; known embedders: " + String.join(", ", names()));
  }

  /** The names {@link #byName(String)} accepts, in a stable order. */
  public static List<String> names() {
    return Arrays.stream(OnnxModel.values()).map(OnnxModel::id).toList();
  }

  @Override
  public String modelId() {
    return model.id();
  }

  @Override
  public int dimension() {
    return model.dimension();
  }

  @Override
  public float[] embed(String text, Purpose purpose) {
    Objects.requireNonNull(purpose, "purpose");
    ensureOpen();
    return embedOne(input(text, purpose, "text"), "text");
  }

  /**
   * Embeds the texts in parallel on this embedder's executor (one text per task: ONNX Runtime does
   * not batch here, and a single short text keeps about one core busy), and returns the vectors in
   * order. Fails as a whole: a blank text fails with an {@link InvalidRequestException} on field
   * {@code texts[i]} before any work is done.
   */
  @Override
  public List<float[]> embedAll(List<String> texts, Purpose purpose) {
    Objects.requireNonNull(purpose, "purpose");
    ensureOpen();
    if (texts.isEmpty()) {
      return List.of();
    }
    List<TextSegment> segments = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      segments.add(TextSegment.from(input(texts.get(i), purpose, "texts[" + i + "]")));
    }
    if (segments.size() == 1) {
      return List.of(embedOne(segments.get(0).text(), "texts[0]"));
    }
    List<Embedding> embeddings;
    try {
      embeddings = delegate.embedAll(segments).content();
    } catch (RuntimeException e) {
      if (Thread.currentThread().isInterrupted()) {
        throw new ModelException("Embedding model " + model.id() + " was interrupted", false, e);
      }
      // LangChain4j wraps the failing task's exception; redo one by one, so the failure names its
      // field.
      ensureOpen();
      List<float[]> vectors = new ArrayList<>(segments.size());
      for (int i = 0; i < segments.size(); i++) {
        vectors.add(embedOne(segments.get(i).text(), "texts[" + i + "]"));
      }
      return vectors;
    }
    List<float[]> vectors = new ArrayList<>(embeddings.size());
    for (Embedding embedding : embeddings) {
      vectors.add(normalised(embedding.vector()));
    }
    return vectors;
  }

  /**
   * Stops the executor; later calls fail. The model's native session is shared and stays loaded
   * (see above).
   */
  @Override
  public void close() {
    if (closedAt == null) {
      closedAt = new IllegalStateException("closed here");
      executor.shutdownNow();
    }
  }

  OnnxModel model() {
    return model;
  }

  @Override
  public String toString() {
    return "OnnxEmbedder["
        + model.id()
        + (queryPrefix.isEmpty() ? "" : ", query instruction")
        + "]";
  }

  private String input(@Nullable String text, Purpose purpose, String field) {
    if (text == null || text.isBlank()) {
      throw new InvalidRequestException(field, field + " must not be empty or blank");
    }
    return purpose == Purpose.QUERY ? queryPrefix + text : text;
  }

  private float[] embedOne(String input, String field) {
    Embedding embedding;
    try {
      embedding = delegate.embedAll(List.of(TextSegment.from(input))).content().get(0);
    } catch (IllegalArgumentException e) {
      // LangChain4j's only argument check inside embed: the tokenizer kept no token (control
      // characters only).
      throw new InvalidRequestException(
          field, field + " has no token that model " + model.id() + " can embed");
    } catch (RuntimeException e) {
      throw new ModelException("Embedding model " + model.id() + " failed", false, e);
    }
    return normalised(embedding.vector());
  }

  private float[] normalised(float[] vector) {
    if (vector.length != model.dimension()) {
      throw new ModelException(
          "Embedding model "
              + model.id()
              + " returned "
              + vector.length
              + " dimensions, expected "
              + model.dimension(),
          false,
          new IllegalStateException("dimension mismatch"));
    }
    double sumOfSquares = 0;
    for (float v : vector) {
      sumOfSquares += (double) v * v;
    }
    if (!(sumOfSquares > 0) || Double.isInfinite(sumOfSquares)) {
      throw new ModelException(
          "Embedding model " + model.id() + " returned a zero or non-finite vector",
          false,
          new IllegalStateException("norm squared " + sumOfSquares));
    }
    double norm = Math.sqrt(sumOfSquares);
    if (Math.abs(norm - 1) > 1e-6) {
      float scale = (float) (1 / norm);
      for (int i = 0; i < vector.length; i++) {
        vector[i] *= scale;
      }
    }
    return vector;
  }

  private void ensureOpen() {
    IllegalStateException closed = closedAt;
    if (closed != null) {
      throw new ModelException("Embedder " + model.id() + " is closed", false, closed);
    }
  }

  /**
   * The executor LangChain4j's {@code embedAll} runs texts on (one task per text): at most four
   * named daemon threads, created on demand and gone after 10 idle seconds, so an idle or forgotten
   * embedder holds no thread.
   */
  private static ExecutorService newExecutor(String modelId) {
    int threads = Math.min(4, Runtime.getRuntime().availableProcessors());
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            10,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            Thread.ofPlatform().name("mnemo4j-onnx-" + modelId + "-", 0).daemon(true).factory());
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
