package io.mnemo4j;

import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One page of a listing in stable (creation) order. Immutable.
 *
 * @param items the page's items
 * @param nextCursor opaque cursor for the next page, or null on the last page
 * @param <T> item type
 */
public record Page<T>(List<T> items, @Nullable String nextCursor) {
  /** Copies the item list. */
  public Page {
    items = List.copyOf(items);
  }

  /** The cursor of the next page, empty on the last page. */
  public Optional<String> next() {
    return Optional.ofNullable(nextCursor);
  }
}
