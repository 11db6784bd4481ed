package io.mnemo4j.internal.util;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The normalised-text hash used for exact duplicate detection: NFKC, lower case, whitespace
 * collapsed, surrounding punctuation trimmed, then SHA-256. "I like tea." and " i LIKE tea" are the
 * same memory. Thread-safe.
 */
public final class TextHash {
  // Compiled once: String.replaceAll and a multi-character split compiled them on every call, and
  // every ingested message and every loaded search hit's actor is normalised.
  private static final Pattern SPACES = Pattern.compile("\\s+");
  private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

  private TextHash() {}

  /** The normalised form of {@code text} that the hash is computed over. */
  public static String normalise(String text) {
    String s = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    s = SPACES.matcher(s).replaceAll(" ").strip();
    int start = 0;
    int end = s.length();
    while (start < end && isTrimmable(s.charAt(start))) {
      start++;
    }
    while (end > start && isTrimmable(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  /** SHA-256 hex of the normalised text. */
  public static String of(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(normalise(text).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  /**
   * The words of {@code text} in order: its normalised form split on everything but letters and
   * digits.
   */
  public static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    for (String w : NON_WORD.split(normalise(text), -1)) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }

  private static boolean isTrimmable(char c) {
    return c == ' ' || c == '.' || c == '!' || c == '?' || c == ',' || c == ';' || c == ':'
        || c == '"' || c == '\'';
  }
}
