package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Happy paths and error paths of the native routes, tenant administration and operations routes,
 * over HTTP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NativeRoutesTest {
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

  private String add(String user, String text) {
    JsonNode r =
        s.post("/v1/mem/add", key, TestServer.json(Map.of("user_id", user, "text", text))).ok().j();
    return r.get("results").get(0).get("id").asText();
  }

  @Test
  void add_messagesWithScopeAndMetadata_returnsEventsInCliShape() {
    JsonNode r =
        s.post(
                "/v1/mem/add",
                key,
                """
        {"messages":[{"role":"user","content":"Our CRM is called Atlas"},
                     {"role":"assistant","content":"Noted: the CRM is Atlas","name":"bot"}],
         "user_id":"alice","agent_id":"crm-agent","metadata":{"topic":"crm"},"categories":["work"]}
        """)
            .ok()
            .j();
    assertThat(r.get("results")).hasSize(2);
    JsonNode first = r.get("results").get(0);
    assertThat(first.get("event").asText()).isEqualTo("ADD");
    assertThat(first.get("memory").asText()).isEqualTo("Our CRM is called Atlas");
    assertThat(first.get("id").asText()).hasSize(36);

    JsonNode again =
        s.post(
                "/v1/mem/add",
                key,
                "{\"messages\":[{\"content\":\"Our CRM is called Atlas\"}],\"user_id\":\"alice\",\"agent_id\":\"crm-agent\"}")
            .ok()
            .j();
    assertThat(again.get("results").get(0).get("event").asText()).isEqualTo("NONE");
    assertThat(again.get("results").get(0).get("id").asText()).isEqualTo(first.get("id").asText());
  }

  @Test
  void searchAndList_scopeTenantWideFiltersAndCursor_work() {
    s.post("/v1/mem/add", key, "{\"text\":\"The office wifi password rotates monthly\"}").ok();
    for (int i = 0; i < 5; i++) {
      add("bob", "bob likes hiking trail number " + i);
    }
    JsonNode hits =
        s.post(
                "/v1/mem/search",
                key,
                "{\"query\":\"hiking trail\",\"user_id\":\"bob\",\"limit\":3}")
            .ok()
            .j()
            .get("results");
    assertThat(hits).hasSize(3);
    JsonNode h = hits.get(0);
    for (String f :
        List.of(
            "id",
            "memory",
            "score",
            "user_id",
            "agent_id",
            "run_id",
            "metadata",
            "categories",
            "created_at",
            "updated_at",
            "origin")) {
      assertThat(h.has(f)).as("field %s in %s", f, h).isTrue();
    }
    assertThat(h.get("user_id").asText()).isEqualTo("bob");
    assertThat(h.get("origin").asText()).isEqualTo("scope");

    JsonNode withOrg =
        s.post(
                "/v1/mem/search",
                key,
                "{\"query\":\"wifi password\",\"user_id\":\"bob\",\"include_tenant_wide\":true}")
            .ok()
            .j()
            .get("results");
    assertThat(withOrg.findValuesAsText("origin")).contains("tenant_wide");

    JsonNode filtered =
        s.post(
                "/v1/mem/search",
                key,
                "{\"query\":\"hiking\",\"all\":true,\"filters\":{\"user_id\":\"nobody\"}}")
            .ok()
            .j()
            .get("results");
    assertThat(filtered).isEmpty();

    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      JsonNode page =
          s.get(
                  "/v1/mem?user_id=bob&page_size=2" + (cursor == null ? "" : "&cursor=" + cursor),
                  key)
              .ok()
              .j();
      page.get("results").forEach(m -> seen.add(m.get("id").asText()));
      cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
    } while (cursor != null);
    assertThat(seen).hasSize(5).doesNotHaveDuplicates();
  }

  @Test
  void getUpdateHistoryDelete_roundTrip() {
    String id = add("carol", "carol drinks tea");
    JsonNode got = s.get("/v1/mem/" + id, key).ok().j();
    assertThat(got.get("memory").asText()).isEqualTo("carol drinks tea");
    assertThat(got.get("user_id").asText()).isEqualTo("carol");

    JsonNode upd = s.put("/v1/mem/" + id, key, "{\"text\":\"carol drinks coffee\"}").ok().j();
    assertThat(upd.get("event").asText()).isEqualTo("UPDATE");
    assertThat(upd.get("previous_memory").asText()).isEqualTo("carol drinks tea");
    JsonNode md = s.put("/v1/mem/" + id, key, "{\"metadata\":{\"k\":1}}").ok().j();
    assertThat(md.get("event").asText()).isEqualTo("UPDATE");
    assertThat(s.get("/v1/mem/" + id, key).ok().j().get("metadata").get("k").asInt()).isEqualTo(1);

    JsonNode del = s.delete("/v1/mem/" + id, key).ok().j();
    assertThat(del.get("event").asText()).isEqualTo("DELETE");
    s.get("/v1/mem/" + id, key).error(404, "not_found");
    JsonNode hist = s.get("/v1/mem/" + id + "/history", key).ok().j().get("results");
    assertThat(hist.findValuesAsText("event")).containsExactly("ADD", "UPDATE", "UPDATE", "DELETE");
    assertThat(hist.get(1).get("old_memory").asText()).isEqualTo("carol drinks tea");
  }

  @Test
  void deleteAll_needsScopeOrAll() {
    add("dave", "dave one");
    add("dave", "dave two");
    s.post("/v1/mem/delete-all", key, "{}").error(400, "invalid_request");
    assertThat(
            s.post("/v1/mem/delete-all", key, "{\"user_id\":\"dave\"}")
                .ok()
                .j()
                .get("deleted")
                .asLong())
        .isEqualTo(2);
    s.post("/v1/mem/delete-all", key, "{\"user_id\":\"dave\",\"all\":true}")
        .error(400, "invalid_request");
  }

  @Test
  void auth_missingInvalidOrWrongKind_isRefused() {
    s.post("/v1/mem/search", null, "{\"query\":\"x\"}").error(401, "unauthorized");
    s.post("/v1/mem/search", "mnemo_not-a-key", "{\"query\":\"x\"}").error(401, "unauthorized");
    TestServer.Res bearer = s.send("GET", "/v1/mem?all=true", null, null);
    bearer.error(401, "unauthorized");
    assertThat(
            s.http
                .sendAsync(
                    java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(s.base() + "/v1/mem?all=true"))
                        .header("Authorization", "Bearer " + key)
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString())
                .join()
                .statusCode())
        .isEqualTo(200);
    // an admin key reads no memory; a tenant key administers nothing
    s.post("/v1/mem/search", TestServer.ADMIN_KEY, "{\"query\":\"x\"}").error(403, "forbidden");
    s.get("/v1/mem?all=true", TestServer.ADMIN_KEY).error(403, "forbidden");
    s.get("/v1/tenants", key).error(403, "forbidden");
  }

  @Test
  void badInput_isA400NamingTheField() {
    assertThat(
            s.post("/v1/mem/add", key, "{\"text\":\"x\",\"colour\":\"red\"}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("colour");
    assertThat(
            s.post("/v1/mem/add", key, "{\"messages\":[{\"content\":\"x\",\"mood\":1}]}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("messages[0].mood");
    assertThat(s.post("/v1/mem/add", key, "{\"text\":5}").error(400, "invalid_request").field())
        .isEqualTo("text");
    assertThat(
            s.post("/v1/mem/add", key, "{\"text\":\"x\",\"metadata\":{\"user_id\":\"eve\"}}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("metadata.user_id");
    assertThat(s.post("/v1/mem/add", key, "{\"text\":\"x\"").error(400, "invalid_request").field())
        .isEqualTo("body");
    assertThat(s.post("/v1/mem/add", key, "").error(400, "invalid_request").field())
        .isEqualTo("body");
    assertThat(
            s.post(
                    "/v1/mem/search",
                    key,
                    "{\"query\":\"x\",\"all\":true,\"filters\":{\"AND\":[{\"score\":1}]}}")
                .error(400, "invalid_request")
                .field())
        .startsWith("filters.AND[0]");
    assertThat(
            s.post("/v1/mem/search", key, "{\"query\":\"x\",\"limit\":0}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("limit");
    assertThat(s.get("/v1/mem?colour=red", key).error(400, "invalid_request").field())
        .isEqualTo("colour");
    assertThat(s.get("/v1/mem/not-a-uuid", key).error(400, "invalid_request").field())
        .isEqualTo("id");
    s.get("/v1/mem?filters=%7Bnope", key).error(400, "invalid_request");
  }

  @Test
  void bodyOverLimit_is413() {
    String big = "{\"text\":\"" + "a".repeat(70 * 1024) + "\"}";
    s.post("/v1/mem/add", key, big).error(413, "payload_too_large");
  }

  @Test
  void unknownRouteAndWrongMethod_areJson404And405() {
    s.get("/v1/nothing-here", key).error(404, "not_found");
    s.get("/nope", null).error(404, "not_found");
    s.send("PATCH", "/v1/mem/add", key, "{}").error(405, "method_not_allowed");
  }

  @Test
  void tenants_createListGetKeysPurge() {
    JsonNode created =
        s.post("/v1/tenants", TestServer.ADMIN_KEY, "{\"id\":\"globex\",\"region\":\"local\"}")
            .status(201)
            .j();
    assertThat(created.get("id").asText()).isEqualTo("globex");
    assertThat(created.get("region").asText()).isEqualTo("local");
    String gkey = created.get("api_key").asText();
    s.post("/v1/tenants", TestServer.ADMIN_KEY, "{\"id\":\"globex\"}").error(409, "conflict");
    assertThat(
            s.post("/v1/tenants", TestServer.ADMIN_KEY, "{\"id\":\"Bad Id\"}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("tenant");
    assertThat(
            s.get("/v1/tenants", TestServer.ADMIN_KEY)
                .ok()
                .j()
                .get("results")
                .findValuesAsText("id"))
        .contains("acme", "globex");
    s.get("/v1/tenants/nope", TestServer.ADMIN_KEY).error(404, "not_found");

    JsonNode k2 =
        s.post("/v1/tenants/globex/keys", TestServer.ADMIN_KEY, "{\"user_id\":\"zed\"}")
            .status(201)
            .j();
    assertThat(k2.get("user_id").asText()).isEqualTo("zed");
    JsonNode info = s.get("/v1/tenants/globex", TestServer.ADMIN_KEY).ok().j();
    assertThat(info.get("keys")).hasSize(2);
    assertThat(info.toString()).doesNotContain(gkey);
    s.delete("/v1/tenants/globex/keys/" + k2.get("id").asText(), TestServer.ADMIN_KEY).ok();
    s.get("/v1/mem", k2.get("api_key").asText()).error(401, "unauthorized");
    s.delete("/v1/tenants/globex/keys/nope", TestServer.ADMIN_KEY).error(404, "not_found");

    s.post("/v1/mem/add", gkey, "{\"text\":\"globex secret plan\",\"user_id\":\"u\"}").ok();
    JsonNode receipt = s.delete("/v1/tenants/globex", TestServer.ADMIN_KEY).ok().j();
    assertThat(receipt.get("tenant").asText()).isEqualTo("globex");
    assertThat(receipt.get("memories").asLong()).isEqualTo(1);
    assertThat(receipt.has("purged_at")).isTrue();
    s.get("/v1/mem?all=true", gkey).error(401, "unauthorized");
    s.get("/v1/tenants/globex", TestServer.ADMIN_KEY).error(404, "not_found");
  }

  @Test
  void ops_healthReadyMetricsOpenapi() {
    assertThat(s.get("/health", null).ok().j().get("status").asText()).isEqualTo("ok");
    assertThat(s.get("/ready", null).ok().j().get("status").asText()).isEqualTo("ready");
    s.post("/v1/mem/search", key, "{\"query\":\"anything\",\"all\":true}").ok();
    String metrics = s.get("/metrics", null).status(200).body();
    assertThat(metrics)
        .contains(
            "http_server_requests_seconds_bucket",
            "route=\"/v1/mem/search\"",
            "mnemo_tenants_open",
            "mnemo_searches_total",
            "tenant_bucket=",
            "mnemo_embedder_latency_seconds_count");
    assertThat(metrics).doesNotContain("tenant=\"acme\"");
    assertThat(s.get("/openapi.json", null).ok().j().get("openapi").asText()).startsWith("3.1");
  }
}
