package io.mnemo4j.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.ConflictException;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.ReembedStatus;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.internal.ingest.EmbeddingContexts;
import io.mnemo4j.internal.util.Json;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.locks.Lock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Changing the embedding model of a data dir online: the new model's vectors are computed from the
 * stored texts (no language model, no re-extraction) into each store's second slot while searches
 * keep using the old vectors and new writes get both; once every tenant is prepared, every store
 * switches and the instance's embedder with them, under the model lock, so a search sees one model
 * or the other. Progress lives in the catalog (setting {@value #PROGRESS}), page by page: a rerun
 * resumes after a crash, and a crash during the switch is finished by the next open. Runs on the
 * caller's thread; one at a time per instance.
 */
public final class Reembedding {
  /** The catalog setting holding the progress record. */
  public static final String PROGRESS = "reembed";

  /** Memories embedded per page (and per progress record). */
  static final int PAGE = 256;

  private static final String EMBEDDING = "embedding";
  private static final String SWITCHING = "switching";

  private final Context context;
  private final Tenants tenants;

  /** Re-embeds through {@code context}'s tenants. */
  public Reembedding(Context context) {
    this.context = context;
    this.tenants = context.tenants();
  }

  /**
   * Prepares {@code targets} for {@code next} (resuming where a previous run of the same model
   * stopped) and, when that leaves no tenant of the data dir unprepared, switches. The instance
   * takes ownership of {@code next} (it closes it, or the replaced embedder once switched).
   */
  public synchronized ReembedStatus run(
      List<TenantInfo> targets, Embedder next, Consumer<ReembedStatus> progress) {
    String model = next.modelId();
    if (model.equals(context.embedder().modelId())) {
      throw new InvalidRequestException(
          "embedder", "this data dir already uses the embedding model '" + model + "'");
    }
    Progress p =
        read(tenants.catalog().setting(PROGRESS))
            .orElse(new Progress(model, EMBEDDING, new TreeSet<>(), null, null));
    if (!p.model.equals(model)) {
      throw new ConflictException(
          "a change to the embedding model '"
              + p.model
              + "' is under way; finish it (reembed --embedder "
              + p.model
              + ") before starting another");
    }
    long[] embedded = {0};
    tenants.mirrorWrites(next);
    try {
      for (TenantInfo t :
          targets.stream().sorted(java.util.Comparator.comparing(i -> i.id().value())).toList()) {
        String id = t.id().value();
        if (p.prepared.contains(id)) {
          continue;
        }
        String cursor = id.equals(p.tenant) ? p.cursor : null;
        try (TenantHandles.Lease lease = tenants.lease(t)) {
          TenantStore store = lease.store();
          EmbeddingContexts contexts = new EmbeddingContexts(context.settings().contextWindow());
          while (true) {
            Page<StoredMemory> page =
                store.list(
                    new ScopeFilter.Everything(),
                    new FilterExpr.All(),
                    new PageRequest(cursor, PAGE));
            embedded[0] += embedInto(store, page.items(), next, contexts);
            if (page.nextCursor() == null) {
              break;
            }
            cursor = page.nextCursor();
            p = new Progress(model, EMBEDDING, p.prepared, id, cursor);
            write(p);
            progress.accept(status(p, embedded[0], 0));
          }
        }
        p.prepared.add(id);
        p = new Progress(model, EMBEDDING, p.prepared, null, null);
        write(p);
        progress.accept(status(p, embedded[0], 0));
      }
      if (!waiting(p).isEmpty()) {
        return status(p, embedded[0], 0);
      }
      p = new Progress(model, SWITCHING, p.prepared, null, null);
      write(p);
      progress.accept(status(p, embedded[0], 0));
      long switched = switchAll(next);
      // Writes that embedded with the old model just before the switch: few, embedded now.
      switched += leftovers(tenants, next, context.settings().contextWindow());
      tenants.catalog().replaceSetting(PROGRESS, "");
      ReembedStatus done =
          new ReembedStatus(
              model, "done", List.copyOf(p.prepared), List.of(), null, embedded[0], switched);
      progress.accept(done);
      return done;
    } finally {
      tenants.mirrorWrites(null);
    }
  }

  /** The progress record, if a change of model is under way. */
  public Optional<ReembedStatus> status() {
    return read(tenants.catalog().setting(PROGRESS)).map(p -> status(p, 0, 0));
  }

  /**
   * Every tenant's store switches and the instance's embedder with them, under the model lock; the
   * catalog records the new model before the lock is released.
   */
  private long switchAll(Embedder next) {
    Lock lock = context.modelLock().writeLock();
    long switched;
    Embedder previous;
    lock.lock();
    try {
      switched = switchStores(tenants, next.modelId());
      previous = context.switchEmbedder(next);
    } finally {
      lock.unlock();
    }
    previous.close();
    return switched;
  }

  /** Switches every tenant's store to {@code model} and records it as the data dir's model. */
  static long switchStores(Tenants tenants, String model) {
    long switched = 0;
    for (TenantInfo t : tenants.list()) {
      try (TenantHandles.Lease lease = tenants.lease(t)) {
        switched += lease.store().switchModel(model);
      }
    }
    tenants.catalog().replaceSetting(Tenants.EMBEDDING_MODEL_SETTING, model);
    return switched;
  }

  /**
   * Embeds and switches, tenant by tenant, the memories still on another model than {@code next}'s
   * (written during the switch, or before a crash let their second vector be written).
   */
  static long leftovers(Tenants tenants, Embedder next, int window) {
    long switched = 0;
    for (TenantInfo t : tenants.list()) {
      try (TenantHandles.Lease lease = tenants.lease(t)) {
        TenantStore store = lease.store();
        String cursor = null;
        long found = 0;
        EmbeddingContexts contexts = new EmbeddingContexts(window);
        do {
          Page<StoredMemory> page =
              store.list(
                  new ScopeFilter.Everything(),
                  new FilterExpr.All(),
                  new PageRequest(cursor, PAGE));
          found += embedInto(store, page.items(), next, contexts);
          cursor = page.nextCursor();
        } while (cursor != null);
        if (found > 0) {
          switched += store.switchModel(next.modelId());
        }
      }
    }
    return switched;
  }

  /**
   * A switch the last run began but did not finish (a crash): finished now, before anything reads
   * the tenants, and with the leftover pass when {@code opened} is the new model's embedder. Called
   * when the data dir opens.
   */
  static void finishInterrupted(Tenants tenants, Embedder opened, int window) {
    Optional<Progress> p = read(tenants.catalog().setting(PROGRESS));
    if (p.isEmpty() || !p.get().phase.equals(SWITCHING)) {
      return;
    }
    String model = p.get().model;
    switchStores(tenants, model);
    if (opened.modelId().equals(model)) {
      leftovers(tenants, opened, window);
    }
    tenants.catalog().replaceSetting(PROGRESS, "");
  }

  /**
   * Puts {@code next}'s vectors of the memories not already on its model, each embedded as ingest
   * embedded it ({@code contexts}, which sees every memory of the page in id order); returns how
   * many.
   */
  private static long embedInto(
      TenantStore store, List<StoredMemory> memories, Embedder next, EmbeddingContexts contexts) {
    List<String> ids = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (StoredMemory m : memories) {
      if (!m.memory().embeddingModel().equals(next.modelId())) {
        ids.add(m.id());
        texts.add(contexts.inputOf(m.memory()));
      } else {
        contexts.remember(m.memory());
      }
    }
    if (ids.isEmpty()) {
      return 0;
    }
    List<float[]> vectors = next.embedAll(texts, Embedder.Purpose.DOCUMENT);
    Map<String, float[]> byId = new HashMap<>();
    for (int i = 0; i < ids.size(); i++) {
      byId.put(ids.get(i), vectors.get(i));
    }
    store.putVectors(next.modelId(), byId);
    return ids.size();
  }

  private List<String> waiting(Progress p) {
    return tenants.list().stream()
        .map(t -> t.id().value())
        .filter(id -> !p.prepared.contains(id))
        .toList();
  }

  private ReembedStatus status(Progress p, long embedded, long switched) {
    return new ReembedStatus(
        p.model, p.phase, List.copyOf(p.prepared), waiting(p), p.tenant, embedded, switched);
  }

  private void write(Progress p) {
    ObjectNode n = Json.object();
    n.put("model", p.model);
    n.put("phase", p.phase);
    p.prepared.forEach(n.putArray("prepared")::add);
    n.put("tenant", p.tenant);
    n.put("cursor", p.cursor);
    tenants.catalog().replaceSetting(PROGRESS, n.toString());
  }

  private static Optional<Progress> read(Optional<String> json) {
    if (json.isEmpty()) {
      return Optional.empty();
    }
    try {
      JsonNode n = Json.MAPPER.readTree(json.get());
      TreeSet<String> prepared = new TreeSet<>();
      n.path("prepared").forEach(e -> prepared.add(e.asText()));
      return Optional.of(
          new Progress(
              n.get("model").asText(),
              n.get("phase").asText(),
              prepared,
              n.path("tenant").isTextual() ? n.get("tenant").asText() : null,
              n.path("cursor").isTextual() ? n.get("cursor").asText() : null));
    } catch (IOException | RuntimeException e) {
      throw new StoreUnavailableException("the catalog's re-embedding record is unreadable", e);
    }
  }

  /** The catalog's record: the model, the phase, prepared tenants, and where embedding stopped. */
  private record Progress(
      String model,
      String phase,
      TreeSet<String> prepared,
      @Nullable String tenant,
      @Nullable String cursor) {}
}
