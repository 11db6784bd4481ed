package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * 8 client threads add and search across 4 tenants (same user id and similar texts everywhere) for
 * about 3 seconds, over loopback: no error, no result from another tenant, and the stored counts
 * equal the acknowledged adds.
 */
class ConcurrencyTest {
  private static final int THREADS = 8;
  private static final int TENANTS = 4;
  private static final long MILLIS = 3_000;
  private static final int MAX_ROUNDS = 2_000;

  @Test
  void addsAndSearchesAcrossTenants_neverCrossAndAddUp() throws Exception {
    try (TestServer s = new TestServer()) {
      String[] keys = new String[TENANTS];
      for (int t = 0; t < TENANTS; t++) {
        keys[t] = s.tenant("conc-" + t);
      }
      Map<Integer, AtomicLong> added = new ConcurrentHashMap<>();
      AtomicLong searches = new AtomicLong();
      long deadline = System.nanoTime() + MILLIS * 1_000_000;
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int th = 0; th < THREADS; th++) {
          int thread = th;
          int tenant = th % TENANTS;
          futures.add(
              pool.submit(
                  () -> {
                    String marker = "tenantmark" + tenant;
                    for (int round = 0;
                        round < MAX_ROUNDS && System.nanoTime() < deadline;
                        round++) {
                      String text = "alice note " + marker + " thread" + thread + " round" + round;
                      JsonNode r =
                          s.post(
                                  "/v1/mem/add",
                                  keys[tenant],
                                  "{\"user_id\":\"alice\",\"text\":\"" + text + "\"}")
                              .ok()
                              .j();
                      String event = r.get("results").get(0).get("event").asText();
                      if (event.equals("ADD")) {
                        added.computeIfAbsent(tenant, k -> new AtomicLong()).incrementAndGet();
                      }
                      JsonNode hits =
                          s.post(
                                  "/v1/mem/search",
                                  keys[tenant],
                                  "{\"query\":\"alice note thread"
                                      + thread
                                      + "\",\"user_id\":\"alice\",\"limit\":20}")
                              .ok()
                              .j();
                      searches.incrementAndGet();
                      for (JsonNode h : hits.get("results")) {
                        assertThat(h.get("memory").asText())
                            .as("a hit of tenant %d", tenant)
                            .contains(marker);
                      }
                    }
                    return null;
                  }));
        }
        for (Future<?> f : futures) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      long total = 0;
      for (int t = 0; t < TENANTS; t++) {
        long stored = 0;
        String cursor = null;
        do {
          JsonNode page =
              s.get(
                      "/v1/mem?all=true&page_size=1000"
                          + (cursor == null ? "" : "&cursor=" + cursor),
                      keys[t])
                  .ok()
                  .j();
          for (JsonNode m : page.get("results")) {
            assertThat(m.get("memory").asText()).contains("tenantmark" + t);
            stored++;
          }
          cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        long acknowledged = added.getOrDefault(t, new AtomicLong()).get();
        assertThat(stored).as("tenant %d stored vs acknowledged", t).isEqualTo(acknowledged);
        total += stored;
      }
      assertThat(total).isPositive();
      assertThat(searches.get()).isPositive();
    }
  }
}
