package io.mnemo4j.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.mnemo4j.ApiKeys;
import io.mnemo4j.Mnemo;
import io.mnemo4j.NotFoundException;
import io.mnemo4j.PurgeReceipt;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tenant administration under {@code /v1/tenants}, for the admin key only: create (with a first API
 * key, shown once), list, get, purge (memories, history, messages, files and keys; returns the
 * receipt), issue and revoke keys. Thread-safe.
 */
final class TenantRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(TenantRoutes.class);

  private final Mnemo mnemo;
  private final Auth auth;

  TenantRoutes(Mnemo mnemo, Auth auth) {
    this.mnemo = mnemo;
    this.auth = auth;
  }

  void register(RoutesConfig r) {
    r.post("/v1/tenants", this::create);
    r.get("/v1/tenants", this::list);
    r.get("/v1/tenants/{tenant}", this::get);
    r.delete("/v1/tenants/{tenant}", this::purge);
    r.post("/v1/tenants/{tenant}/move", this::move);
    r.post("/v1/tenants/{tenant}/keys", this::issueKey);
    r.get("/v1/tenants/{tenant}/keys", this::listKeys);
    r.delete("/v1/tenants/{tenant}/keys/{key}", this::revokeKey);
  }

  private void create(Context ctx) {
    auth.admin(ctx);
    Requests.TenantIn in = Json.strict(ctx, Requests.TenantIn.class);
    String id = Requests.required("id", in.id());
    TenantInfo info =
        in.region() == null
            ? mnemo.admin().createTenant(id)
            : mnemo.admin().createTenant(id, in.region());
    ApiKeys.Issued key = mnemo.admin().keys().issue(info.id(), null);
    LOG.info(
        "tenant {} created in region {} with key {}", info.id(), info.region(), key.key().id());
    ObjectNode n = WireJson.tenant(info);
    n.put("api_key", key.secret());
    n.put("key_id", key.key().id());
    Json.send(ctx, 201, n);
  }

  private void list(Context ctx) {
    auth.admin(ctx);
    ObjectNode root = Json.object();
    ArrayNode results = root.putArray("results");
    mnemo.admin().listTenants().forEach(t -> results.add(WireJson.tenant(t)));
    Json.ok(ctx, root);
  }

  private void get(Context ctx) {
    auth.admin(ctx);
    TenantInfo info = find(ctx);
    ObjectNode n = WireJson.tenant(info);
    ArrayNode keys = n.putArray("keys");
    mnemo.admin().keys().list(info.id()).forEach(k -> keys.add(Shapes.key(k)));
    Json.ok(ctx, n);
  }

  private void purge(Context ctx) {
    auth.admin(ctx);
    TenantInfo info = find(ctx);
    PurgeReceipt receipt = mnemo.admin().purgeTenant(info.id().value());
    Json.ok(ctx, WireJson.receipt(receipt));
  }

  /**
   * Moves the tenant between regions (blocking until done) or rolls back a move cut short. Runs on
   * the request's thread: a move of a large tenant holds the connection until it ends.
   */
  private void move(Context ctx) {
    auth.admin(ctx);
    TenantInfo info = find(ctx);
    Requests.MoveIn in = Json.strict(ctx, Requests.MoveIn.class);
    io.mnemo4j.MoveReceipt receipt;
    if (Boolean.TRUE.equals(in.rollback())) {
      receipt = mnemo.admin().rollbackMove(info.id().value());
    } else {
      receipt =
          mnemo.admin().moveTenant(info.id().value(), Requests.required("region", in.region()));
    }
    LOG.info(
        "tenant {} {} from region {} to {}",
        info.id(),
        receipt.outcome(),
        receipt.from().region(),
        receipt.to().region());
    Json.ok(ctx, WireJson.move(receipt));
  }

  private void issueKey(Context ctx) {
    auth.admin(ctx);
    TenantInfo info = find(ctx);
    Requests.KeyIn in = Json.strict(ctx, Requests.KeyIn.class);
    ApiKeys.Issued key = mnemo.admin().keys().issue(info.id(), in.userId());
    LOG.info(
        "key {} issued for tenant {}{}",
        key.key().id(),
        info.id(),
        in.userId() == null ? "" : " (user-narrowed)");
    ObjectNode n = Shapes.key(key.key());
    n.put("api_key", key.secret());
    Json.send(ctx, 201, n);
  }

  private void listKeys(Context ctx) {
    auth.admin(ctx);
    TenantInfo info = find(ctx);
    ObjectNode root = Json.object();
    ArrayNode results = root.putArray("results");
    mnemo.admin().keys().list(info.id()).forEach(k -> results.add(Shapes.key(k)));
    Json.ok(ctx, root);
  }

  private void revokeKey(Context ctx) {
    auth.admin(ctx);
    TenantInfo info = find(ctx);
    String keyId = ctx.pathParam("key");
    mnemo.admin().keys().revoke(info.id(), keyId);
    LOG.info("key {} of tenant {} revoked", Ids.clip(keyId), info.id());
    ObjectNode n = Json.object();
    n.put("revoked", keyId);
    Json.ok(ctx, n);
  }

  private TenantInfo find(Context ctx) {
    TenantId id = TenantId.of(ctx.pathParam("tenant"));
    return mnemo
        .admin()
        .findTenant(id.value())
        .orElseThrow(() -> new NotFoundException("tenant " + id + " not found"));
  }
}
