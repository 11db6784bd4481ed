package io.mnemo4j.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples this process's resident set (VmRSS), its high-water mark (VmHWM), its open file
 * descriptors and the used heap on a daemon thread, keeping the maxima: what a long run costs in
 * memory and handles, read from {@code /proc/self} (Linux; elsewhere the figures stay -1).
 * Thread-safe.
 */
final class ResourceSampler implements AutoCloseable {
  private final AtomicLong maxRss = new AtomicLong(-1);
  private final AtomicLong maxFds = new AtomicLong(-1);
  private final AtomicLong maxHeapUsed = new AtomicLong(-1);
  private final AtomicLong samples = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;

  /** Starts sampling every {@code periodMillis}, after resetting the heap pools' peaks. */
  ResourceSampler(long periodMillis) {
    for (MemoryPoolMXBean p : heapPools()) {
      p.resetPeakUsage();
    }
    thread =
        Thread.ofPlatform()
            .daemon()
            .name("resource-sampler")
            .start(
                () -> {
                  while (running) {
                    sample();
                    try {
                      Thread.sleep(periodMillis);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
  }

  private void sample() {
    maxRss.accumulateAndGet(rssBytes(), Math::max);
    maxFds.accumulateAndGet(openFds(), Math::max);
    maxHeapUsed.accumulateAndGet(
        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
    samples.incrementAndGet();
  }

  /** Stops sampling after one last sample. */
  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sample();
  }

  /** Maxima seen, final values now, and the heap pools' peak since the start, as JSON. */
  Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("samples", samples.get());
    m.put("rss_max_mib", BenchMain.mib(maxRss.get()));
    m.put("rss_final_mib", BenchMain.mib(rssBytes()));
    m.put("rss_hwm_mib", BenchMain.mib(status("VmHWM")));
    m.put("fds_max", maxFds.get());
    m.put("fds_final", openFds());
    m.put("heap_used_max_mib", BenchMain.mib(maxHeapUsed.get()));
    m.put("heap_pools_peak_mib", BenchMain.mib(heapPoolsPeak()));
    m.put("heap_committed_final_mib", BenchMain.mib(heapCommitted()));
    return m;
  }

  /** One human line of {@link #toJson()}. */
  String line() {
    Map<String, Object> j = toJson();
    return String.format(
        java.util.Locale.ROOT,
        "RSS max %s MiB (final %s, VmHWM %s); fds max %s (final %s); heap used max %s MiB, pools' peak"
            + " sum %s MiB, committed %s MiB (%s samples)",
        j.get("rss_max_mib"),
        j.get("rss_final_mib"),
        j.get("rss_hwm_mib"),
        j.get("fds_max"),
        j.get("fds_final"),
        j.get("heap_used_max_mib"),
        j.get("heap_pools_peak_mib"),
        j.get("heap_committed_final_mib"),
        j.get("samples"));
  }

  /** The resident set now, in bytes (-1 if unknown). */
  static long rssBytes() {
    return status("VmRSS");
  }

  /** Open file descriptors of this process now (-1 if unknown). */
  static long openFds() {
    Path fd = Path.of("/proc/self/fd");
    if (!Files.isDirectory(fd)) {
      return -1;
    }
    long n = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(fd)) {
      for (Path ignored : entries) {
        n++;
      }
    } catch (IOException e) {
      return -1;
    }
    return n - 1; // the directory stream's own descriptor
  }

  /** A {@code kB} field of {@code /proc/self/status}, in bytes (-1 if unknown). */
  private static long status(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field + ":")) {
          String v = line.substring(field.length() + 1).strip();
          return Long.parseLong(v.substring(0, v.indexOf(' '))) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  private static List<MemoryPoolMXBean> heapPools() {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP)
        .toList();
  }

  // The sum of each pool's own peak: an upper bound of the heap's peak (pools peak at other times).
  private static long heapPoolsPeak() {
    return heapPools().stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
  }

  private static long heapCommitted() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
  }
}
