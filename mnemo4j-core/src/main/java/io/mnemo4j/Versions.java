package io.mnemo4j;

import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.StoredMemory;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Changing a memory's text without losing what it said before. The memory keeps its id and takes
 * the new text, valid from the change; a closed copy keeps the old text, its original system time
 * and world-time start, and ends ({@code valid_to}) at the change. As-of queries before the change
 * find the copy, later ones the memory. Stateless.
 */
final class Versions {
  private Versions() {}

  /**
   * The puts and history rows of one text change.
   *
   * @param changes the updated memory and the closed copy of its old version
   * @param history the UPDATE of the memory and the ADD of the copy
   */
  record Superseded(List<Change> changes, List<HistoryEntry> history) {}

  static Superseded supersede(
      Mnemo mnemo,
      StoredMemory stored,
      String text,
      float[] vector,
      Map<String, Object> metadata,
      Instant changeAt,
      Instant now,
      String actor,
      @Nullable String reason) {
    Memory before = stored.memory();
    Memory after =
        before
            .withText(text, TextHash.of(text), metadata, now, mnemo.embedder().modelId())
            .withValidity(changeAt, null, now);
    Memory oldVersion =
        new Memory(
            mnemo.newId(),
            before.text(),
            before.hash(),
            before.scope(),
            before.metadata(),
            before.categories(),
            before.role(),
            before.actor(),
            before.createdAt(),
            now,
            before.expiresAt(),
            before.validFrom(),
            changeAt,
            before.provenance(),
            before.embeddingModel(),
            before.type());
    // Both keep the context the memory was added with: their place in the conversation is the same.
    List<Change> changes =
        List.of(
            new Change.Put(new StoredMemory(after, vector, stored.context())),
            new Change.Put(new StoredMemory(oldVersion, stored.embedding(), stored.context())));
    List<HistoryEntry> history =
        List.of(
            new HistoryEntry(
                mnemo.newId(),
                before.id(),
                EventType.UPDATE,
                before.text(),
                text,
                actor,
                now,
                (reason == null ? "" : reason + "; ")
                    + "the previous version is kept as "
                    + oldVersion.id()),
            new HistoryEntry(
                mnemo.newId(),
                oldVersion.id(),
                EventType.ADD,
                null,
                before.text(),
                actor,
                now,
                "previous version of " + before.id() + ", valid until the update"));
    return new Superseded(changes, history);
  }
}
