package io.mnemo4j.transfer;

import java.util.Objects;

/**
 * How to export a tenant.
 *
 * @param vectors whether memory lines carry their vectors (larger file; an import with the same
 *     model then needs no embedding)
 * @param progress told of progress
 */
public record ExportOptions(boolean vectors, TransferProgress progress) {
  /** Checks nulls. */
  public ExportOptions {
    Objects.requireNonNull(progress, "progress");
  }

  /** With vectors, no progress reports. */
  public static ExportOptions defaults() {
    return new ExportOptions(true, TransferProgress.NONE);
  }
}
