package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The hand-written OpenAPI document lists exactly the routes the app registers, and is served. */
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
      assertThat(s.get("/openapi.json", null).ok().j()).isEqualTo(doc);
    }
  }
}
