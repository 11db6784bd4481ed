package io.mnemo4j.transfer;

/**
 * Told how far an export, import or move has got, for a progress bar. Called from the thread doing
 * the work; implementations must be quick.
 */
@FunctionalInterface
public interface TransferProgress {
  /** Reports nothing. */
  TransferProgress NONE = (phase, done, total) -> {};

  /**
   * {@code done} of {@code total} records of the current phase ({@code export}, {@code validate},
   * {@code import}...); total is -1 when unknown.
   */
  void update(String phase, long done, long total);
}
