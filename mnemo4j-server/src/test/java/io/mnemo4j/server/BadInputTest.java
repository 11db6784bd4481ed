package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The findings of the fuzzing audit (issue 9, "Bad input is a 4xx, never a 500, never silent"), one
 * test each: every one of these inputs used to be a 500 with a logged stack trace, or was silently
 * accepted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
  /** Dates that parse as ISO-8601 but lie far outside any year a store can encode. */
  private static final List<String> EXTREME_DATES =
      List.of("+999999999-12-31", "+999999999-12-31T00:00:00Z", "-999999999-01-01", "10000-01-01");

  private TestServer s;
  private String key;
  private String memoryId;

  @BeforeAll
  void start() {
    s = new TestServer();
    key = s.tenant("badinput");
    memoryId =
        s.post("/v1/mem/add", key, "{\"user_id\":\"alice\",\"text\":\"I like green tea\"}")
            .ok()
            .j()
            .get("results")
            .get(0)
            .get("id")
            .asText();
  }

  @AfterAll
  void stop() {
    s.close();
  }

  /**
   * Regression: {@code GET /v1/mem/%u0041} and {@code /v1/tenants/%u002e%u002e} made Javalin's URL
   * decoder throw while extracting the path parameter: a 500 and a stack trace in the log, for
   * anyone, without a key. Now a 400 naming {@code path} (or {@code query}), and nothing logged.
   */
  @Test
  void percentUEscape_inPathOrQuery_is400WithoutAStackTrace() {
    try (LogCapture logs = new LogCapture()) {
      for (String path :
          List.of(
              "/v1/mem/%u0041",
              "/v1/tenants/%u002e%u002e", "/v1/memories/%u0041/", "/v1/memories/%u0041/history/")) {
        assertThat(s.get(path, null).error(400, "invalid_request").field())
            .as(path)
            .isEqualTo("path");
        assertThat(s.get(path, key).error(400, "invalid_request").field())
            .as(path)
            .isEqualTo("path");
      }
      // other malformed escapes Jetty itself refuses before routing: the same 400 shape
      for (String path : List.of("/v1/mem/%zz", "/v1/mem/abc%", "/v1/mem/%4")) {
        assertThat(s.get(path, key).error(400, "invalid_request").field())
            .as(path)
            .isIn("path", "request");
      }
      assertThat(s.get("/v1/mem?user_id=%u0041", key).error(400, "invalid_request").field())
          .isEqualTo("query");
      // Jetty answered a malformed DELETE or PUT with an empty body: the JSON error now
      for (String method : List.of("DELETE", "PUT")) {
        s.raw(method, "/v1/tenants/%FF%FE", TestServer.ADMIN_KEY, null)
            .error(400, "invalid_request");
      }
      assertThat(logs.text()).doesNotContain("Exception").doesNotContain("\tat ");
    }
    // a well-formed escape still reaches the route
    s.get("/v1/mem/" + URLEncoder.encode("not a uuid", StandardCharsets.UTF_8), key)
        .error(400, "invalid_request");
  }

  /**
   * Regression: {@code expiration_date: "+999999999-12-31"} overflowed while computing the expiry
   * (a 500), and {@code expires_at: "+999999999-12-31T00:00:00Z"} was stored as is. Every date
   * field of every route now refuses a year outside 0001-9999 with a 400 naming the field.
   */
  @Test
  void extremeDate_inEveryDateFieldOfEveryRoute_is400NamingTheField() {
    for (String date : EXTREME_DATES) {
      String q = "\"" + date + "\"";
      String enc = URLEncoder.encode(date, StandardCharsets.UTF_8);
      expectField(
          s.post(
              "/v1/mem/add", key, "{\"user_id\":\"a\",\"text\":\"x y\",\"expires_at\":" + q + "}"),
          "expires_at",
          date);
      expectField(
          s.post(
              "/v1/mem/add",
              key,
              "{\"user_id\":\"a\",\"text\":\"x y\",\"session_date\":" + q + "}"),
          "session_date",
          date);
      expectField(
          s.post(
              "/v1/mem/search",
              key,
              "{\"query\":\"tea\",\"user_id\":\"alice\",\"as_of\":" + q + "}"),
          "as_of",
          date);
      expectField(s.get("/v1/mem?user_id=alice&as_of=" + enc, key), "as_of", date);
      expectField(
          s.post(
              "/v1/mem/search",
              key,
              "{\"query\":\"tea\",\"user_id\":\"alice\",\"filters\":{\"created_at\":{\"gte\":"
                  + q
                  + "}}}"),
          "filters.created_at.gte",
          date);
      expectField(
          s.get(
              "/v1/mem?user_id=alice&filters="
                  + URLEncoder.encode(
                      "{\"valid_from\":{\"lt\":" + q + "}}", StandardCharsets.UTF_8),
              key),
          "filters.valid_from.lt",
          date);
      for (String add : List.of("/v3/memories/add/", "/v1/memories/")) {
        expectField(
            s.post(
                add, key, "{\"messages\":\"x y\",\"user_id\":\"a\",\"expiration_date\":" + q + "}"),
            "expiration_date",
            date);
      }
      for (String search :
          List.of("/v3/memories/search/", "/v2/memories/search/", "/v1/memories/search/")) {
        expectField(
            s.post(search, key, "{\"query\":\"tea\",\"user_id\":\"alice\",\"as_of\":" + q + "}"),
            "as_of",
            date);
        expectField(
            s.post(
                search,
                key,
                "{\"query\":\"tea\",\"filters\":{\"AND\":[{\"user_id\":\"alice\"},"
                    + "{\"updated_at\":{\"lte\":"
                    + q
                    + "}}]}}"),
            "filters.AND[1].updated_at.lte",
            date);
      }
      for (String field : List.of("as_of", "start_date", "end_date")) {
        expectField(
            s.post(
                "/v3/memories/",
                key,
                "{\"filters\":{\"user_id\":\"alice\"},\"" + field + "\":" + q + "}"),
            field,
            date);
      }
    }
    // Mem0's timestamp is Unix seconds: one past year 9999 is refused the same way
    expectField(
        s.post(
            "/v3/memories/add/",
            key,
            "{\"messages\":\"x y\",\"user_id\":\"a\",\"timestamp\":1e15}"),
        "timestamp",
        "1e15");
    // nothing was stored by any of the refused adds
    JsonNode all = s.post("/v3/memories/", key, "{\"filters\":{\"user_id\":\"a\"}}").ok().j();
    assertThat(all.get("count").asLong()).isZero();
  }

  private static void expectField(TestServer.Res r, String field, String date) {
    assertThat(r.error(400, "invalid_request").field())
        .as("%s for %s", field, date)
        .isEqualTo(field);
  }

  /** The edges of the accepted range still work. */
  @Test
  void datesAtTheEdgesOfTheRange_areAccepted() {
    s.post(
            "/v1/mem/add",
            key,
            "{\"user_id\":\"edge\",\"text\":\"far future note\",\"expires_at\":\"9999-12-31T23:59:59Z\"}")
        .ok();
    s.post(
            "/v3/memories/",
            key,
            "{\"filters\":{\"user_id\":\"edge\"},\"start_date\":\"0001-01-01\",\"end_date\":\"9999-12-31\"}")
        .ok();
    s.post(
            "/v1/mem/search",
            key,
            "{\"query\":\"note\",\"user_id\":\"edge\",\"filters\":{\"created_at\":{\"gte\":\"0001-01-01\"}}}")
        .ok();
  }

  /**
   * Regression: {@code GET /v1/mem?cursor=garbage} answered an empty page with no next cursor, as
   * if the listing had ended. A cursor is the last memory id of a page: anything else is a 400.
   */
  @Test
  void garbageCursor_is400NamingCursor() {
    for (String cursor : List.of("garbage", "0", "x".repeat(36), "01a246c1-112b-7168-ba6d")) {
      assertThat(
              s.get("/v1/mem?user_id=alice&cursor=" + cursor, key)
                  .error(400, "invalid_request")
                  .field())
          .as(cursor)
          .isEqualTo("cursor");
    }
    // a real cursor works
    for (int i = 0; i < 3; i++) {
      s.post("/v1/mem/add", key, "{\"user_id\":\"pager\",\"text\":\"page note " + i + " kiwi\"}")
          .ok();
    }
    JsonNode first = s.get("/v1/mem?user_id=pager&page_size=2", key).ok().j();
    String next = first.get("next_cursor").asText();
    JsonNode second = s.get("/v1/mem?user_id=pager&page_size=2&cursor=" + next, key).ok().j();
    assertThat(second.get("results")).hasSize(1);
  }

  /**
   * Regression: {@code threshold: 1.5} was accepted (and so was 7): no cosine similarity reaches
   * it, so every search silently answered nothing. A threshold outside [0, 1] is a 400.
   */
  @Test
  void thresholdOutsideZeroToOne_is400NamingThreshold() {
    for (String t : List.of("1.5", "7", "-0.1", "1e308")) {
      assertThat(
              s.post(
                      "/v1/mem/search",
                      key,
                      "{\"query\":\"tea\",\"user_id\":\"alice\",\"threshold\":" + t + "}")
                  .error(400, "invalid_request")
                  .field())
          .as(t)
          .isEqualTo("threshold");
      assertThat(
              s.post(
                      "/v3/memories/search/",
                      key,
                      "{\"query\":\"tea\",\"filters\":{\"user_id\":\"alice\"},\"threshold\":"
                          + t
                          + "}")
                  .error(400, "invalid_request")
                  .field())
          .as(t)
          .isEqualTo("threshold");
    }
    s.post("/v1/mem/search", key, "{\"query\":\"tea\",\"user_id\":\"alice\",\"threshold\":1}").ok();
    s.post("/v1/mem/search", key, "{\"query\":\"tea\",\"user_id\":\"alice\",\"threshold\":0}").ok();
  }

  /** A page size (or limit, or top_k) of 0 is a 400 on every route that pages or ranks. */
  @Test
  void pageSizeZero_is400OnEveryRoute() {
    assertThat(
            s.get("/v1/mem?user_id=alice&page_size=0", key).error(400, "invalid_request").field())
        .isEqualTo("page_size");
    assertThat(
            s.post("/v3/memories/?page_size=0", key, "{\"filters\":{\"user_id\":\"alice\"}}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("page_size");
    assertThat(
            s.post("/v3/memories/?page=0", key, "{\"filters\":{\"user_id\":\"alice\"}}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("page");
    assertThat(s.get("/v1/entities/?page_size=0", key).error(400, "invalid_request").field())
        .isEqualTo("page_size");
    assertThat(s.get("/v1/entities/?page=0", key).error(400, "invalid_request").field())
        .isEqualTo("page");
    assertThat(
            s.post("/v1/mem/search", key, "{\"query\":\"tea\",\"user_id\":\"alice\",\"limit\":0}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("limit");
    assertThat(
            s.post(
                    "/v3/memories/search/",
                    key,
                    "{\"query\":\"tea\",\"filters\":{\"user_id\":\"alice\"},\"top_k\":0}")
                .error(400, "invalid_request")
                .field())
        .isEqualTo("top_k");
  }

  /**
   * Regression: a metadata integer beyond 64 bits wrapped silently ({@code 2^64-1} came back as
   * {@code -1}) in the core's metadata copy. Now refused with a 400 naming the key; the 64-bit
   * extremes are kept exactly.
   */
  @Test
  void metadataIntegerBeyond64Bits_is400_andTheExtremesAreKeptExactly() {
    for (String n :
        List.of("18446744073709551615", "9223372036854775808", "-9223372036854775809")) {
      assertThat(
              s.post(
                      "/v1/mem/add",
                      key,
                      "{\"user_id\":\"big\",\"text\":\"a big number\",\"metadata\":{\"n\":"
                          + n
                          + "}}")
                  .error(400, "invalid_request")
                  .field())
          .as(n)
          .isEqualTo("metadata.n");
      assertThat(
              s.post(
                      "/v3/memories/add/",
                      key,
                      "{\"messages\":\"a big number\",\"user_id\":\"big\",\"metadata\":{\"deep\":{\"n\":["
                          + n
                          + "]}}}")
                  .error(400, "invalid_request")
                  .field())
          .as(n)
          .isEqualTo("metadata.deep.n[0]");
      assertThat(
              s.put("/v1/mem/" + memoryId, key, "{\"metadata\":{\"n\":" + n + "}}")
                  .error(400, "invalid_request")
                  .field())
          .isEqualTo("metadata.n");
    }
    String id =
        s.post(
                "/v1/mem/add",
                key,
                "{\"user_id\":\"big\",\"text\":\"the extremes\",\"metadata\":"
                    + "{\"max\":9223372036854775807,\"min\":-9223372036854775808}}")
            .ok()
            .j()
            .get("results")
            .get(0)
            .get("id")
            .asText();
    JsonNode md = s.get("/v1/mem/" + id, key).ok().j().get("metadata");
    assertThat(md.get("max").asText()).isEqualTo("9223372036854775807");
    assertThat(md.get("min").asText()).isEqualTo("-9223372036854775808");
    assertThat(s.get("/v1/memories/" + id + "/", key).ok().j().get("metadata").get("max").asText())
        .isEqualTo("9223372036854775807");
  }
}
