package io.mnemo4j.transfer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts and SHA-256 digests of the lines of each record kind, as the trailer holds them. Not
 * thread-safe: one per file.
 */
final class Checksums {
  private final Map<String, Long> counts = new TreeMap<>();
  private final Map<String, MessageDigest> digests = new TreeMap<>();

  /** Adds one line of {@code kind}. */
  void add(String kind, String line) {
    counts.merge(kind, 1L, Long::sum);
    MessageDigest d = digests.computeIfAbsent(kind, k -> sha256());
    d.update(line.getBytes(StandardCharsets.UTF_8));
    d.update((byte) '\n');
  }

  /** The trailer of the lines added so far. */
  ExportRecord.Trailer trailer() {
    Map<String, String> sums = new TreeMap<>();
    digests.forEach((k, d) -> sums.put(k, HexFormat.of().formatHex(cloned(d).digest())));
    return new ExportRecord.Trailer(counts, sums);
  }

  private static MessageDigest cloned(MessageDigest d) {
    try {
      return (MessageDigest) d.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("SHA-256 digest cannot be cloned", e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
