package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The native routes the web console needs beyond list and search: {@code /v1/whoami}, {@code
 * /v1/mem/count}, {@code /v1/mem/entities}, {@code /v1/mem/{id}/versions}, {@code include_closed}
 * on list and search, and every field in {@code GET /v1/mem/{id}}; happy paths and refusals, over
 * HTTP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleApiTest {
  private TestServer s;
  private String key;

  @BeforeAll
  void start() {
    s = new TestServer();
    key = s.tenant("acme");
  }

  @AfterAll
  void stop() {
    s.close();
  }

  private String add(String k, Map<String, Object> body) {
    return s.post("/v1/mem/add", k, TestServer.json(body))
        .ok()
        .j()
        .get("results")
        .get(0)
        .get("id")
        .asText();
  }

  private long count(String k, String query) {
    return s.get("/v1/mem/count" + query, k).ok().j().get("count").asLong();
  }

  private static List<String> ids(JsonNode results) {
    List<String> out = new ArrayList<>();
    results.forEach(r -> out.add(r.get("id").asText()));
    return out;
  }

  @Test
  void whoami_eachKindOfKey_isDescribedWithoutItsSecret() {
    JsonNode admin = s.get("/v1/whoami", TestServer.ADMIN_KEY).ok().j();
    assertThat(admin.get("role").asText()).isEqualTo("admin");
    assertThat(admin.get("tenant").isNull()).isTrue();
    assertThat(admin.get("user_id").isNull()).isTrue();
    assertThat(admin.get("key_id").asText()).isNotBlank();

    JsonNode tenant = s.get("/v1/whoami", key).ok().j();
    assertThat(tenant.get("role").asText()).isEqualTo("tenant");
    assertThat(tenant.get("tenant").asText()).isEqualTo("acme");
    assertThat(tenant.get("user_id").isNull()).isTrue();
    assertThat(tenant.toString()).doesNotContain(key);

    String narrowed = s.userKey("acme", "alice");
    JsonNode alice = s.get("/v1/whoami", narrowed).ok().j();
    assertThat(alice.get("user_id").asText()).isEqualTo("alice");
    assertThat(alice.get("key_id").asText()).isNotEqualTo(tenant.get("key_id").asText());

    s.get("/v1/whoami", null).error(401, "unauthorized");
    s.get("/v1/whoami", "not-a-key").error(401, "unauthorized");
    s.delete("/v1/tenants/acme/keys/" + alice.get("key_id").asText(), TestServer.ADMIN_KEY).ok();
    s.get("/v1/whoami", narrowed).error(401, "unauthorized");
  }

  @Test
  void whoami_keyOfAPurgedTenant_isUnauthorized() {
    String k = s.tenant("gone-soon");
    s.delete("/v1/tenants/gone-soon", TestServer.ADMIN_KEY).ok();
    s.get("/v1/whoami", k).error(401, "unauthorized");
  }

  @Test
  void count_isWhatTheListWithTheSameSelectionPagesThrough() {
    String k = s.tenant("counting");
    for (int i = 0; i < 7; i++) {
      add(
          k,
          Map.of("user_id", "bob", "text", "bob note number " + i, "categories", List.of("work")));
    }
    add(k, Map.of("user_id", "bob", "agent_id", "crm", "text", "bob crm note"));
    add(k, Map.of("user_id", "eve", "text", "eve note"));
    add(k, Map.of("text", "organisation note"));

    assertThat(count(k, "?all=true")).isEqualTo(10);
    assertThat(count(k, "")).as("no scope: organisation memory only").isEqualTo(1);
    assertThat(count(k, "?user_id=bob")).isEqualTo(8);
    assertThat(count(k, "?user_id=bob&include_tenant_wide=true")).isEqualTo(9);
    assertThat(count(k, "?agent_id=crm")).isEqualTo(1);
    String filter = URLEncoder.encode("{\"categories\":\"work\"}", StandardCharsets.UTF_8);
    assertThat(count(k, "?all=true&filters=" + filter)).isEqualTo(7);
    int listed = 0;
    String cursor = "";
    do {
      JsonNode page = s.get("/v1/mem?user_id=bob&page_size=3" + cursor, k).ok().j();
      listed += page.get("results").size();
      cursor =
          page.get("next_cursor").isNull()
              ? null
              : "&cursor="
                  + URLEncoder.encode(page.get("next_cursor").asText(), StandardCharsets.UTF_8);
    } while (cursor != null);
    assertThat(listed).isEqualTo(8);

    assertThat(s.get("/v1/mem/count?cursor=x", k).error(400, "invalid_request").field())
        .isEqualTo("cursor");
    assertThat(s.get("/v1/mem/count?all=true&user_id=bob", k).error(400, "invalid_request").field())
        .isEqualTo("all");
    assertThat(s.get("/v1/mem/count?all=maybe", k).error(400, "invalid_request").field())
        .isEqualTo("all");
    assertThat(
            s.get("/v1/mem/count?all=true&filters=%7B%22score%22%3A1%7D", k)
                .error(400, "invalid_request")
                .field())
        .isEqualTo("filters.score");
    s.get("/v1/mem/count?all=true", TestServer.ADMIN_KEY).error(403, "forbidden");
  }

  @Test
  void entities_countEachKind_pageByCursor_andRefuseBadInput() {
    String k = s.tenant("people");
    for (int i = 0; i < 5; i++) {
      add(k, Map.of("user_id", "user-" + i, "agent_id", "agent-" + (i % 2), "text", "note " + i));
    }
    add(k, Map.of("user_id", "user-0", "run_id", "run-9", "text", "another note for user zero"));
    add(k, Map.of("text", "organisation note, no user"));

    JsonNode first = s.get("/v1/mem/entities?type=user&page_size=2", k).ok().j();
    assertThat(first.get("results").findValuesAsText("id")).containsExactly("user-0", "user-1");
    assertThat(first.get("results").get(0).get("memories").asLong()).isEqualTo(2);
    assertThat(first.get("results").get(0).get("type").asText()).isEqualTo("user");
    List<String> all = new ArrayList<>(first.get("results").findValuesAsText("id"));
    String cursor = first.get("next_cursor").asText();
    while (cursor != null) {
      JsonNode page =
          s.get(
                  "/v1/mem/entities?type=user&page_size=2&cursor="
                      + URLEncoder.encode(cursor, StandardCharsets.UTF_8),
                  k)
              .ok()
              .j();
      all.addAll(page.get("results").findValuesAsText("id"));
      cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
    }
    assertThat(all).containsExactly("user-0", "user-1", "user-2", "user-3", "user-4");

    JsonNode agents = s.get("/v1/mem/entities?type=agent", k).ok().j();
    assertThat(agents.get("results").findValuesAsText("id")).containsExactly("agent-0", "agent-1");
    assertThat(agents.get("results").findValuesAsText("memories")).containsExactly("3", "2");
    assertThat(agents.get("next_cursor").isNull()).isTrue();
    assertThat(
            s.get("/v1/mem/entities?type=run&user_id=user-0", k)
                .ok()
                .j()
                .get("results")
                .findValuesAsText("id"))
        .containsExactly("run-9");
    assertThat(
            s.get("/v1/mem/entities?type=agent&user_id=user-1", k)
                .ok()
                .j()
                .get("results")
                .findValuesAsText("id"))
        .containsExactly("agent-1");

    assertThat(s.get("/v1/mem/entities", k).error(400, "invalid_request").field())
        .isEqualTo("type");
    assertThat(s.get("/v1/mem/entities?type=app", k).error(400, "invalid_request").field())
        .isEqualTo("type");
    assertThat(
            s.get("/v1/mem/entities?type=user&page_size=0", k)
                .error(400, "invalid_request")
                .field())
        .isEqualTo("page_size");
    assertThat(
            s.get("/v1/mem/entities?type=user&page_size=1001", k)
                .error(400, "invalid_request")
                .field())
        .isEqualTo("page_size");
    assertThat(
            s.get("/v1/mem/entities?type=user&cursor=a%01b", k)
                .error(400, "invalid_request")
                .field())
        .isEqualTo("cursor");
    assertThat(
            s.get("/v1/mem/entities?type=user&all=true", k).error(400, "invalid_request").field())
        .isEqualTo("all");
    assertThat(
            s.get("/v1/mem/entities?type=user&type=agent", k).error(400, "invalid_request").field())
        .isEqualTo("type");
    s.get("/v1/mem/entities?type=user", TestServer.ADMIN_KEY).error(403, "forbidden");
  }

  @Test
  void versions_andIncludeClosed_showWhatAnUpdateReplaced() throws InterruptedException {
    String k = s.tenant("versions");
    String id = add(k, Map.of("user_id", "ann", "text", "Ann lives in Paris"));
    assertThat(s.get("/v1/mem/" + id + "/versions", k).ok().j().get("results")).isEmpty();
    s.put("/v1/mem/" + id, k, "{\"text\":\"Ann lives in Berlin\"}").ok();
    s.put("/v1/mem/" + id, k, "{\"text\":\"Ann lives in Rome\"}").ok();

    JsonNode versions = s.get("/v1/mem/" + id + "/versions", k).ok().j().get("results");
    assertThat(versions.findValuesAsText("memory"))
        .containsExactly("Ann lives in Paris", "Ann lives in Berlin");
    for (JsonNode v : versions) {
      assertThat(v.get("valid_to").isNull()).isFalse();
      assertThat(v.get("user_id").asText()).isEqualTo("ann");
      // a closed version is a memory of its own: readable by id, with its own history
      assertThat(s.get("/v1/mem/" + v.get("id").asText(), k).ok().j().get("memory").asText())
          .isEqualTo(v.get("memory").asText());
    }

    assertThat(s.get("/v1/mem?user_id=ann", k).ok().j().get("results").findValuesAsText("memory"))
        .containsExactly("Ann lives in Rome");
    assertThat(
            s.get("/v1/mem?user_id=ann&include_closed=true", k)
                .ok()
                .j()
                .get("results")
                .findValuesAsText("memory"))
        .containsExactlyInAnyOrder(
            "Ann lives in Rome", "Ann lives in Paris", "Ann lives in Berlin");
    assertThat(count(k, "?user_id=ann&include_closed=true")).isEqualTo(3);
    assertThat(
            ids(
                s.post(
                        "/v1/mem/search",
                        k,
                        "{\"query\":\"Paris\",\"user_id\":\"ann\",\"mode\":\"text\",\"include_closed\":true}")
                    .ok()
                    .j()
                    .get("results")))
        .containsExactly(versions.get(0).get("id").asText());
    assertThat(
            s.post(
                    "/v1/mem/search",
                    k,
                    "{\"query\":\"Paris\",\"user_id\":\"ann\",\"mode\":\"text\"}")
                .ok()
                .j()
                .get("results"))
        .isEmpty();
    assertThat(
            s.post("/v1/mem/search", k, "{\"query\":\"x\",\"include_closed\":\"yes\"}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("include_closed");
    assertThat(s.get("/v1/mem?include_closed=2", k).error(400, "invalid_request").field())
        .isEqualTo("include_closed");

    s.get("/v1/mem/not-an-id/versions", k).error(400, "invalid_request");
    s.get("/v1/mem/0190a000-0000-7000-8000-000000000000/versions", k).error(404, "not_found");
  }

  @Test
  void get_showsEveryStoredField() {
    String id =
        add(
            key,
            Map.of(
                "messages",
                List.of(
                    Map.of("role", "assistant", "content", "Noted: Zoe likes jazz", "name", "bot")),
                "user_id",
                "zoe",
                "metadata",
                Map.of("topic", "music"),
                "categories",
                List.of("hobby")));
    JsonNode m = s.get("/v1/mem/" + id, key).ok().j();
    assertThat(m.get("memory").asText()).isEqualTo("Noted: Zoe likes jazz");
    assertThat(m.get("provenance").get("source").asText()).isEqualTo("verbatim");
    assertThat(m.get("provenance").get("message_ids")).hasSize(1);
    assertThat(m.get("embedding_model").asText()).isNotBlank();
    assertThat(m.get("hash").asText()).isNotBlank();
    assertThat(m.get("role").asText()).isEqualTo("assistant");
    assertThat(m.get("actor").asText()).isEqualTo("bot");
    assertThat(m.get("metadata").get("topic").asText()).isEqualTo("music");
    assertThat(m.get("categories").get(0).asText()).isEqualTo("hobby");
    for (String f : List.of("created_at", "updated_at", "valid_from", "valid_to", "memory_type")) {
      assertThat(m.has(f)).as(f).isTrue();
    }
  }
}
