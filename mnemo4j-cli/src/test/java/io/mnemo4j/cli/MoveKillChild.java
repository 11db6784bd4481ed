package io.mnemo4j.cli;

import io.mnemo4j.testing.MovePauses;
import java.util.Arrays;

/**
 * The command line with a move pause point armed, for {@link MoveKillTest}: {@code args[0]} names
 * the point; on reaching it the process says {@code PAUSED <point>} on stdout and waits to be
 * killed. The rest of {@code args} is the command line. Test code only: production has no flag that
 * pauses a move.
 */
final class MoveKillChild {
  private MoveKillChild() {}

  public static void main(String[] args) throws InterruptedException {
    String where = args[0];
    MovePauses.install(
        point -> {
          if (point.equals(where)) {
            System.out.println("PAUSED " + point);
            System.out.flush();
            try {
              Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        });
    System.exit(MnemoCli.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
  }
}
