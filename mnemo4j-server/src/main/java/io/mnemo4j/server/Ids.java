package io.mnemo4j.server;

import io.mnemo4j.NotFoundException;
import java.util.UUID;

/**
 * Ids taken from a request as they appear in messages and logs (clipped, control characters
 * replaced), and the not-found answers that name them. Stateless and thread-safe.
 */
final class Ids {
  private Ids() {}

  /** A memory id that names no memory this key may see. */
  static NotFoundException memoryNotFound(String id) {
    return new NotFoundException("memory " + clip(id) + " not found");
  }

  /** An add operation id that names no operation this key may see. */
  static NotFoundException eventNotFound(String id) {
    return new NotFoundException("event " + clip(id) + " not found");
  }

  /** Whether {@code id} is a UUID in its canonical 36-character form. */
  static boolean isUuid(String id) {
    if (id.length() != 36) {
      return false;
    }
    try {
      UUID.fromString(id);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** At most 64 characters of {@code s}, control characters replaced by '?'. */
  static String clip(String s) {
    String c = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    StringBuilder sb = new StringBuilder(c.length());
    for (int i = 0; i < c.length(); i++) {
      char ch = c.charAt(i);
      sb.append(Character.isISOControl(ch) ? '?' : ch);
    }
    return sb.toString();
  }
}
