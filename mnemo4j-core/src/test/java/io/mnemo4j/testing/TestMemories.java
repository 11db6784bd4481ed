package io.mnemo4j.testing;

import io.mnemo4j.EventType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryType;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.internal.util.TextHash;
import io.mnemo4j.internal.util.Uuid7;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.WriteBatch;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Builders for the memories and batches store tests write straight to a {@link
 * io.mnemo4j.spi.TenantStore}, embedded with {@link TestEmbeddings}. Stateless.
 */
public final class TestMemories {
  /** When every test memory was created. */
  public static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  private TestMemories() {}

  /** Sortable ids: m-000001, m-000002... */
  public static String id(int n) {
    return String.format(Locale.ROOT, "m-%06d", n);
  }

  /**
   * The text hash the engine stores with a memory, for tests in other modules that write rows
   * through the SPI as the engine would (the hash itself is internal).
   */
  public static String textHash(String text) {
    return TextHash.of(text);
  }

  /** Time-ordered ids as the engine makes them, for rows written straight through the SPI. */
  public static Supplier<String> engineIds(Clock clock) {
    return new Uuid7(clock);
  }

  /** A memory of {@code text} in {@code scope}, without metadata or categories. */
  public static StoredMemory memory(String id, String text, Scope scope) {
    return memory(id, text, scope, Map.of(), List.of());
  }

  /** A memory of {@code text} in {@code scope} with metadata, without categories. */
  public static StoredMemory memory(
      String id, String text, Scope scope, Map<String, Object> metadata) {
    return memory(id, text, scope, metadata, List.of());
  }

  /** A memory said by a user, stored verbatim at {@link #T0}, with its {@link TestEmbeddings}. */
  public static StoredMemory memory(
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

  /** The same memory created (and last updated) at {@code at}: another add's, or an add's own. */
  public static StoredMemory at(StoredMemory stored, Instant at) {
    Memory m = stored.memory();
    return copy(
        stored,
        m.scope(),
        m.actor(),
        at,
        at,
        m.embeddingModel(),
        stored.embedding(),
        stored.context());
  }

  /** The same memory said by another actor (a speaker's name). */
  public static StoredMemory withActor(StoredMemory stored, String actor) {
    Memory m = stored.memory();
    return copy(
        stored,
        m.scope(),
        actor,
        m.createdAt(),
        m.updatedAt(),
        m.embeddingModel(),
        stored.embedding(),
        stored.context());
  }

  /** The same memory embedded by another model, with that model's vector (and no context). */
  public static StoredMemory withModel(StoredMemory stored, String model, float[] vector) {
    Memory m = stored.memory();
    return copy(stored, m.scope(), m.actor(), m.createdAt(), m.updatedAt(), model, vector, "");
  }

  /** The same memory in another scope (and no context). */
  public static StoredMemory withScope(StoredMemory stored, Scope scope) {
    Memory m = stored.memory();
    return copy(
        stored,
        scope,
        m.actor(),
        m.createdAt(),
        m.updatedAt(),
        m.embeddingModel(),
        stored.embedding(),
        "");
  }

  /** {@code stored} with the fields the helpers above change; every other field kept. */
  private static StoredMemory copy(
      StoredMemory stored,
      Scope scope,
      String actor,
      Instant createdAt,
      Instant updatedAt,
      String model,
      float[] vector,
      String context) {
    Memory x = stored.memory();
    return new StoredMemory(
        new Memory(
            x.id(),
            x.text(),
            x.hash(),
            scope,
            x.metadata(),
            x.categories(),
            x.role(),
            actor,
            createdAt,
            updatedAt,
            x.expiresAt(),
            x.validFrom(),
            x.validTo(),
            x.provenance(),
            model,
            x.type()),
        vector,
        context);
  }

  /** A batch putting the memories, each with the history row of its addition. */
  public static WriteBatch puts(StoredMemory... memories) {
    return puts(List.of(memories));
  }

  /** A batch putting the memories, each with the history row of its addition. */
  public static WriteBatch puts(List<StoredMemory> memories) {
    return new WriteBatch(
        memories.stream().<Change>map(Change.Put::new).toList(),
        memories.stream().map(m -> add(m.memory())).toList(),
        List.of());
  }

  /** The history row of the memory's addition. */
  public static HistoryEntry add(Memory m) {
    return new HistoryEntry(
        "h-" + m.id(), m.id(), EventType.ADD, null, m.text(), "user", m.createdAt());
  }
}
