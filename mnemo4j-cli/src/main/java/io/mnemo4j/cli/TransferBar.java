package io.mnemo4j.cli;

import io.mnemo4j.transfer.TransferProgress;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The progress bar of export, import and move on stderr: one line per phase, redrawn with {@code
 * \r} at most every 100 ms, ended when the phase changes or {@link #done} is called. Not
 * thread-safe (the work reports from one thread).
 */
final class TransferBar implements TransferProgress {
  private static final int WIDTH = 30;

  private final PrintStream err;
  private String phase = "";
  private long start = System.nanoTime();
  private long lastDraw;
  private long done;
  private long total;
  private boolean drawn;

  TransferBar(PrintStream err) {
    this.err = err;
  }

  @Override
  public void update(String newPhase, long newDone, long newTotal) {
    if (!newPhase.equals(phase)) {
      done();
      phase = newPhase;
      start = System.nanoTime();
    }
    done = newDone;
    total = newTotal;
    long now = System.nanoTime();
    if (!drawn || now - lastDraw > 100_000_000L || (total >= 0 && done >= total)) {
      draw();
      lastDraw = now;
    }
  }

  /** Ends the current line, if one was drawn. */
  void done() {
    if (drawn) {
      draw();
      err.print('\n');
      err.flush();
      drawn = false;
    }
  }

  private void draw() {
    double seconds = (System.nanoTime() - start) / 1e9;
    double rate = seconds > 0 ? done / seconds : 0;
    if (total > 0) {
      int filled = (int) (WIDTH * Math.min(done, total) / total);
      err.printf(
          Locale.ROOT,
          "\r%-9s [%s%s] %d/%d memories %5.1fs %8.0f/s",
          phase,
          "#".repeat(filled),
          " ".repeat(WIDTH - filled),
          done,
          total,
          seconds,
          rate);
    } else {
      err.printf(Locale.ROOT, "\r%-9s %d memories %5.1fs %8.0f/s", phase, done, seconds, rate);
    }
    err.flush();
    drawn = true;
  }
}
