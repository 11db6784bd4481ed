package io.mnemo4j.bench;

import io.mnemo4j.EventType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Memory;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.internal.util.TextHash;
import io.mnemo4j.internal.util.Uuid7;
import io.mnemo4j.spi.Catalog;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.LongFunction;
import java.util.stream.Stream;

/**
 * Writes synthetic tenants straight through the storage SPI, skipping the embedder: memory {@code
 * i} takes a random pool text plus the unique suffix {@code " [m<i>]"}, and that text's pool vector
 * plus seeded Gaussian noise of norm about {@code noise}, re-normalised. Each memory gets the ADD
 * history row {@code add} would write; raw messages are not kept. Not thread-safe.
 */
final class CorpusWriter {
  /** The region every benchmark tenant lives in. */
  static final String REGION = "local";

  private final Pool pool;
  private final Random random;
  private final double sigma;
  private final Uuid7 ids = new Uuid7(Clock.systemUTC());

  CorpusWriter(Pool pool, long seed, double noise) {
    this.pool = pool;
    this.random = new Random(seed);
    this.sigma = noise / Math.sqrt(pool.vectors().get(0).length);
  }

  /**
   * Records the tenant in the catalog under {@code dataDir}, as {@code Mnemo.createTenant} would.
   */
  static void registerTenants(Path dataDir, List<String> tenants) {
    try (Catalog catalog = EmbeddedBackend.create().openCatalog(dataDir)) {
      Instant now = Instant.now();
      for (String t : tenants) {
        catalog.create(new TenantInfo(TenantId.of(t), REGION, now));
      }
    }
  }

  /** Opens the region store under {@code dataDir}. */
  static MemoryStore openRegion(Path dataDir) {
    return EmbeddedBackend.create().openRegion(REGION, dataDir);
  }

  /** The name of benchmark tenant number {@code index}: {@code t00042}. */
  static String tenantName(int index) {
    return String.format(Locale.ROOT, "t%05d", index);
  }

  /** The names of the first {@code count} tenants, in order. */
  static List<String> tenantNames(int count) {
    List<String> names = new ArrayList<>(count);
    for (int t = 0; t < count; t++) {
      names.add(tenantName(t));
    }
    return names;
  }

  /** The directory of a tenant of the embedded backend. */
  static Path tenantDir(Path dataDir, String tenant) {
    return dataDir.resolve(REGION).resolve(tenant);
  }

  /**
   * Writes {@code count} memories into {@code tenant} in batches of {@code batchSize}, memory
   * {@code i} in scope {@code scopeOf.apply(i)}, numbering from {@code firstIndex}.
   */
  void writeTenant(
      MemoryStore region,
      String tenant,
      long firstIndex,
      long count,
      int batchSize,
      LongFunction<Scope> scopeOf,
      boolean progress) {
    try (TenantStore store = region.open(TenantId.of(tenant))) {
      long written = 0;
      long t0 = System.nanoTime();
      while (written < count) {
        int n = (int) Math.min(batchSize, count - written);
        store.write(addBatch(memories(firstIndex + written, n, scopeOf)));
        written += n;
        if (progress && (written % (batchSize * 10L) == 0 || written == count)) {
          double s = (System.nanoTime() - t0) / 1e9;
          System.err.printf(
              "  %s: wrote %d / %d memories (%.0f/s)%n", tenant, written, count, written / s);
        }
      }
    }
  }

  /**
   * The next {@code count} memories of the sequence, numbered from {@code firstIndex}, memory
   * {@code i} in scope {@code scopeOf.apply(i)}: what {@link #writeTenant} writes.
   */
  List<StoredMemory> memories(long firstIndex, int count, LongFunction<Scope> scopeOf) {
    List<StoredMemory> out = new ArrayList<>(count);
    for (int j = 0; j < count; j++) {
      long i = firstIndex + j;
      out.add(memory(i, scopeOf.apply(i)));
    }
    return out;
  }

  /** A batch putting {@code memories}, each with the ADD history row {@code add} would write. */
  WriteBatch addBatch(List<StoredMemory> memories) {
    List<Change> changes = new ArrayList<>(memories.size());
    List<HistoryEntry> history = new ArrayList<>(memories.size());
    for (StoredMemory m : memories) {
      changes.add(new Change.Put(m));
      history.add(
          new HistoryEntry(
              ids.get(),
              m.id(),
              EventType.ADD,
              null,
              m.memory().text(),
              "user",
              m.memory().createdAt()));
    }
    return new WriteBatch(changes, history, List.of());
  }

  private StoredMemory memory(long index, Scope scope) {
    int k = random.nextInt(pool.size());
    String text = pool.texts().get(k) + " [m" + index + "]";
    float[] base = pool.vectors().get(k);
    float[] v = new float[base.length];
    double sum = 0;
    for (int d = 0; d < v.length; d++) {
      v[d] = (float) (base[d] + sigma * random.nextGaussian());
      sum += (double) v[d] * v[d];
    }
    float scale = (float) (1 / Math.sqrt(sum));
    for (int d = 0; d < v.length; d++) {
      v[d] *= scale;
    }
    Instant now = Instant.now();
    Memory m =
        new Memory(
            ids.get(),
            text,
            TextHash.of(text),
            scope,
            Map.of("pool", k),
            List.of(),
            Role.USER,
            null,
            now,
            now,
            null,
            null,
            null,
            new Memory.Provenance(Memory.Provenance.VERBATIM, List.of()),
            pool.model(),
            io.mnemo4j.MemoryType.EPISODIC);
    return new StoredMemory(m, v);
  }

  /** Total size in bytes of the files under {@code dir} (0 if absent). */
  static long sizeOf(Path dir) {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  return 0; // removed meanwhile (a merged segment)
                }
              })
          .sum();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot measure " + dir, e);
    }
  }

  /** Deletes {@code dir} and everything under it, if present. */
  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
