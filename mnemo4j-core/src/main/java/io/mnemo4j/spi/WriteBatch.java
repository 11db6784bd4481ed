package io.mnemo4j.spi;

import io.mnemo4j.HistoryEntry;
import java.util.List;

/**
 * Everything one operation writes. A store applies a batch atomically and durably: when {@link
 * TenantStore#write} returns, all of it survives a crash; if it throws, none of it is visible.
 *
 * @param changes memory inserts, replacements and removals, in order
 * @param history history rows to append
 * @param messages raw messages to keep
 */
public record WriteBatch(
    List<Change> changes, List<HistoryEntry> history, List<StoredMessage> messages) {
  /** Copies the lists. */
  public WriteBatch {
    changes = List.copyOf(changes);
    history = List.copyOf(history);
    messages = List.copyOf(messages);
  }

  /** True when the batch writes nothing. */
  public boolean isEmpty() {
    return changes.isEmpty() && history.isEmpty() && messages.isEmpty();
  }
}
