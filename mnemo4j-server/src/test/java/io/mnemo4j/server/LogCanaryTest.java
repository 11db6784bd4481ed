package io.mnemo4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo4j.InferenceSettings;
import io.mnemo4j.llm.CompletionRequest;
import io.mnemo4j.testing.ScriptedModel;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Logs never hold memory text, query text, model answers or keys, at any level of our loggers,
 * except the per-tenant debug logger of a tenant the operator named.
 *
 * <p>Regression (issue 9, "Operators"): a model answer that echoed the user's words reached a WARN
 * line ("inference failed, messages stored verbatim: ... got \"<the user's words>\""). Here two
 * tenants run the same scenario (native and Mem0 adds through a model that echoes the user's words
 * in an invalid answer, searches, listings, updates, batch and bad requests) with a canary word in
 * every text; everything Mnemo4j logs at TRACE and the access log at INFO is captured. The quiet
 * tenant's canary must appear nowhere; the other tenant, named in {@link
 * ServerConfig#debugTenants()}, gets its canary in its own logger {@code io.mnemo4j.tenant.loud} at
 * DEBUG and nowhere else.
 */
class LogCanaryTest {
  private static final String QUIET = "zebracanary4242";
  private static final String LOUD = "okapicanary7373";

  @Test
  void scenario_logsNoMemoryText_unlessThatTenantsDebugIsOn() throws Exception {
    ScriptedModel model = new ScriptedModel().otherwise(LogCanaryTest::echoInvalid);
    try (LogCapture logs =
            new LogCapture()
                .level("io.mnemo4j", Level.TRACE)
                .level("io.mnemo4j.server.access", Level.INFO);
        TestServer s =
            new TestServer(
                TestServer.defaultConfig().withDebugTenants(List.of("loud")),
                b -> b.inference(InferenceSettings.with(model)),
                new ModelUsageMeter())) {
      String quietKey = s.tenant("quiet");
      String loudKey = s.tenant("loud");
      assertThat(LoggerFactory.getLogger("io.mnemo4j.tenant.loud").isDebugEnabled()).isTrue();
      assertThat(LoggerFactory.getLogger("io.mnemo4j.tenant.quiet").isDebugEnabled()).isFalse();

      scenario(s, quietKey, QUIET);
      scenario(s, loudKey, LOUD);

      List<String> lines = logs.lines();
      assertThat(lines).as("the access log is on").anyMatch(l -> l.contains("route=/v1/mem/add"));
      assertThat(lines)
          .as("no line names the quiet tenant's words")
          .noneMatch(l -> l.contains(QUIET));
      List<String> loud = lines.stream().filter(l -> l.contains(LOUD)).toList();
      assertThat(loud)
          .as("the model's echo of the loud tenant's words, in its debug logger")
          .isNotEmpty()
          .allMatch(l -> l.startsWith("DEBUG io.mnemo4j.tenant.loud - "));
      for (String secret : List.of(quietKey, loudKey, TestServer.ADMIN_KEY)) {
        assertThat(lines).as("no line holds a key").noneMatch(l -> l.contains(secret));
      }
    }
    assertThat(LoggerFactory.getLogger("io.mnemo4j.tenant.loud").isDebugEnabled())
        .as("switched back off when the server stops")
        .isFalse();
  }

  /** A model that echoes the user's words in an answer that breaks its schema. */
  private static String echoInvalid(CompletionRequest r) {
    String words =
        r.messages().stream().map(m -> m.text()).anyMatch(t -> t.contains(LOUD)) ? LOUD : QUIET;
    return "{\"facts\":[{\"text\":\"You said " + words + "\",\"valid_from\":\"" + words + "\"}]}";
  }

