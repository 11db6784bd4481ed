package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/tenants/{id}/export} and {@code POST /v1/tenants/{id}/import}, admin key only. */
class TransferRoutesTest {
  TestServer s;
  String key;

  @BeforeEach
  void start() {
    s = new TestServer();
    key =
        s.post("/v1/tenants", TestServer.ADMIN_KEY, "{\"id\":\"acme\"}")
            .status(201)
            .j()
            .get("api_key")
            .asText();
    for (String text :
        List.of("Our CRM is called Atlas", "Alice prefers tea", "The office is in Lyon")) {
      s.post(
              "/v1/mem/add",
              key,
              TestServer.json(Map.of("user_id", "alice", "text", text, "metadata", Map.of("k", 1))))
          .ok();
    }
  }

  @AfterEach
  void stop() {
    s.close();
  }

  private static List<String> records(String body) {
    List<String> lines = Arrays.asList(body.split("\n"));
    assertThat(lines.get(0)).contains("\"kind\":\"header\"");
    return lines.subList(1, lines.size());
  }

  @Test
  void exportThenImport_intoANewTenant_exportsTheSameRecords() {
    TestServer.Res out = s.get("/v1/tenants/acme/export", TestServer.ADMIN_KEY).status(200);
    assertThat(out.raw().headers().firstValue("content-type").orElse(""))
        .startsWith("application/x-ndjson");
    assertThat(out.body()).contains("\"kind\":\"memory\"").contains("\"vector\"");

    JsonNode receipt =
        s.post("/v1/tenants/copy/import?region=local", TestServer.ADMIN_KEY, out.body())
            .status(201)
            .j();
    assertThat(receipt.get("counts").get("memory").asLong()).isEqualTo(3);
    assertThat(receipt.get("embedded").asLong()).isZero();

    String again = s.get("/v1/tenants/copy/export", TestServer.ADMIN_KEY).status(200).body();
    assertThat(records(again)).isEqualTo(records(out.body()));

    String plain =
        s.get("/v1/tenants/acme/export?vectors=false", TestServer.ADMIN_KEY).status(200).body();
    assertThat(plain).doesNotContain("\"vector\"");
    JsonNode embedded =
        s.post("/v1/tenants/plain/import", TestServer.ADMIN_KEY, plain).status(201).j();
    assertThat(embedded.get("embedded").asLong()).isEqualTo(3);
  }

  @Test
  void import_badLine_is400NamingLineAndFieldAndCreatesNothing() {
    String body = s.get("/v1/tenants/acme/export", TestServer.ADMIN_KEY).status(200).body();
    String bad = body.replaceFirst("\"user_id\":\"alice\"", "\"user_id\":7");
    TestServer.Res r =
        s.post("/v1/tenants/copy/import", TestServer.ADMIN_KEY, bad).error(400, "invalid_request");
    assertThat(r.field()).isEqualTo("lines[2].user_id");
    assertThat(r.j().get("error").get("message").asText()).startsWith("line 2:");
    s.get("/v1/tenants/copy", TestServer.ADMIN_KEY).error(404, "not_found");

    s.post("/v1/tenants/copy/import", TestServer.ADMIN_KEY, "").error(400, "invalid_request");
    s.post("/v1/tenants/copy/import", TestServer.ADMIN_KEY, "{\"kind\":\"header\"}")
        .error(400, "invalid_request");
  }

  /** An import is streamed to disk, so the server's request size limit (1 MiB) does not apply. */
  @Test
  void import_largerThanTheRequestLimit_isAccepted() {
    String body = s.get("/v1/tenants/acme/export", TestServer.ADMIN_KEY).status(200).body();
    String big =
        body.replaceFirst("\"context\":\"[^\"]*\"", "\"context\":\"" + "x".repeat(1_500_000) + "\"")
            .replaceAll("\"checksums\":\\{[^}]*}", "\"checksums\":{}");
    assertThat(big.length()).isGreaterThan(1 << 20);
    s.post("/v1/tenants/big/import", TestServer.ADMIN_KEY, big).status(201);
  }

  @Test
  void import_intoATenantHoldingData_is409() {
    String body = s.get("/v1/tenants/acme/export", TestServer.ADMIN_KEY).status(200).body();
    s.post("/v1/tenants/acme/import", TestServer.ADMIN_KEY, body).error(409, "conflict");
  }

  @Test
  void exportAndImport_needTheAdminKey() {
    s.get("/v1/tenants/acme/export", key).error(403, "forbidden");
    s.post("/v1/tenants/x/import", key, "").error(403, "forbidden");
    s.get("/v1/tenants/nobody/export", TestServer.ADMIN_KEY).error(404, "not_found");
    s.get("/v1/tenants/acme/export?vector=1", TestServer.ADMIN_KEY).error(400, "invalid_request");
  }
}
