package io.mnemo4j.filter;

import io.mnemo4j.Memory;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Builds memories for filter tests: only the fields a filter can see vary. */
final class TestMemories {
  static final Instant CREATED = Instant.parse("2024-01-31T10:00:00Z");
  static final Instant UPDATED = Instant.parse("2024-02-15T08:30:00Z");

  private TestMemories() {}

  static Memory memory(
      Scope scope,
      Map<String, ?> metadata,
      List<String> categories,
      @Nullable Role role,
      @Nullable String actor,
      Instant createdAt,
      Instant updatedAt) {
    @SuppressWarnings("unchecked")
    Map<String, Object> meta = (Map<String, Object>) metadata;
    return new Memory(
        "0190f000-0000-7000-8000-000000000001",
        "text",
        "hash",
        scope,
        meta,
        categories,
        role,
        actor,
        createdAt,
        updatedAt,
        null,
        null,
        null,
        new Memory.Provenance("verbatim", List.of()),
        "test-model",
        io.mnemo4j.MemoryType.EPISODIC);
  }

  /** Alice's memory, role user, actor "Alice", categories food and travel, the given metadata. */
  static Memory alice(Map<String, ?> metadata) {
    return memory(
        new Scope("alice", "bot", "run-1"),
        metadata,
        List.of("food", "travel"),
        Role.USER,
        "Alice",
        CREATED,
        UPDATED);
  }

  /** A tenant-wide memory with nothing set. */
  static Memory bare() {
    return memory(Scope.tenantWide(), Map.of(), List.of(), null, null, CREATED, UPDATED);
  }
}
