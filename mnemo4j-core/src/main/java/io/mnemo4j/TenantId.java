package io.mnemo4j;

import java.util.regex.Pattern;

/**
 * A validated tenant id: {@code ^[a-z0-9][a-z0-9_-]{0,62}$}. Safe to use as a directory or schema
 * name, which is why the pattern is strict. Immutable and thread-safe.
 *
 * @param value the id
 */
public record TenantId(String value) {
  private static final Pattern PATTERN = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  /**
   * Validates the id; an invalid one is an {@link InvalidRequestException} on field {@code tenant}.
   */
  public TenantId {
    if (value == null || !PATTERN.matcher(value).matches()) {
      throw new InvalidRequestException(
          "tenant", "tenant id must match ^[a-z0-9][a-z0-9_-]{0,62}$, got " + describe(value));
    }
  }

  /** Parses and validates a tenant id. */
  public static TenantId of(String value) {
    return new TenantId(value);
  }

  /** Whether {@code value} is a valid tenant or region id. */
  public static boolean isValid(String value) {
    return value != null && PATTERN.matcher(value).matches();
  }

  /**
   * Validates a region name, which follows the tenant id pattern because it also becomes a
   * directory name.
   */
  public static String requireRegion(String region) {
    if (!isValid(region)) {
      throw new InvalidRequestException(
          "region", "region must match ^[a-z0-9][a-z0-9_-]{0,62}$, got " + describe(region));
    }
    return region;
  }

  // Ids are not secret, but a hostile value could be huge or hold control characters: show a
  // bounded, escaped form.
  static String describe(String value) {
    if (value == null) {
      return "null";
    }
    String cut = value.length() > 70 ? value.substring(0, 70) + "..." : value;
    StringBuilder out = new StringBuilder("'");
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      out.append(
          c < 0x20 || c == 0x7f ? String.format(java.util.Locale.ROOT, "\\u%04x", (int) c) : c);
    }
    return out.append('\'').toString();
  }

  @Override
  public String toString() {
    return value;
  }
}
