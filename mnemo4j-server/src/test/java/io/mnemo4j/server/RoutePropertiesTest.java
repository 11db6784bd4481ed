package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.jspecify.annotations.Nullable;

/**
 * Every registered route (taken from the running server, so a route added tomorrow is covered
 * without touching this test), with arbitrary path parameters, query parameters, bodies and keys,
 * answers a 2xx or a 4xx with the JSON error shape (or the documented 501 of a Mem0 feature Mnemo4j
 * lacks): never a 500 or 503, never a stack trace. Bounded tries; jqwik prints the seed of a
 * failing run.
 */
class RoutePropertiesTest {
  private static final Pattern PARAM = Pattern.compile("\\{([^}/]+)\\}");

  /** Path parameter values: real ids, near-misses, escapes Jetty and the URL decoder dislike. */
  private static final List<String> NASTY =
      List.of(
          "",
          "x",
          "%u0041",
          "%u002e%u002e",
          "%zz",
          "%",
          "%25",
          "..",
          "%2e%2e",
          "%2F",
          "%00",
          "%C3%A9",
          "%FF%FE",
          "+999999999-12-31",
          "00000000-0000-0000-0000-000000000000",
          "0190a000-0000-7000-8000-000000000000",
          "a".repeat(300),
          "user",
          "agent",
          "run",
          "app",
          "fuzz",
          "other");

  private static TestServer server;
  private static String key;
  private static String memoryId;

  @BeforeContainer
  static void start() {
    server = new TestServer();
    key = server.tenant("fuzz");
    memoryId =
        server
            .post(
                "/v1/mem/add", key, "{\"user_id\":\"alice\",\"text\":\"seed memory about hiking\"}")
            .ok()
            .j()
            .get("results")
            .get(0)
            .get("id")
            .asText();
  }

  @AfterContainer
  static void stop() {
    server.close();
  }

  @Property(tries = 400)
  void anyRoute_anyInput_is2xxOr4xxJson(
      @ForAll("routes") MnemoServer.Route route,
      @ForAll("segments") List<String> segments,
      @ForAll("queries") String query,
      @ForAll("bodies") @Nullable String body,
      @ForAll("keys") String whoKey) {
    check(route, segments, query, body, whoKey);
  }

  /** Each route at least once with the same handful of bad inputs (no sampling luck needed). */
  @Example
  void everyRoute_withBadInputs_is2xxOr4xxJson() {
    for (MnemoServer.Route route : server.server.routes()) {
      for (String who : List.of("tenant", "admin", "none")) {
        check(route, List.of("%u0041"), "", "{", who);
        check(
            route, List.of(memoryId), "page_size=0&cursor=zz&as_of=%2B999999999-12-31", null, who);
        check(route, List.of(""), "", "{\"expiration_date\":\"+999999999-12-31\"}", who);
        check(route, List.of("a".repeat(300)), "page=-1", "[]", who);
      }
    }
  }

  private static void check(
      MnemoServer.Route route,
      List<String> segments,
      String query,
      @Nullable String body,
      String who) {
    String target = target(route.path(), segments) + (query.isEmpty() ? "" : "?" + query);
    String k =
        switch (who) {
          case "tenant" -> key;
          case "admin" -> TestServer.ADMIN_KEY;
          default -> null;
        };
    if (route.method().equals("DELETE")
        && route.path().startsWith("/v1/tenants/{tenant}")
        && target.startsWith("/v1/tenants/fuzz")) {
      return; // purging the fuzzing tenant would only make later tries 401s
    }
    TestServer.Res r = server.raw(route.method().toUpperCase(Locale.ROOT), target, k, body);
    String what = route.method() + " " + target + " " + body + " -> " + r.status() + " " + r.body();
    // 501 not_implemented is the documented answer for a Mem0 feature Mnemo4j lacks; any other
    // 5xx is a bug.
    if (r.status() == 501) {
      r.error(501, "not_implemented");
      return;
    }
    assertThat(r.status()).as(what).isBetween(200, 499);
    if (route.path().equals("/metrics") && r.status() == 200) {
      return; // Prometheus text
    }
    if (route.path().startsWith("/console") && r.status() < 400) {
      return; // the web console's page and assets
    }
    JsonNode json = r.json();
    assertThat(json).as("JSON answer: %s", what).isNotNull();
    if (r.status() >= 400) {
      r.error(r.status(), json.get("error").get("code").asText());
    }
  }

  /** The route's template with each {param} replaced by the next segment (raw, as sent). */
  private static String target(String template, List<String> segments) {
    Matcher m = PARAM.matcher(template);
    StringBuilder sb = new StringBuilder();
    int i = 0;
    while (m.find()) {
      String v = segments.isEmpty() ? "x" : segments.get(i++ % segments.size());
      m.appendReplacement(sb, Matcher.quoteReplacement(v));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  @Provide
  Arbitrary<MnemoServer.Route> routes() {
    return Arbitraries.of(server.server.routes());
  }

  @Provide
  Arbitrary<List<String>> segments() {
    Arbitrary<String> encoded =
        Arbitraries.strings()
            .ofMaxLength(40)
            .map(s -> java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"));
    Arbitrary<String> one =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(3, Arbitraries.of(NASTY)),
            net.jqwik.api.Tuple.of(2, encoded),
            net.jqwik.api.Tuple.of(2, Arbitraries.just(memoryId)));
    return one.list().ofMinSize(1).ofMaxSize(3);
  }

  @Provide
  Arbitrary<String> queries() {
    Arbitrary<String> name =
        Arbitraries.of(
            "page",
            "page_size",
            "cursor",
            "user_id",
            "agent_id",
            "run_id",
            "all",
            "include_tenant_wide",
            "filters",
            "as_of",
            "include_expired",
            "app_id",
            "bogus");
    Arbitrary<String> value =
        Arbitraries.oneOf(
            Arbitraries.of(
                "0",
                "-1",
                "1",
                "1001",
                "99999999999",
                "true",
                "maybe",
                "*",
                "%u0041",
                "%7B%7D",
                "%2B999999999-12-31",
                "2024-01-01",
                "%7B%22metadata%22%3A%7B%22a%22%3A1%7D%7D"),
            Arbitraries.strings()
                .ofMaxLength(12)
                .map(s -> java.net.URLEncoder.encode(s, StandardCharsets.UTF_8)));
    Arbitrary<String> pair =
        net.jqwik.api.Combinators.combine(name, value).as((n, v) -> n + "=" + v);
    return pair.list().ofMaxSize(3).map(l -> String.join("&", l));
  }

  @Provide
  Arbitrary<@Nullable String> bodies() {
    return Arbitraries.oneOf(
        Arbitraries.just(null),
        new JsonBodyPropertiesTest().bodies(),
        Arbitraries.of(
            "{}",
            "[]",
            "null",
            "{\"memories\":[{\"memory_id\":\"" + memoryId + "\",\"text\":\"x\"}]}",
            "{\"text\":\"t\",\"timestamp\":1e300}",
            "{\"metadata\":{\"n\":18446744073709551615}}"));
  }

  @Provide
  Arbitrary<String> keys() {
    return Arbitraries.of("tenant", "tenant", "tenant", "admin", "none");
  }
}
