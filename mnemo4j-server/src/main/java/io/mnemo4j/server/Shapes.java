package io.mnemo4j.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.AddResult;
import io.mnemo4j.AddStatus;
import io.mnemo4j.Memory;
import io.mnemo4j.llm.TokenUsage;
import io.mnemo4j.spi.ApiKey;

/**
 * The native JSON shapes: snake_case, ISO-8601 UTC times, the same field names as the CLI's {@code
 * --json} output. Stateless and thread-safe.
 */
final class Shapes {
  private Shapes() {}

  /**
   * One memory with every stored field: the list shape (provenance included) plus {@code
   * embedding_model} and {@code hash}.
   */
  static ObjectNode memoryDetail(Memory m) {
    ObjectNode n = WireJson.memory(m);
    n.put("embedding_model", m.embeddingModel());
    n.put("hash", m.hash());
    return n;
  }

  static ObjectNode key(ApiKey k) {
    ObjectNode n = Json.object();
    n.put("id", k.id());
    n.put("tenant", k.tenant() == null ? null : k.tenant().value());
    n.put("user_id", k.userId());
    n.put("created_at", WireJson.time(k.createdAt()));
    return n;
  }

  /**
   * A synchronous add's answer: {@code {"results":[event...],"inferred","fallback_reason","usage",
   * "event_id","replayed"}}, plus {@code truncated} {@code {"facts_dropped","facts_shortened"}}
   * when the model's answer was cut to the tenant's limits. Every add is recorded, so {@code
   * event_id} can always be polled.
   */
  static ObjectNode addResult(AddResult r) {
    ObjectNode n = WireJson.events(r.events());
    n.put("inferred", r.inferred());
    n.put("fallback_reason", r.fallbackReason());
    n.set("usage", usage(r.usage()));
    if (r.eventId() != null) {
      n.put("event_id", r.eventId());
    }
    n.put("replayed", r.replayed());
    if (r.truncation().any()) {
      n.set("truncated", truncated(r.truncation()));
    }
    return n;
  }

  /** {@code {"facts_dropped","facts_shortened"}}. */
  static ObjectNode truncated(AddResult.Truncation t) {
    ObjectNode n = Json.object();
    n.put("facts_dropped", t.factsDropped());
    n.put("facts_shortened", t.factsShortened());
    return n;
  }

  /** {@code {"input_tokens","output_tokens","calls"}}. */
  static ObjectNode usage(TokenUsage u) {
    ObjectNode n = Json.object();
    n.put("input_tokens", u.inputTokens());
    n.put("output_tokens", u.outputTokens());
    n.put("calls", u.calls());
    return n;
  }

  /**
   * An add operation's status: {@code {"id","status","created_at","updated_at"}} plus {@code
   * result} (the synchronous answer) once SUCCEEDED and {@code error} {@code {"code","message"}}
   * once FAILED.
   */
  static ObjectNode addStatus(AddStatus s) {
    ObjectNode n = Json.object();
    n.put("id", s.id());
    n.put("status", s.status().wireName());
    n.put("created_at", WireJson.time(s.createdAt()));
    n.put("updated_at", WireJson.time(s.updatedAt()));
    if (s.result() != null) {
      n.set("result", addResult(s.result()));
    }
    if (s.errorCode() != null || s.errorMessage() != null) {
      ObjectNode err = n.putObject("error");
      err.put("code", s.errorCode() == null ? "internal" : s.errorCode());
      err.put("message", s.errorMessage() == null ? "the add failed" : s.errorMessage());
    }
    return n;
  }
}
