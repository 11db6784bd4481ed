package io.mnemo4j.bench;

import io.mnemo4j.spi.Embedder;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Real texts embedded once by a real model, the seed of synthetic corpora: memories reuse a pool
 * text with a unique suffix and the pool vector with a little noise. Cached in the work directory
 * by model and texts. Immutable.
 *
 * @param model the embedding model id
 * @param texts the texts
 * @param vectors their unit vectors, in order
 * @param embedSeconds how long embedding took (0 when read from the cache)
 * @param cached whether the vectors came from the cache
 */
record Pool(
    String model, List<String> texts, List<float[]> vectors, double embedSeconds, boolean cached) {
  private static final int MAGIC = 0x4d4e5031; // "MNP1"

  int size() {
    return texts.size();
  }

  /**
   * The pool of {@code texts} embedded as documents by {@code embedder}, from the cache in {@code
   * workDir} if there.
   */
  static Pool load(List<String> texts, Embedder embedder, Path workDir) {
    Path file =
        workDir.resolve(
            "pool-" + embedder.modelId() + "-" + texts.size() + "-" + digest(texts) + ".bin");
    if (Files.isReadable(file)) {
      try {
        return read(file, texts);
      } catch (IOException | RuntimeException e) {
        System.err.println("ignoring unreadable pool cache " + file + ": " + e);
      }
    }
    long t0 = System.nanoTime();
    List<float[]> vectors = new ArrayList<>(texts.size());
    int step = 100;
    for (int i = 0; i < texts.size(); i += step) {
      vectors.addAll(
          embedder.embedAll(
              texts.subList(i, Math.min(texts.size(), i + step)), Embedder.Purpose.DOCUMENT));
      if ((i / step) % 10 == 9) {
        System.err.printf("  pool: embedded %d / %d texts%n", vectors.size(), texts.size());
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    Pool pool =
        new Pool(embedder.modelId(), List.copyOf(texts), List.copyOf(vectors), seconds, false);
    try {
      write(file, pool);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the pool cache " + file, e);
    }
    return pool;
  }

  private static void write(Path file, Pool pool) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
      out.writeInt(MAGIC);
      out.writeUTF(pool.model);
      out.writeInt(pool.size());
      out.writeInt(pool.vectors.get(0).length);
      for (float[] v : pool.vectors) {
        for (float x : v) {
          out.writeFloat(x);
        }
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static Pool read(Path file, List<String> texts) throws IOException {
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      if (in.readInt() != MAGIC) {
        throw new IOException("not a pool file");
      }
      String model = in.readUTF();
      int n = in.readInt();
      int dim = in.readInt();
      if (n != texts.size()) {
        throw new IOException("pool has " + n + " vectors for " + texts.size() + " texts");
      }
      List<float[]> vectors = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        float[] v = new float[dim];
        for (int j = 0; j < dim; j++) {
          v[j] = in.readFloat();
        }
        vectors.add(v);
      }
      return new Pool(model, List.copyOf(texts), List.copyOf(vectors), 0, true);
    }
  }

  /** A short digest of the texts, so a changed data set never reuses stale vectors. */
  static String digest(List<String> texts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String t : texts) {
        md.update(t.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
