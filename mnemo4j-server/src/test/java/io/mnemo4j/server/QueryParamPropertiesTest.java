package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.StringJoiner;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Arbitrary query strings on the native GET routes that take parameters (list, count, entities,
 * with a whole-tenant and a user-narrowed key) get a 2xx or a 4xx JSON error naming a field, never
 * a 500. Bounded tries; jqwik prints the seed of a failing run.
 */
class QueryParamPropertiesTest {
  private static final List<String> ROUTES =
      List.of("/v1/mem", "/v1/mem/count", "/v1/mem/entities");
  private static final List<String> NAMES =
      List.of(
          "type",
          "user_id",
          "agent_id",
          "run_id",
          "include_tenant_wide",
          "all",
          "filters",
          "as_of",
          "include_expired",
          "include_closed",
          "cursor",
          "page_size",
          "limit",
          "q",
          "");
  private static final List<String> VALUES =
      List.of(
          "user",
          "agent",
          "run",
          "app",
          "alice",
          "*",
          "",
          "true",
          "false",
          "1",
          "0",
          "-1",
          "1001",
          "2024-01-01",
          "2024-01-01T00:00:00Z",
          "yesterday",
          "{\"categories\":\"work\"}",
          "{\"AND\":[]}",
          "{",
          "\u0001",
          "0190a000-0000-7000-8000-000000000000");

  private static TestServer server;
  private static String key;
  private static String narrowed;

  @BeforeContainer
  static void start() {
    server = new TestServer();
    key = server.tenant("params");
    narrowed = server.userKey("params", "alice");
    server.post("/v1/mem/add", key, "{\"user_id\":\"alice\",\"text\":\"alice likes params\"}").ok();
    server
        .post("/v1/mem/add", key, "{\"user_id\":\"bob\",\"agent_id\":\"crm\",\"text\":\"bob\"}")
        .ok();
  }

  @AfterContainer
  static void stop() {
    server.close();
  }

  @Property(tries = 150)
  void anyQueryString_isA2xxOrA4xxJsonError(
      @ForAll("routes") String route, @ForAll("queries") String query, @ForAll boolean narrow) {
    TestServer.Res r = server.get(route + query, narrow ? narrowed : key);
    assertThat(r.status()).as("%s%s -> %s", route, query, r.body()).isLessThan(500);
    assertThat(r.json()).as("JSON answer to %s%s: %s", route, query, r.body()).isNotNull();
    if (r.status() >= 400) {
      r.error(r.status(), r.j().get("error").get("code").asText());
    }
  }

  @Provide
  Arbitrary<String> routes() {
    return Arbitraries.of(ROUTES);
  }

  @Provide
  Arbitrary<String> queries() {
    Arbitrary<String> pair =
        Combinators.combine(
                Arbitraries.of(NAMES),
                Arbitraries.oneOf(Arbitraries.of(VALUES), Arbitraries.strings().ofMaxLength(12)))
            .as(
                (name, value) ->
                    URLEncoder.encode(name, StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(value, StandardCharsets.UTF_8));
    return pair.list()
        .ofMaxSize(4)
        .map(
            pairs -> {
              StringJoiner j = new StringJoiner("&", "?", "");
              pairs.forEach(j::add);
              return pairs.isEmpty() ? "" : j.toString();
            });
  }
}
