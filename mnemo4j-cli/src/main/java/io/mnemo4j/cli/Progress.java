package io.mnemo4j.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr, redrawn with {@code \r} at most every 100 ms. Not thread-safe.
 */
class Progress {
  private static final int WIDTH = 30;

  private final PrintStream err;
  private final String label;
  private final int total;
  private final long startNanos = System.nanoTime();
  private int done;
  private long lastDraw;
  private boolean drawn;

  Progress(PrintStream err, String label, int total) {
    this.err = err;
    this.label = label;
    this.total = Math.max(total, 1);
  }

  /** A progress bar that draws nothing. */
  static Progress none() {
    return new Progress(System.err, "", 1) {
      @Override
      void advance(int n) {}

      @Override
      void done() {}
    };
  }

  void advance(int n) {
    done += n;
    long now = System.nanoTime();
    if (!drawn || now - lastDraw > 100_000_000L || done >= total) {
      draw();
      lastDraw = now;
    }
  }

  void done() {
    if (drawn) {
      draw();
      err.print('\n');
      err.flush();
    }
  }

  private void draw() {
    int shown = Math.min(done, total);
    int filled = (int) ((long) WIDTH * shown / total);
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    err.print(
        String.format(
            Locale.ROOT,
            "\r%-10s [%s%s] %d/%d %5.1fs",
            label,
            "#".repeat(filled),
            " ".repeat(WIDTH - filled),
            shown,
            total,
            seconds));
    err.flush();
    drawn = true;
  }
}
