package io.mnemo4j.internal.ingest;

import io.mnemo4j.EventType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Memory;
import io.mnemo4j.internal.Context;
import io.mnemo4j.internal.util.TextHash;
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
public final class Versions {
  /** How an UPDATE's history reason names the closed copy of the text it replaced. */
  private static final String KEPT_AS = "the previous version is kept as ";

  private Versions() {}

  /**
   * The id of the closed copy an UPDATE history entry kept of the previous text, if it kept one.
   */
  public static java.util.Optional<String> keptVersionId(HistoryEntry entry) {
    String reason = entry.reason();
    if (entry.event() != EventType.UPDATE || reason == null) {
      return java.util.Optional.empty();
    }
    int at = reason.lastIndexOf(KEPT_AS);
    if (at < 0) {
      return java.util.Optional.empty();
    }
    String id = reason.substring(at + KEPT_AS.length()).strip();
    try {
      return id.length() == 36 && java.util.UUID.fromString(id) != null
          ? java.util.Optional.of(id)
          : java.util.Optional.empty();
    } catch (IllegalArgumentException notAnId) {
      return java.util.Optional.empty();
    }
  }

  /**
   * The puts and history rows of one text change.
   *
   * @param changes the updated memory and the closed copy of its old version
   * @param history the UPDATE of the memory and the ADD of the copy
   */
  record Superseded(List<Change> changes, List<HistoryEntry> history) {}

  static Superseded supersede(
      Context context,
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
            .withText(text, TextHash.of(text), metadata, now, context.embedder().modelId())
            .withValidity(changeAt, null, now);
    Memory oldVersion =
        new Memory(
            context.newId(),
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
                context.newId(),
                before.id(),
                EventType.UPDATE,
                before.text(),
                text,
                actor,
                now,
                (reason == null ? "" : reason + "; ") + KEPT_AS + oldVersion.id()),
            new HistoryEntry(
                context.newId(),
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
