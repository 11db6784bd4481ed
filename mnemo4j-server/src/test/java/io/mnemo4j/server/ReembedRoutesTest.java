package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo4j.testing.HashingEmbedder;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST|GET /v1/reembed}: the admin starts a change of embedding model, watches it, and
 * searches keep answering throughout and afterwards on the new model.
 */
class ReembedRoutesTest {
  private final TestServer s =
      new TestServer(
          TestServer.defaultConfig()
              .withEmbedders(
                  name ->
                      name.equals("hash-32")
                          ? Optional.of(new HashingEmbedder(32, "hash-32"))
                          : Optional.empty()));

  @AfterEach
  void stop() {
    s.close();
  }

  @Test
  void reembed_startsInTheBackground_reportsProgress_andSearchesKeepAnswering() throws Exception {
    String k = s.tenant("acme");
    for (int i = 0; i < 40; i++) {
      s.post("/v1/mem/add", k, "{\"user_id\":\"u\",\"text\":\"fact " + i + " about boats\"}").ok();
    }
    s.post(
            "/v1/mem/add",
            k,
            "{\"user_id\":\"u\",\"text\":\"the wifi password is taped to the fridge\"}")
        .ok();
    assertThat(s.get(ReembedRoutes.PATH, TestServer.ADMIN_KEY).ok().j().get("phase").asText())
        .isEqualTo("idle");
    s.post(ReembedRoutes.PATH, k, "{\"embedder\":\"hash-32\",\"all\":true}").status(403);
    s.post(ReembedRoutes.PATH, TestServer.ADMIN_KEY, "{\"embedder\":\"nope\",\"all\":true}")
        .error(400, "invalid_request");
    s.post(ReembedRoutes.PATH, TestServer.ADMIN_KEY, "{\"embedder\":\"hash-32\"}")
        .error(400, "invalid_request");

    s.post(ReembedRoutes.PATH, TestServer.ADMIN_KEY, "{\"embedder\":\"hash-32\",\"all\":true}")
        .status(202);
    JsonNode status = null;
    for (int i = 0; i < 200; i++) {
      JsonNode hits =
          s.post("/v1/mem/search", k, "{\"query\":\"wifi password\",\"user_id\":\"u\"}").ok().j();
      assertThat(hits.get("results").get(0).get("memory").asText())
          .isEqualTo("the wifi password is taped to the fridge");
      status = s.get(ReembedRoutes.PATH, TestServer.ADMIN_KEY).ok().j();
      if (!status.get("running").asBoolean()) {
        break;
      }
      Thread.sleep(20);
    }

    assertThat(status.get("phase").asText()).isEqualTo("done");
    assertThat(status.get("switched").asLong()).isEqualTo(41);
    assertThat(status.get("error").isNull()).isTrue();
    JsonNode dense =
        s.post(
                "/v1/mem/search",
                k,
                "{\"query\":\"the wifi password is taped to the fridge\",\"user_id\":\"u\","
                    + "\"mode\":\"dense\"}")
            .ok()
            .j();
    assertThat(dense.get("results").get(0).get("memory").asText())
        .isEqualTo("the wifi password is taped to the fridge");
    String id = dense.get("results").get(0).get("id").asText();
    assertThat(s.get("/v1/mem/" + id, k).ok().j().get("embedding_model").asText())
        .isEqualTo("hash-32");
    s.post(ReembedRoutes.PATH, TestServer.ADMIN_KEY, "{\"embedder\":\"hash-32\",\"all\":true}")
        .error(400, "invalid_request");
  }
}
