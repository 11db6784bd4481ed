package io.mnemo4j.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.mnemo4j.ConflictException;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Mnemo;
import io.mnemo4j.ReembedStatus;
import io.mnemo4j.spi.Embedder;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changing the embedding model online (admin key): {@code POST /v1/reembed {"embedder", "tenants" |
 * "all"}} starts it in the background (202) while searches keep running on the old model, {@code
 * GET /v1/reembed} shows where it stands. One change at a time per server. Thread-safe.
 */
final class ReembedRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(ReembedRoutes.class);

  static final String PATH = "/v1/reembed";

  /** The request body. */
  record ReembedIn(
      @Nullable String embedder, @Nullable List<String> tenants, @Nullable Boolean all) {}

  private final Mnemo mnemo;
  private final Auth auth;
  private final ServerConfig.Embedders embedders;
  private final AtomicReference<@Nullable Thread> running = new AtomicReference<>();
  private volatile @Nullable ReembedStatus last;
  private volatile @Nullable String failure;

  ReembedRoutes(Mnemo mnemo, Auth auth, ServerConfig.Embedders embedders) {
    this.mnemo = mnemo;
    this.auth = auth;
    this.embedders = embedders;
  }

  void register(RoutesConfig r) {
    r.post(PATH, this::start);
    r.get(PATH, this::status);
  }

  private void start(Context ctx) {
    auth.admin(ctx);
    ReembedIn in = Json.strict(ctx, ReembedIn.class);
    String name = Requests.required("embedder", in.embedder());
    boolean all = Requests.flag(in.all());
    if (all == (in.tenants() != null)) {
      throw new InvalidRequestException(
          "tenants", "send either \"tenants\": [ids] or \"all\": true");
    }
    if (mnemo.operations().embedder().modelId().equals(name)) {
      throw new InvalidRequestException(
          "embedder", "this data dir already uses the embedding model '" + name + "'");
    }
    Embedder next =
        embedders
            .named(name)
            .orElseThrow(
                () ->
                    new InvalidRequestException(
                        "embedder", "this server cannot load the embedding model '" + name + "'"));
    List<String> tenants = all ? List.of() : List.copyOf(in.tenants());
    Thread worker =
        Thread.ofVirtual()
            .name("mnemo-reembed")
            .unstarted(
                () -> {
                  try {
                    last =
                        all
                            ? mnemo.admin().reembedAll(next, s -> last = s)
                            : mnemo.admin().reembed(tenants, next, s -> last = s);
                  } catch (RuntimeException e) {
                    failure = e.getMessage();
                    LOG.warn("re-embedding to {} failed", name, e);
                  } finally {
                    running.set(null);
                  }
                });
    if (!running.compareAndSet(null, worker)) {
      next.close();
      throw new ConflictException("a change of embedding model is already running");
    }
    failure = null;
    worker.start();
    ObjectNode n = Json.object();
    n.put("model", name);
    n.put("phase", "embedding");
    Json.send(ctx, 202, n);
  }

  /**
   * {@code {"model","phase","prepared","waiting","tenant","embedded","switched","running",
   * "error"}}: the record of the change under way (or the last one this server ran), else {@code
   * {"model": the current model, "phase": "idle"}}.
   */
  private void status(Context ctx) {
    auth.admin(ctx);
    Optional<ReembedStatus> recorded = mnemo.admin().reembedStatus();
    ReembedStatus s = recorded.orElse(last);
    ObjectNode n = Json.object();
    if (s == null) {
      n.put("model", mnemo.operations().embedder().modelId());
      n.put("phase", "idle");
    } else {
      n.put("model", s.model());
      n.put("phase", s.phase());
      s.prepared().forEach(n.putArray("prepared")::add);
      s.waiting().forEach(n.putArray("waiting")::add);
      n.put("tenant", s.tenant());
      n.put("embedded", s.embedded());
      n.put("switched", s.switched());
    }
    n.put("running", running.get() != null);
    n.put("error", failure);
    Json.ok(ctx, n);
  }
}
