package io.mnemo4j.server;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.mnemo4j.ErasureReceipt;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Scope;
import io.mnemo4j.Selection;
import java.util.Set;

/**
 * Erasing a conversation under {@code /v1/messages}: {@code DELETE /v1/messages/{id}} deletes one
 * raw message (an id from a memory's {@code provenance.message_ids}), {@code DELETE
 * /v1/messages?run_id=R} every message of a run; with them go the memories that came only from
 * them. Both answer the receipt {@code {"messages","memories","memories_kept"}}. A user-narrowed
 * key erases only its user's messages (another user's message is 404). Thread-safe (stateless).
 */
final class MessageRoutes {
  static final String PREFIX = "/v1/messages";

  private static final Set<String> RUN_PARAMS = Set.of("run_id", "user_id", "agent_id");

  private final Auth auth;

  MessageRoutes(Auth auth) {
    this.auth = auth;
  }

  void register(RoutesConfig r) {
    r.delete(PREFIX, this::eraseRun);
    r.delete(PREFIX + "/{id}", this::eraseMessage);
  }

  private void eraseMessage(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    ErasureReceipt receipt = auth.memory(p).eraseMessage(ctx.pathParam("id"), p.writeById());
    Json.ok(ctx, WireJson.erasure(receipt));
  }

  /**
   * Every message of {@code run_id}, narrowed to {@code user_id} and {@code agent_id} when given
   * (and to the key's user for a narrowed key).
   */
  private void eraseRun(Context ctx) {
    Principal.Tenant p = auth.tenant(ctx);
    QueryParams.checkOnly(ctx, RUN_PARAMS);
    String runId = ctx.queryParam("run_id");
    if (runId == null || runId.isEmpty()) {
      throw new InvalidRequestException(
          "run_id", "run_id is required: the run (conversation) whose messages to erase");
    }
    Scope requested = Scope.of(ctx.queryParam("user_id"), ctx.queryParam("agent_id"), null);
    Selection sel;
    if (p.narrowed()) {
      sel = Selection.in(p.writeScope(requested));
    } else if (requested.isTenantWide()) {
      sel = Selection.everywhere();
    } else {
      sel = Selection.in(requested);
    }
    Json.ok(ctx, WireJson.erasure(auth.memory(p).eraseRun(runId, sel)));
  }
}
