package io.mnemo4j;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Which page of a listing to return.
 *
 * @param cursor the {@link Page#nextCursor()} of the previous page, or null for the first page
 * @param size page size, 1 to 1000
 */
public record PageRequest(@Nullable String cursor, int size) {
  /** Largest page size accepted. */
  public static final int MAX_SIZE = 1000;

  /** Validates the size. */
  public PageRequest {
    if (size < 1 || size > MAX_SIZE) {
      throw new InvalidRequestException(
          "page_size", "page size must be 1 to " + MAX_SIZE + ", got " + size);
    }
  }

  /** The first page of the given size. */
  public static PageRequest first(int size) {
    return new PageRequest(null, size);
  }

  /** The page after {@code cursor}. */
  public static PageRequest after(String cursor, int size) {
    return new PageRequest(cursor, size);
  }

  /** The cursor, if any. */
  public Optional<String> after() {
    return Optional.ofNullable(cursor);
  }
}
