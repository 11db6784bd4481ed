package io.mnemo4j.transfer;

import io.mnemo4j.transfer.ExportRecord.Header;
import io.mnemo4j.transfer.ExportRecord.Trailer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * Writes an export file one record at a time: the header on creation, then records, then the
 * trailer (counts and checksums) on {@link #finish}. Holds one line in memory at a time. Not
 * thread-safe.
 */
public final class ExportWriter implements AutoCloseable {
  private final Writer out;
  private final Checksums sums = new Checksums();
  private boolean finished;

  /**
   * Starts a file on {@code out} (which this writer flushes but does not close) with its header.
   */
  public ExportWriter(OutputStream out, Header header) {
    this.out = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
    line(ExportFormat.encode(header));
  }

  /** Appends one record; the header and trailer are written by the writer itself. */
  public void write(ExportRecord record) {
    if (finished) {
      throw new IllegalStateException("the export is finished");
    }
    if (record instanceof Header || record instanceof Trailer) {
      throw new IllegalArgumentException("the writer writes the header and trailer itself");
    }
    String line = ExportFormat.encode(record);
    sums.add(record.kind(), line);
    line(line);
  }

  /** Writes the trailer and flushes; returns the trailer. */
  public Trailer finish() {
    Trailer trailer = sums.trailer();
    line(ExportFormat.encode(trailer));
    finished = true;
    flush();
    return trailer;
  }

  private void line(String text) {
    try {
      out.write(text);
      out.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the export", e);
    }
  }

  private void flush() {
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the export", e);
    }
  }

  /** Flushes what was written; does not close the stream and does not write a trailer. */
  @Override
  public void close() {
    flush();
  }
}