  private static void scenario(TestServer s, String key, String canary) throws Exception {
    String text = "My secret word is " + canary;
    // native adds: inferred (the model fails, echoing the words), and verbatim with metadata
    JsonNode inferred =
        s.post("/v1/mem/add", key, "{\"user_id\":\"u\",\"text\":\"" + text + "\"}").ok().j();
    assertThat(inferred.get("fallback_reason").asText()).contains(canary);
    String id =
        s.send(
                "POST",
                "/v1/mem/add",
                key,
                "{\"user_id\":\"u\",\"text\":\"verbatim "
                    + canary
                    + "\",\"infer\":false,\"metadata\":{\"note\":\""
                    + canary
                    + "\"},\"categories\":[\""
                    + canary
                    + "\"]}",
                Map.of("Idempotency-Key", "key-" + canary))
            .ok()
            .j()
            .get("results")
            .get(0)
            .get("id")
            .asText();
    // Mem0 adds: synchronous (inferred, falls back), asynchronous, legacy
    s.post(
            "/v3/memories/add/",
            key,
            "{\"messages\":[{\"role\":\"user\",\"content\":\""
                + text
                + "\"},{\"role\":\"assistant\",\"content\":\"Noted, "
                + canary
                + "\"}],\"user_id\":\"u\",\"custom_categories\":[{\""
                + canary
                + "\":\"x\"}],\"custom_instructions\":\"remember "
                + canary
                + "\"}")
        .ok();
    String event =
        s.post(
                "/v3/memories/add/",
                key,
                "{\"messages\":\"async " + canary + "\",\"user_id\":\"u\",\"async_mode\":true}")
            .ok()
            .j()
            .get("event_id")
            .asText();
    InferenceRoutesTest.poll(s, "/v1/event/" + event + "/", key);
    s.post("/v1/memories/", key, "{\"messages\":\"legacy " + canary + "\",\"user_id\":\"u\"}").ok();
    // searches and listings
    s.post("/v1/mem/search", key, "{\"query\":\"" + canary + "\",\"user_id\":\"u\"}").ok();
    s.post(
            "/v3/memories/search/",
            key,
            "{\"query\":\"what is "
                + canary
                + "\",\"filters\":{\"AND\":[{\"user_id\":\"u\"},{\"metadata\":{\"note\":\""
                + canary
                + "\"}}]}}")
        .ok();
    s.get(
            "/v1/mem?user_id=u&filters="
                + URLEncoder.encode(
                    "{\"metadata\":{\"note\":\"" + canary + "\"}}", StandardCharsets.UTF_8),
            key)
        .ok();
    s.post("/v3/memories/", key, "{\"filters\":{\"user_id\":\"u\"}}").ok();
    // by id: read, update, history, batch, delete
    s.get("/v1/mem/" + id, key).ok();
    s.put("/v1/mem/" + id, key, "{\"text\":\"updated " + canary + "\"}").ok();
    s.put("/v1/memories/" + id + "/", key, "{\"text\":\"again " + canary + "\"}").ok();
    s.get("/v1/memories/" + id + "/history/", key).ok();
    s.put(
            "/v1/batch/",
            key,
            "{\"memories\":[{\"memory_id\":\"" + id + "\",\"text\":\"batch " + canary + "\"}]}")
        .ok();
    // bad requests carrying the words
    s.post("/v1/mem/add", key, "{\"user_id\":\"u\",\"text\":\"" + canary)
        .error(400, "invalid_request");
    s.post("/v1/mem/add", key, "{\"user_id\":\"u\",\"text\":\"x y\",\"bogus\":\"" + canary + "\"}")
        .error(400, "invalid_request");
    s.post(
            "/v1/mem/add",
            key,
            "{\"user_id\":\"u\",\"messages\":[{\"role\":\"" + canary + "\",\"content\":\"x\"}]}")
        .error(400, "invalid_request");
    s.post(
            "/v1/mem/search",
            key,
            "{\"query\":\"" + canary + "\",\"filters\":{\"" + canary + "\":1}}")
        .error(400, "invalid_request");
    s.get("/v1/mem/" + canary, key).error(400, "invalid_request");
    s.get("/v1/nothing/" + canary, key).error(404, "not_found");
    s.get("/v1/mem/%u0041" + canary, key).error(400, "invalid_request");
    s.delete("/v1/mem/" + id, key).ok();
  }
}
