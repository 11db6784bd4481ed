package io.mnemo4j.transfer;

import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.transfer.ExportRecord.Header;
import io.mnemo4j.transfer.ExportRecord.Trailer;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Reads an export file one record at a time and checks its shape as it goes: a header first, a
 * trailer last, nothing after it, and the trailer's counts and checksums equal to the lines read. A
 * file cut short (no trailer) fails at its end. Holds one line in memory at a time. Not
 * thread-safe.
 */
public final class ExportReader implements AutoCloseable {
  private final Reader in;
  private final Header header;
  private final Checksums sums = new Checksums();
  private final StringBuilder buffer = new StringBuilder();
  private long lineNumber;
  private boolean ended;
  private @org.jspecify.annotations.Nullable Trailer trailer;

  /**
   * Reads the header from {@code in} (UTF-8; closed with this reader).
   *
   * @throws InvalidRequestException if the first line is not a valid header
   */
  public ExportReader(InputStream in) {
    CharsetDecoder utf8 =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    this.in = new java.io.BufferedReader(new InputStreamReader(in, utf8), 1 << 16);
    String first = nextLine();
    if (first == null) {
      throw new InvalidRequestException("lines[1]", "line 1: the file is empty; expected a header");
    }
    if (!(ExportFormat.decode(first, lineNumber) instanceof Header h)) {
      throw new InvalidRequestException(
          "lines[1].kind", "line 1: kind must be header (the file must start with its header)");
    }
    this.header = h;
  }

  /** The file's header. */
  public Header header() {
    return header;
  }

  /** The trailer, once {@link #next} has reached and checked it. */
  public Optional<Trailer> trailer() {
    return Optional.ofNullable(trailer);
  }

  /** The number of the line last read (1-based). */
  public long lineNumber() {
    return lineNumber;
  }

  /**
   * The next record, or empty after the trailer (which is checked, not returned).
   *
   * @throws InvalidRequestException naming the line and field of a bad line, a second header, a
   *     missing trailer, a line after the trailer, or counts and checksums that do not match
   */
  public Optional<ExportRecord> next() {
    if (ended) {
      return Optional.empty();
    }
    String line = nextLine();
    if (line == null) {
      throw new InvalidRequestException(
          "lines[" + (lineNumber + 1) + "]",
          "line " + (lineNumber + 1) + ": the file ends without its end record (cut short?)");
    }
    ExportRecord record = ExportFormat.decode(line, lineNumber);
    switch (record) {
      case Header h ->
          throw new InvalidRequestException(
              "lines[" + lineNumber + "].kind", "line " + lineNumber + ": a second header");
      case Trailer t -> {
        check(t);
        if (nextLine() != null) {
          throw new InvalidRequestException(
              "lines[" + lineNumber + "]",
              "line " + lineNumber + ": nothing may follow the end record");
        }
        ended = true;
        trailer = t;
        return Optional.empty();
      }
      default -> {
        sums.add(record.kind(), line);
        return Optional.of(record);
      }
    }
  }

  private void check(Trailer claimed) {
    Trailer actual = sums.trailer();
    for (String kind : union(claimed.counts(), actual.counts())) {
      long want = claimed.counts().getOrDefault(kind, 0L);
      long got = actual.counts().getOrDefault(kind, 0L);
      if (want != got) {
        throw new InvalidRequestException(
            "lines[" + lineNumber + "].counts." + kind,
            "line "
                + lineNumber
                + ": the end record counts "
                + want
                + " "
                + kind
                + " lines, the file holds "
                + got);
      }
    }
    for (String kind : actual.checksums().keySet()) {
      String want = claimed.checksums().get(kind);
      if (want != null && !want.equals(actual.checksums().get(kind))) {
        throw new InvalidRequestException(
            "lines[" + lineNumber + "].checksums." + kind,
            "line " + lineNumber + ": the " + kind + " lines do not match their checksum");
      }
    }
  }

  private static java.util.Set<String> union(Map<String, Long> a, Map<String, Long> b) {
    java.util.Set<String> all = new java.util.TreeSet<>(a.keySet());
    all.addAll(b.keySet());
    return all;
  }

  /** The next line without its terminator (LF or CRLF), or null at the end. */
  private @org.jspecify.annotations.Nullable String nextLine() {
    buffer.setLength(0);
    try {
      int c;
      boolean any = false;
      while ((c = in.read()) != -1) {
        any = true;
        if (c == '\n') {
          break;
        }
        if (buffer.length() >= ExportFormat.MAX_LINE_LENGTH) {
          throw new InvalidRequestException(
              "lines[" + (lineNumber + 1) + "]",
              "line "
                  + (lineNumber + 1)
                  + ": longer than "
                  + ExportFormat.MAX_LINE_LENGTH
                  + " characters");
        }
        buffer.append((char) c);
      }
      if (!any) {
        return null;
      }
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new InvalidRequestException(
          "lines[" + (lineNumber + 1) + "]", "line " + (lineNumber + 1) + ": not UTF-8");
    } catch (IOException e) {
      if (e.getCause() instanceof java.nio.charset.CharacterCodingException) {
        throw new InvalidRequestException(
            "lines[" + (lineNumber + 1) + "]", "line " + (lineNumber + 1) + ": not UTF-8");
      }
      throw new UncheckedIOException("cannot read the import", e);
    }
    lineNumber++;
    int n = buffer.length();
    if (n > 0 && buffer.charAt(n - 1) == '\r') {
      buffer.setLength(n - 1);
    }
    return buffer.toString();
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
