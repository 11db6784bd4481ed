package io.mnemo4j.testing;

import io.mnemo4j.internal.transfer.Moves;
import java.util.function.Consumer;

/**
 * Reaches a move's pause points from the tests of other modules, which may not import the core's
 * internals: {@code hook} hears each point a move reaches ({@code journaled}, {@code copied},
 * {@code switched}) and may block there or throw, so a test can stop or kill the move at a chosen
 * phase. Test code only; production has no flag that pauses a move.
 */
public final class MovePauses {
  private MovePauses() {}

  /** Installs {@code hook} for every move of this JVM. */
  public static void install(Consumer<String> hook) {
    Moves.pauseAtForTests(hook);
  }

  /** Removes the hook: moves run straight through again. */
  public static void clear() {
    Moves.pauseAtForTests(point -> {});
  }
}
