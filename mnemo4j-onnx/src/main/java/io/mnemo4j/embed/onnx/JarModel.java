package io.mnemo4j.embed.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * An ONNX model and its tokenizer shipped as resources of a LangChain4j model jar, run in an ONNX
 * Runtime session created with this project's {@link #sessionOptions() options} and shared by every
 * embedder of the model in the JVM.
 *
 * <p>Why not LangChain4j's own model class: it creates its session with ONNX Runtime's defaults,
 * where the intra-op worker threads spin while they wait for work. On the two shared cores this
 * project runs on, that spinning took the core that the SQLite commit, the background indexer and
 * other requests needed: measured side by side under load, one embedding cost 15-18 ms of CPU
 * instead of 7, and four threads embedded 50-60 texts/s instead of 130 (BENCHMARKS.md, "ONNX
 * Runtime without spinning"). The thread count is set explicitly, which also keeps ONNX Runtime
 * from pinning its threads to cores.
 *
 * <p>The resources are found by name on this class's class loader, never through LangChain4j's
 * model class: its initialiser would load a second session, and a model whose jar is not on the
 * class path fails alone, when it is opened, with a message naming the artifact to add.
 *
 * @param artifact the Maven coordinates of the jar holding the resources
 * @param baseName the resources' common name: {@code baseName.onnx} and {@code
 *     baseName-tokenizer.json}
 * @param pooling how the model's token vectors become one vector
 * @param dimension the model's vector length
 */
record JarModel(String artifact, String baseName, PoolingMode pooling, int dimension) {
  /** Encoders already loaded; a model is loaded once per JVM. */
  private static final Map<JarModel, OnnxBertBiEncoder> LOADED = new HashMap<>();

  /** Most threads one text is embedded on: a small model's operators gain little beyond. */
  static final int MAX_INTRA_OP_THREADS = 4;

  /** The options every session of an in-jar model is created with. */
  static OrtSession.SessionOptions sessionOptions() throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    // Idle intra-op threads sleep instead of spinning (see the type's comment).
    options.addConfigEntry("session.intra_op.allow_spinning", "0");
    options.addConfigEntry("session.inter_op.allow_spinning", "0");
    // An explicit count, even the cores' own: left at 0, ONNX Runtime also pins each thread to a
    // core, and a pinned thread waits for its core when other work holds it (one text took 7-13
    // ms at p50 instead of 6-9 beside the helpers' builds, BENCHMARKS.md).
    options.setIntraOpNumThreads(
        Math.min(MAX_INTRA_OP_THREADS, Runtime.getRuntime().availableProcessors()));
    return options;
  }

  /** A LangChain4j model of this jar model running its texts on {@code executor}. */
  EmbeddingModel create(Executor executor) {
    OnnxBertBiEncoder encoder = encoder();
    Integer known = dimension;
    return new AbstractInProcessEmbeddingModel(executor) {
      @Override
      protected OnnxBertBiEncoder model() {
        return encoder;
      }

      @Override
      protected Integer knownDimension() {
        return known;
      }
    };
  }

  /** {@link #create} as a factory. */
  Function<Executor, EmbeddingModel> factory() {
    return this::create;
  }

  /**
   * The shared encoder, loaded on first use (one to a few seconds). Loading holds a lock, so two
   * first calls load once.
   */
  OnnxBertBiEncoder encoder() {
    synchronized (LOADED) {
      OnnxBertBiEncoder loaded = LOADED.get(this);
      if (loaded == null) {
        loaded = load();
        LOADED.put(this, loaded);
      }
      return loaded;
    }
  }

  private OnnxBertBiEncoder load() {
    ClassLoader loader = JarModel.class.getClassLoader();
    // The session keeps its own copy of the options: theirs is freed here.
    try (InputStream model = resource(loader, baseName + ".onnx");
        InputStream tokenizer = resource(loader, baseName + "-tokenizer.json");
        OrtSession.SessionOptions options = sessionOptions()) {
      OrtEnvironment environment = OrtEnvironment.getEnvironment();
      OrtSession session = environment.createSession(model.readAllBytes(), options);
      return new OnnxBertBiEncoder(environment, session, tokenizer, pooling);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read model " + baseName, e);
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime could not load model " + baseName, e);
    }
  }

  private InputStream resource(ClassLoader loader, String name) {
    InputStream in = loader.getResourceAsStream(name);
    if (in == null) {
      throw new MissingJar(artifact, name);
    }
    return in;
  }

  /** The model's jar is not on the class path (an optional model the application did not add). */
  static final class MissingJar extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The Maven coordinates of the jar to add. */
    final String artifact;

    MissingJar(String artifact, String resource) {
      super("resource " + resource + " is not on the class path: add the jar " + artifact);
      this.artifact = artifact;
    }
  }
}
