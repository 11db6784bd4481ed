package io.mnemo4j.store.embedded;

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
import java.util.Map;

/** Builders for test memories and batches. */
final class TestMemories {
  static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  private TestMemories() {}

  /** Sortable ids: m-000001, m-000002... */
  static String id(int n) {
    return String.format(java.util.Locale.ROOT, "m-%06d", n);
  }

  static StoredMemory memory(String id, String text, Scope scope) {
    return memory(id, text, scope, Map.of(), List.of());
  }

  static StoredMemory memory(
      String id, String text, Scope scope, Map<String, Object> metadata, List<String> categories) {
    Memory m =
        new Memory(
            id,
            text,
            "h:" + text.hashCode(),
            scope,
            metadata,
            categories,
            Role.USER,
            "alice-bot",
            T0,
            T0.plusSeconds(60),
            null,
            null,
            null,
            new Memory.Provenance(Memory.Provenance.VERBATIM, List.of("msg-" + id)),
            TestEmbeddings.MODEL,
            MemoryType.EPISODIC);
    return new StoredMemory(m, TestEmbeddings.embed(text));
  }

  static WriteBatch puts(StoredMemory... memories) {
    return puts(List.of(memories));
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
}
