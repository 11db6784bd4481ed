package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What {@code /metrics} tells an operator about the process, and how much it costs to scrape. */
class MetricsTest {
  /**
   * Regression (issue 9, "Operators"): {@code /metrics} had no JVM or process metrics, so an
   * operator could not see heap, GC, threads, CPU, uptime or open files next to the request
   * latencies. Micrometer's binders now publish them.
   */
  @Test
  void metrics_includeJvmAndProcessMetrics() {
    try (TestServer s = new TestServer()) {
      String text = s.get("/metrics", null).ok().body();
      for (String name :
          List.of(
              "jvm_memory_used_bytes{area=\"heap\"",
              "jvm_memory_max_bytes",
              "jvm_gc_",
              "jvm_threads_live_threads",
              "jvm_classes_loaded_classes",
              "process_cpu_usage",
              "system_cpu_count",
              "process_uptime_seconds",
              "process_start_time_seconds",
              "process_files_open_files",
              "process_files_max_files")) {
        assertThat(text).as(name).contains(name);
      }
    }
  }

  /**
   * Regression: each route and status got Micrometer's percentile histogram, about 70 buckets per
   * series, so a few dozen routes made the scrape thousands of lines. The latency histogram now has
   * the dozen fixed buckets of {@link ServerMetrics#HTTP_BUCKETS}, plus {@code +Inf}.
   */
  @Test
  void httpHistogram_hasASmallFixedSetOfBuckets() {
    try (TestServer s = new TestServer()) {
      String key = s.tenant("metrics");
      s.post("/v1/mem/add", key, "{\"user_id\":\"u\",\"text\":\"hello metrics\"}").ok();
      s.get("/v1/mem?user_id=u", key).ok();
      s.get("/health", null).ok();
      String text = s.get("/metrics", null).ok().body();
      Map<String, Long> bucketsPerSeries =
          Arrays.stream(text.split("\n"))
              .filter(l -> l.startsWith("http_server_requests_seconds_bucket{"))
              .collect(
                  Collectors.groupingBy(
                      l -> l.substring(0, l.indexOf("le=")), Collectors.counting()));
      assertThat(bucketsPerSeries).hasSizeGreaterThanOrEqualTo(3);
      assertThat(bucketsPerSeries.values())
          .allMatch(n -> n == ServerMetrics.HTTP_BUCKETS.size() + 1);
      assertThat(text).contains("le=\"0.005\"").contains("le=\"10.0\"").contains("le=\"+Inf\"");
    }
  }
}
