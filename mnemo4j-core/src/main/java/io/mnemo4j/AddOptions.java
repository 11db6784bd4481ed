package io.mnemo4j;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Options of one {@link TenantMemory#add}. Immutable; each {@code with} method returns a copy.
 *
 * @param metadata JSON object attached to every memory the call stores; identity keys are refused
 * @param categories category labels attached to every memory the call stores
 * @param expiresAt when the stored memories stop being returned, or null for never
 */
public record AddOptions(
    Map<String, Object> metadata, List<String> categories, @Nullable Instant expiresAt) {
  /**
   * Validates metadata (no identity keys) and categories (non-blank, at most 64 of up to 128
   * characters).
   */
  public AddOptions {
    metadata = Metadata.validate(metadata);
    categories = List.copyOf(categories);
    if (categories.size() > 64) {
      throw new InvalidRequestException("categories", "at most 64 categories");
    }
    for (String c : categories) {
      if (c.isBlank() || c.length() > 128) {
        throw new InvalidRequestException("categories", "categories must be 1 to 128 characters");
      }
    }
  }

  /** No metadata, no categories, no expiry. */
  public static AddOptions none() {
    return new AddOptions(Map.of(), List.of(), null);
  }

  /** A copy with this metadata. */
  public AddOptions withMetadata(Map<String, ?> newMetadata) {
    return new AddOptions(Metadata.validate(newMetadata), categories, expiresAt);
  }

  /** A copy with these categories. */
  public AddOptions withCategories(List<String> newCategories) {
    return new AddOptions(metadata, newCategories, expiresAt);
  }

  /** A copy expiring at {@code at}. */
  public AddOptions withExpiry(Instant at) {
    return new AddOptions(metadata, categories, at);
  }
}
