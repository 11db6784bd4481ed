package io.mnemo4j.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU time this JVM's JIT compiler threads have used so far, from Linux's per-thread scheduler
 * statistics ({@code /proc/self/task/<tid>/schedstat}: nanoseconds on a CPU). The compilers are not
 * Java threads, so no MXBean reports their CPU time; on two cores they take it from whatever phase
 * of a benchmark runs, and HotSpot keeps recompiling as a run's phases alternate (BENCHMARKS.md,
 * thirteenth session). Elsewhere than Linux, or without schedstat, {@link #nanos} is -1.
 */
final class CompilerCpu {
  private static final Path TASKS = Path.of("/proc/self/task");

  private CompilerCpu() {}

  /**
   * The compiler threads' CPU time so far in nanoseconds, or -1 if it cannot be read. A compiler
   * thread that has ended (HotSpot adds and removes them with the load) takes its time with it, so
   * a difference between two readings can come out low, never high.
   */
  static long nanos() {
    long sum = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path task : tasks) {
        String name;
        String stat;
        try {
          name = Files.readString(task.resolve("comm"));
          // The kernel keeps 15 characters of "C2 CompilerThread0".
          if (!name.startsWith("C1 CompilerThre") && !name.startsWith("C2 CompilerThre")) {
            continue;
          }
          stat = Files.readString(task.resolve("schedstat"));
        } catch (IOException ended) {
          continue; // the thread ended between the listing and the read
        }
        int space = stat.indexOf(' ');
        sum += Long.parseLong(space < 0 ? stat.strip() : stat.substring(0, space));
      }
    } catch (IOException | UncheckedIOException | NumberFormatException e) {
      return -1;
    }
    return sum;
  }
}
