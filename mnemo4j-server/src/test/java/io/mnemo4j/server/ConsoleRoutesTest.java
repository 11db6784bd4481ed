package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The web console's files: served from the class path with the security headers, revalidated by
 * ETag, nothing outside the console directory reachable, every file the page and its modules load
 * present, and no address of another origin anywhere in them (the console works offline).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleRoutesTest {
  private static final Pattern IMPORT = Pattern.compile("from '\\./([a-z0-9-]+\\.js)'");
  private static final Pattern HTML_REF = Pattern.compile("(?:src|href)=\"/console/([^\"]+)\"");

  private TestServer s;

  @BeforeAll
  void start() {
    s = new TestServer();
  }

  @AfterAll
  void stop() {
    s.close();
  }

  private static Path consoleDir() throws URISyntaxException {
    return Path.of(ConsoleRoutes.class.getResource(ConsoleRoutes.RESOURCES).toURI());
  }

  @Test
  void page_isServedWithAStrictPolicyAndNoInlineCode() {
    TestServer.Res r = s.get("/console", null).status(200);
    assertThat(r.raw().headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    String csp = r.raw().headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(csp)
        .contains(
            "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'")
        .contains("frame-ancestors 'none'", "require-trusted-types-for 'script'")
        .doesNotContain("unsafe-inline", "unsafe-eval", "*", "http");
    assertThat(r.raw().headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(r.raw().headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    assertThat(r.raw().headers().firstValue("X-Frame-Options")).hasValue("DENY");
    assertThat(r.body())
        .contains("<script type=\"module\" src=\"/console/app.js\"></script>")
        .doesNotContainPattern("<script(?![^>]*\\ssrc=)[^>]*>")
        .doesNotContain("style=");
    assertThat(s.get("/console/", null).status(200).body()).isEqualTo(r.body());
  }

  @Test
  void files_haveTheirTypes_andAnETagRevalidates() {
    Map<String, String> types =
        Map.of(
            "app.js", "text/javascript",
            "app.css", "text/css",
            "icon.svg", "image/svg+xml");
    types.forEach(
        (file, type) -> {
          TestServer.Res r = s.get("/console/" + file, null).status(200);
          assertThat(r.raw().headers().firstValue("Content-Type"))
              .hasValueSatisfying(t -> assertThat(t).startsWith(type));
          assertThat(r.raw().headers().firstValue("Content-Security-Policy")).isPresent();
          String etag = r.raw().headers().firstValue("ETag").orElseThrow();
          TestServer.Res again =
              s.send("GET", "/console/" + file, null, null, Map.of("If-None-Match", etag));
          assertThat(again.status()).isEqualTo(304);
          assertThat(again.body()).isEmpty();
        });
  }

  @Test
  void onlyConsoleFilesAreReachable() {
    for (String bad : List.of("nope.js", "index.html", "APP.JS", "app.json", ".hidden.js")) {
      s.get("/console/" + bad, null).error(404, "not_found");
    }
    // Encoded separators and NULs: Jetty refuses them before routing; either way, a JSON 4xx.
    for (String bad : List.of("..%2Fopenapi.json", "%2e%2e%2fopenapi.json", "app.js%00.css")) {
      TestServer.Res r = s.get("/console/" + bad, null);
      assertThat(r.status()).as(bad).isIn(400, 404);
      r.error(r.status(), r.j().get("error").get("code").asText());
      assertThat(r.body()).doesNotContain("openapi\":");
    }
    s.get("/console/a/b.js", null).error(404, "not_found");
    s.send("POST", "/console", null, "{}").error(405, "method_not_allowed");
  }

  @Test
  void everyFileThePageAndItsModulesLoad_isServed() throws Exception {
    Path dir = consoleDir();
    List<String> wanted = new ArrayList<>();
    Matcher html = HTML_REF.matcher(Files.readString(dir.resolve("index.html")));
    while (html.find()) {
      wanted.add(html.group(1));
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path js : files.filter(p -> p.toString().endsWith(".js")).toList()) {
        Matcher m = IMPORT.matcher(Files.readString(js));
        while (m.find()) {
          wanted.add(m.group(1));
        }
      }
    }
    assertThat(wanted).contains("app.js", "app.css", "icon.svg", "api.js", "dom.js", "memory.js");
    for (String file : wanted) {
      assertThat(s.get("/console/" + file, null).status()).as(file).isEqualTo(200);
    }
  }

  @Test
  void noFileNamesAnotherOrigin_andNoneWritesHtmlFromStrings() throws Exception {
    try (Stream<Path> files = Files.list(consoleDir())) {
      for (Path f : files.toList()) {
        String text = Files.readString(f, StandardCharsets.UTF_8);
        String name = f.getFileName().toString();
        // The SVG names its XML namespace, which is an identifier, not a request.
        String checked =
            name.endsWith(".svg") ? text.replace("http://www.w3.org/2000/svg", "") : text;
        assertThat(checked).as(name).doesNotContainPattern("https?://").doesNotContain("//cdn");
        if (name.endsWith(".js")) {
          assertThat(text)
              .as(name)
              .doesNotContain(
                  ".innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(")
              .doesNotContain("new Function");
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
