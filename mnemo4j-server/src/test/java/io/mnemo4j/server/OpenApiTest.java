package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The hand-written OpenAPI document lists exactly the routes the app registers, its references
 * resolve, it documents the inference fields, and it is served.
 */
class OpenApiTest {
  @Test
  void openapi_listsEveryRegisteredRouteAndNothingElse() throws Exception {
    try (TestServer s = new TestServer()) {
      Set<String> registered = new TreeSet<>();
      s.server
          .routes()
          .forEach(r -> registered.add(r.method().toUpperCase(Locale.ROOT) + " " + r.path()));
      JsonNode doc = TestServer.MAPPER.readTree(OpsRoutes.openapi());
      Set<String> documented = new TreeSet<>();
      doc.get("paths")
          .properties()
          .forEach(
              p ->
                  p.getValue()
                      .fieldNames()
                      .forEachRemaining(
                          m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey())));
      assertThat(registered).isNotEmpty();
      assertThat(documented).as("documented but not registered").isSubsetOf(registered);
      assertThat(registered).as("registered but not documented").isSubsetOf(documented);
      assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
      JsonNode served = s.get("/openapi.json", null).ok().j().deepCopy();
      ((com.fasterxml.jackson.databind.node.ObjectNode) served).remove("servers");
      ((com.fasterxml.jackson.databind.node.ObjectNode) doc).remove("servers");
      assertThat(served).isEqualTo(doc);
    }
  }

  /**
   * Regression: the document said {@code servers: http://127.0.0.1:8080} whatever the server's
   * address, so generated clients and "try it" buttons called the wrong port. It now names the
   * address and port of the server that serves it.
   */
  @Test
  void openapi_servers_nameTheAddressAndPortActuallyServed() {
    try (TestServer s = new TestServer()) {
      JsonNode servers = s.get("/openapi.json", null).ok().j().get("servers");
      assertThat(servers).hasSize(1);
      assertThat(servers.get(0).get("url").asText())
          .isEqualTo("http://127.0.0.1:" + s.server.port());
    }
  }

  /**
   * Regression: no operation had an {@code operationId}, so client generators invented names (or
   * refused). Every operation now has one, unique across the document.
   */
  @Test
  void openapi_everyOperation_hasAUniqueOperationId() throws Exception {
    JsonNode doc = TestServer.MAPPER.readTree(OpsRoutes.openapi());
    Set<String> seen = new TreeSet<>();
    List<String> missing = new ArrayList<>();
    doc.get("paths")
        .properties()
        .forEach(
            p ->
                p.getValue()
                    .properties()
                    .forEach(
                        op -> {
                          JsonNode id = op.getValue().get("operationId");
                          if (id == null || !id.isTextual() || id.asText().isBlank()) {
                            missing.add(op.getKey() + " " + p.getKey());
                          } else {
                            assertThat(seen.add(id.asText()))
                                .as("operationId %s is unique", id.asText())
                                .isTrue();
                          }
                        }));
    assertThat(missing).as("operations without operationId").isEmpty();
    assertThat(seen).hasSizeGreaterThan(40);
  }

  @Test
  void openapi_everyReferenceResolves() throws Exception {
    JsonNode doc = TestServer.MAPPER.readTree(OpsRoutes.openapi());
    List<String> refs = new ArrayList<>();
    collectRefs(doc, refs);
    assertThat(refs).isNotEmpty();
    for (String ref : refs) {
      assertThat(ref).startsWith("#/");
      assertThat(doc.at(ref.substring(1)).isMissingNode()).as("unresolved %s", ref).isFalse();
    }
  }

  @Test
  void openapi_documentsInferenceFieldsAndResponses() throws Exception {
    JsonNode doc = TestServer.MAPPER.readTree(OpsRoutes.openapi());
    JsonNode add = doc.at("/paths/~1v1~1mem~1add/post/responses");
    assertThat(add.has("202")).isTrue();
    assertThat(add.has("429")).isTrue();
    assertThat(doc.at("/components/responses/Overloaded/headers").has("Retry-After")).isTrue();
    assertThat(doc.at("/components/schemas/AddRequest/properties").fieldNames())
        .toIterable()
        .contains(
            "infer", "idempotency_key", "session_date", "instructions", "memory_type", "async");
    assertThat(doc.at("/components/schemas/Mem0AddRequest/properties").fieldNames())
        .toIterable()
        .contains("async_mode", "custom_instructions", "includes", "excludes", "memory_type");
    for (String schema : List.of("SearchRequest", "Mem0SearchRequest", "Mem0ListRequest")) {
      assertThat(doc.at("/components/schemas/" + schema + "/properties").fieldNames())
          .toIterable()
          .as(schema)
          .contains("as_of", "include_expired");
    }
  }

  private static void collectRefs(JsonNode node, List<String> out) {
    if (node.isObject()) {
      node.properties()
          .forEach(
              e -> {
                if (e.getKey().equals("$ref") && e.getValue().isTextual()) {
                  out.add(e.getValue().asText());
                } else {
                  collectRefs(e.getValue(), out);
                }
              });
    } else if (node.isArray()) {
      node.forEach(n -> collectRefs(n, out));
    }
  }
}
