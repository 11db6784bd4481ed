package io.mnemo4j.spi;

import io.mnemo4j.HistoryEntry;
import java.util.List;

/**
 * Everything one operation writes. A store applies a batch atomically and durably: when {@link
 * TenantStore#write} returns, all of it survives a crash; if it throws, none of it is visible.
 *
 * @param changes memory inserts, replacements and removals, in order
 * @param history history rows to append; a row whose id is already stored replaces it in place
 *     (erasure rewrites rows without their text)
 * @param messages raw messages to keep
 * @param events operation records to insert or replace (by id); an idempotency key already held by
 *     another event makes the whole batch fail with {@link io.mnemo4j.ConflictException}
 */
public record WriteBatch(
    List<Change> changes,
    List<HistoryEntry> history,
    List<StoredMessage> messages,
    List<StoredEvent> events) {
  /** Copies the lists. */
  public WriteBatch {
    changes = List.copyOf(changes);
    history = List.copyOf(history);
    messages = List.copyOf(messages);
    events = List.copyOf(events);
  }

  /** A batch that records no operation. */
  public WriteBatch(
      List<Change> changes, List<HistoryEntry> history, List<StoredMessage> messages) {
    this(changes, history, messages, List.of());
  }

  /** A batch that only records operations. */
  public static WriteBatch ofEvents(List<StoredEvent> events) {
    return new WriteBatch(List.of(), List.of(), List.of(), events);
  }

  /** True when the batch writes nothing. */
  public boolean isEmpty() {
    return changes.isEmpty() && history.isEmpty() && messages.isEmpty() && events.isEmpty();
  }
}
