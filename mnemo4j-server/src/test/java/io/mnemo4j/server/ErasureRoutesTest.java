package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Provenance a person can act on, over HTTP: every memory shape shows {@code provenance}, and
 * {@code DELETE /v1/messages/{id}} and {@code DELETE /v1/messages?run_id=} erase a conversation
 * with what came only from it, never across tenants or, for a narrowed key, across users.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErasureRoutesTest {
  private TestServer s;

  @BeforeAll
  void start() {
    s = new TestServer();
  }

  @AfterAll
  void stop() {
    s.close();
  }

  private String add(String key, String body) {
    return s.post("/v1/mem/add", key, body).ok().j().get("results").get(0).get("id").asText();
  }

  private static String source(JsonNode memory) {
    JsonNode p = memory.get("provenance");
    assertThat(p.get("source").asText()).isEqualTo("verbatim");
    assertThat(p.get("message_ids")).hasSize(1);
    return p.get("message_ids").get(0).asText();
  }

  @Test
  void provenance_isShownByGetListSearchHistoryAndMem0Routes() {
    String k = s.tenant("prov");
    String id = add(k, "{\"user_id\":\"alice\",\"text\":\"Alice keeps bees\"}");

    String message = source(s.get("/v1/mem/" + id, k).ok().j());
    assertThat(source(s.get("/v1/mem?user_id=alice", k).ok().j().get("results").get(0)))
        .isEqualTo(message);
    assertThat(
            source(
                s.post("/v1/mem/search", k, "{\"query\":\"bees\",\"user_id\":\"alice\"}")
                    .ok()
                    .j()
                    .get("results")
                    .get(0)))
        .isEqualTo(message);
    assertThat(source(s.get("/v1/mem/" + id + "/history", k).ok().j())).isEqualTo(message);
    assertThat(source(s.get("/v1/memories/" + id + "/", k).ok().j())).isEqualTo(message);
  }

  @Test
  void deleteMessage_erasesTheMemoryAndSaysWhyInTheHistory() {
    String k = s.tenant("erase-one");
    String id = add(k, "{\"user_id\":\"alice\",\"text\":\"Alice's bank is Fjord Bank\"}");
    String kept = add(k, "{\"user_id\":\"alice\",\"text\":\"Alice likes rowing\"}");
    String message = source(s.get("/v1/mem/" + id, k).ok().j());

    JsonNode receipt = s.delete("/v1/messages/" + message, k).ok().j();

    assertThat(receipt.get("messages").asLong()).isEqualTo(1);
    assertThat(receipt.get("memories").asLong()).isEqualTo(1);
    assertThat(receipt.get("memories_kept").asLong()).isZero();
    s.get("/v1/mem/" + id, k).error(404, "not_found");
    s.get("/v1/mem/" + kept, k).ok();
    JsonNode history = s.get("/v1/mem/" + id + "/history", k).ok().j();
    JsonNode last = history.get("results").get(history.get("results").size() - 1);
    assertThat(last.get("event").asText()).isEqualTo("DELETE");
    assertThat(last.get("reason").asText()).startsWith("erased");
    assertThat(history.toString()).doesNotContain("Fjord");
    assertThat(history.get("provenance").isNull()).isTrue();
    s.delete("/v1/messages/" + message, k).error(404, "not_found");
    s.delete("/v1/messages/not-a-uuid", k).error(400, "invalid_request");
  }

  @Test
  void deleteRun_needsARunId_andErasesOnlyThatRun() {
    String k = s.tenant("erase-run");
    add(k, "{\"user_id\":\"alice\",\"run_id\":\"chat-1\",\"text\":\"first thing in chat one\"}");
    add(k, "{\"user_id\":\"alice\",\"run_id\":\"chat-1\",\"text\":\"second thing in chat one\"}");
    String other = add(k, "{\"user_id\":\"alice\",\"run_id\":\"chat-2\",\"text\":\"chat two\"}");

    assertThat(s.delete("/v1/messages", k).error(400, "invalid_request").field())
        .isEqualTo("run_id");
    s.delete("/v1/messages?run_id=chat-1&colour=red", k).error(400, "invalid_request");
    JsonNode receipt = s.delete("/v1/messages?run_id=chat-1", k).ok().j();

    assertThat(receipt.get("messages").asLong()).isEqualTo(2);
    assertThat(receipt.get("memories").asLong()).isEqualTo(2);
    assertThat(s.get("/v1/mem/count?run_id=chat-1", k).ok().j().get("count").asLong()).isZero();
    s.get("/v1/mem/" + other, k).ok();
  }

  @Test
  void narrowedKeyOrOtherTenant_cannotEraseAnotherUsersMessages() {
    String k = s.tenant("erase-narrow");
    String stranger = s.tenant("erase-stranger");
    String alice = s.userKey("erase-narrow", "alice");
    String bobs = add(k, "{\"user_id\":\"bob\",\"run_id\":\"r\",\"text\":\"bob's secret plan\"}");
    String message = source(s.get("/v1/mem/" + bobs, k).ok().j());

    s.delete("/v1/messages/" + message, alice).error(404, "not_found");
    s.delete("/v1/messages/" + message, stranger).error(404, "not_found");
    s.delete("/v1/messages?run_id=r&user_id=bob", alice).error(403, "forbidden");
    JsonNode none = s.delete("/v1/messages?run_id=r", alice).ok().j();
    assertThat(none.get("messages").asLong()).isZero();
    assertThat(s.delete("/v1/messages?run_id=r", stranger).ok().j().get("memories").asLong())
        .isZero();
    s.get("/v1/mem/" + bobs, k).ok();

    assertThat(s.delete("/v1/messages/" + message, k).ok().j().get("memories").asLong())
        .isEqualTo(1);
  }
}
