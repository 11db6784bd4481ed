package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Mem0's createMemoryExport and getMemoryExport, answered without a language model. */
class Mem0ExportsTest {
  static final String LIST_SCHEMA =
      "{\"type\":\"object\",\"properties\":{\"facts\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}}}}";

  TestServer s;
  String key;
  String other;

  @BeforeEach
  void start() {
    s = new TestServer();
    key = tenant("acme");
    other = tenant("globex");
    for (String[] m :
        List.of(
            new String[] {"alice", "Alice likes tea"},
            new String[] {"alice", "Alice lives in Lyon"},
            new String[] {"bob", "Bob likes coffee"})) {
      s.post("/v1/mem/add", key, TestServer.json(Map.of("user_id", m[0], "text", m[1]))).ok();
    }
    s.post("/v1/mem/add", other, TestServer.json(Map.of("user_id", "alice", "text", "secret")))
        .ok();
  }

  private String tenant(String id) {
    return s.post("/v1/tenants", TestServer.ADMIN_KEY, "{\"id\":\"" + id + "\"}")
        .status(201)
        .j()
        .get("api_key")
        .asText();
  }

  @AfterEach
  void stop() {
    s.close();
  }

  private static List<String> texts(JsonNode list) {
    List<String> out = new ArrayList<>();
    list.forEach(m -> out.add(m.get("memory").asText()));
    return out;
  }

  @Test
  void createThenGet_answersTheSelectedMemoriesInMem0ShapeUnderTheSchemasList() {
    JsonNode created =
        s.post(
                "/v1/exports/",
                key,
                "{\"schema\":" + LIST_SCHEMA + ",\"filters\":{\"user_id\":\"alice\"}}")
            .status(201)
            .j();
    assertThat(created.get("message").asText()).contains("export");
    String id = created.get("id").asText();

    JsonNode export = s.post("/v1/exports/get/", key, "{}").ok().j();
    assertThat(texts(export.get("facts")))
        .containsExactlyInAnyOrder("Alice likes tea", "Alice lives in Lyon");
    JsonNode first = export.get("facts").get(0);
    assertThat(first.has("id")).isTrue();
    assertThat(first.get("user_id").asText()).isEqualTo("alice");

    s.post("/v1/exports/", key, "{\"schema\":{\"type\":\"array\"},\"user_id\":\"bob\"}")
        .status(201);
    assertThat(texts(s.post("/v1/exports/get/", key, "{}").ok().j().get("memories")))
        .containsExactly("Bob likes coffee");
    // An earlier export by its id.
    assertThat(
            texts(
                s.post("/v1/exports/get/", key, "{\"memory_export_id\":\"" + id + "\"}")
                    .ok()
                    .j()
                    .get("facts")))
        .hasSize(2);
  }

  @Test
  void get_ofAnotherTenantsExport_isNotFound() {
    String id =
        s.post("/v1/exports/", key, "{\"schema\":" + LIST_SCHEMA + ",\"user_id\":\"alice\"}")
            .status(201)
            .j()
            .get("id")
            .asText();
    s.post("/v1/exports/get/", other, "{\"memory_export_id\":\"" + id + "\"}")
        .error(404, "not_found");
    s.post("/v1/exports/get/", other, "{}").error(404, "not_found");
  }

  @Test
  void create_schemaThatNeedsAModel_is501NamingSchema() {
    String profile =
        "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"age\":{\"type\":\"integer\"}}}";
    TestServer.Res r =
        s.post("/v1/exports/", key, "{\"schema\":" + profile + "}").error(501, "not_implemented");
    assertThat(r.field()).isEqualTo("schema");
    s.post("/v1/exports/", key, "{\"schema\":" + LIST_SCHEMA + ",\"app_id\":\"x\"}")
        .error(400, "invalid_request");
    s.post("/v1/exports/", null, "{}").error(401, "unauthorized");
  }
}
