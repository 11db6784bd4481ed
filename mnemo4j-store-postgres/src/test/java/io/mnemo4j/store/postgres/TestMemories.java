package io.mnemo4j.store.postgres;

import io.mnemo4j.EventType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryType;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.WriteBatch;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Builders for test memories, embeddings and batches. */
final class TestMemories {
  static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  static final int DIM = 64;
  static final String MODEL = "test-hash-64";

  private TestMemories() {}

  /** Sortable ids: m-000001, m-000002... */
  static String id(int n) {
    return String.format(Locale.ROOT, "m-%06d", n);
  }

  static StoredMemory memory(String id, String text, Scope scope) {
    return memory(id, text, scope, Map.of());
  }

  static StoredMemory memory(String id, String text, Scope scope, Map<String, Object> metadata) {
    Memory m =
        new Memory(
            id,
            text,
            "h:" + text.hashCode(),
            scope,
            metadata,
            List.of(),
            Role.USER,
            "alice-bot",
            T0,
            T0.plusSeconds(60),
            null,
            null,
            null,
            new Memory.Provenance(Memory.Provenance.VERBATIM, List.of("msg-" + id)),
            MODEL,
            MemoryType.EPISODIC);
    return new StoredMemory(m, embed(text));
  }

  static WriteBatch puts(List<StoredMemory> memories) {
    return new WriteBatch(
        memories.stream().<Change>map(Change.Put::new).toList(),
        memories.stream().map(m -> add(m.memory())).toList(),
        List.of());
  }

  static HistoryEntry add(Memory m) {
    return new HistoryEntry(
        "h-" + m.id(), m.id(), EventType.ADD, null, m.text(), "user", m.createdAt());
  }

  /** Words hashed into 64 buckets, L2-normalised. */
  static float[] embed(String text) {
    float[] v = new float[DIM];
    for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (!word.isEmpty()) {
        int h = word.hashCode();
        v[Math.floorMod(h, DIM)] += 1f;
        v[Math.floorMod(h >>> 7, DIM)] += 0.5f;
      }
    }
    return normalize(v);
  }

  static float[] normalize(float[] v) {
    double sum = 0;
    for (float f : v) {
      sum += f * f;
    }
    if (sum == 0) {
      v[0] = 1f;
      return v;
    }
    float norm = (float) Math.sqrt(sum);
    for (int i = 0; i < v.length; i++) {
      v[i] /= norm;
    }
    return v;
  }
}
