package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo4j.testing.MovePauses;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/tenants/{id}/move}: admin key only, 400 naming {@code region}, the receipt with
 * both sides, and during the move writes answer 503 with {@code Retry-After} while reads are
 * served.
 */
class MoveRouteTest {
  TestServer s;
  String key;

  @BeforeEach
  void start() {
    s = new TestServer(TestServer.defaultConfig(), b -> b.regions("eu"), new ModelUsageMeter());
    key =
        s.post("/v1/tenants", TestServer.ADMIN_KEY, "{\"id\":\"acme\"}")
            .status(201)
            .j()
            .get("api_key")
            .asText();
    for (String text :
        List.of("Our CRM is called Atlas", "Alice prefers tea", "The office is in Lyon")) {
      add(text).ok();
    }
  }

  @AfterEach
  void stop() {
    MovePauses.clear();
    s.close();
  }

  private TestServer.Res add(String text) {
    return s.post("/v1/mem/add", key, TestServer.json(Map.of("user_id", "alice", "text", text)));
  }

  @Test
  void move_answersTheReceipt_andTheTenantLivesInTheNewRegion() {
    JsonNode r =
        s.post("/v1/tenants/acme/move", TestServer.ADMIN_KEY, "{\"region\":\"eu\"}").ok().j();

    assertThat(r.get("outcome").asText()).isEqualTo("moved");
    assertThat(r.get("from").get("region").asText()).isEqualTo("local");
    assertThat(r.get("to").get("region").asText()).isEqualTo("eu");
    assertThat(r.get("to").get("counts").get("memory").asLong()).isEqualTo(3);
    assertThat(r.get("to").get("checksums")).isEqualTo(r.get("from").get("checksums"));
    assertThat(s.get("/v1/tenants/acme", TestServer.ADMIN_KEY).ok().j().get("region").asText())
        .isEqualTo("eu");
    add("We moved to the eu region").ok();
  }

  @Test
  void move_badOrMissingRegion_is400NamingRegion_andNeedsTheAdminKey() {
    assertThat(
            s.post("/v1/tenants/acme/move", TestServer.ADMIN_KEY, "{\"region\":\"mars\"}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("region");
    assertThat(
            s.post("/v1/tenants/acme/move", TestServer.ADMIN_KEY, "{}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("region");
    s.post("/v1/tenants/acme/move", TestServer.ADMIN_KEY, "{\"region\":\"local\"}")
        .error(400, "invalid_request");
    s.post("/v1/tenants/acme/move", key, "{\"region\":\"eu\"}").error(403, "forbidden");
    s.post("/v1/tenants/nobody/move", TestServer.ADMIN_KEY, "{\"region\":\"eu\"}")
        .error(404, "not_found");
    s.post("/v1/tenants/acme/move", TestServer.ADMIN_KEY, "{\"rollback\":true}")
        .error(404, "not_found");
  }

  @Test
  void duringAMove_writesAre503WithRetryAfter_andReadsAreServed() throws Exception {
    CountDownLatch paused = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    MovePauses.install(
        point -> {
          if (point.equals("copied")) {
            paused.countDown();
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        });
    CompletableFuture<TestServer.Res> move =
        CompletableFuture.supplyAsync(
            () -> s.post("/v1/tenants/acme/move", TestServer.ADMIN_KEY, "{\"region\":\"eu\"}"));
    assertThat(paused.await(30, TimeUnit.SECONDS)).isTrue();

    TestServer.Res refused = add("I switched to coffee").error(503, "store_unavailable");
    assertThat(refused.raw()).isNotNull();
    assertThat(refused.raw().headers().firstValue("Retry-After")).contains("1");
    JsonNode listed = s.get("/v1/mem?user_id=alice", key).ok().j();
    assertThat(listed.get("results")).hasSize(3);

    release.countDown();
    move.get(30, TimeUnit.SECONDS).ok();
    add("I switched to coffee").ok();
  }
}
