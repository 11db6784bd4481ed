package io.mnemo4j.internal.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo4j.AddOptions;
import io.mnemo4j.AddResult;
import io.mnemo4j.AddStatus;
import io.mnemo4j.ConflictException;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Message;
import io.mnemo4j.MnemoException;
import io.mnemo4j.NotFoundException;
import io.mnemo4j.OverloadedException;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.internal.Context;
import io.mnemo4j.internal.TenantHandles;
import io.mnemo4j.internal.util.Json;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Asynchronous adds. A submitted add is first written to the tenant's own store as a PENDING
 * operation record (so it survives a restart), then run on a virtual thread; at most {@code
 * workers} run at once, and at most {@code capacity} may wait in this process: beyond that {@link
 * OverloadedException} pushes back instead of queueing without bound. On start, unfinished records
 * of every tenant are resumed in the background. Thread-safe.
 */
public final class AsyncAdds implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(AsyncAdds.class.getName());
  private static final Set<EventStatus> UNFINISHED =
      EnumSet.of(EventStatus.PENDING, EventStatus.RUNNING);

  private final Context context;
  private final AddPipeline pipeline;
  private final int capacity;
  private final Semaphore workers;
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger scans = new AtomicInteger();
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final ExecutorService executor =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("mnemo-async-add-", 0).factory());
  private volatile @org.jspecify.annotations.Nullable Thread scanner;
  private volatile boolean closed;

  public AsyncAdds(Context context, AddPipeline pipeline, int capacity, int workers) {
    this.context = context;
    this.pipeline = pipeline;
    this.capacity = capacity;
    this.workers = new Semaphore(workers);
  }

  /** Accepts an add for later; returns its PENDING record (or the earlier one for a reused key). */
  public AddStatus submit(
      TenantInfo tenant, List<Message> messages, Scope scope, AddOptions options) {
    pipeline.check(tenant, messages, options);
    String key = options.idempotencyKey();
    try (TenantHandles.Lease lease = context.lease(tenant)) {
      TenantStore store = lease.store();
      StoredEvent reuse = null;
      if (key != null) {
        Optional<StoredEvent> earlier = store.eventByIdempotencyKey(key);
        if (earlier.isPresent()) {
          AddPipeline.checkBinding(
              earlier.get(), scope, AddCodec.fingerprint(messages, scope, options));
          if (earlier.get().status() != EventStatus.FAILED) {
            return status(earlier.get());
          }
        }
        reuse = earlier.orElse(null);
      }
      if (queued.incrementAndGet() > capacity) {
        queued.decrementAndGet();
        throw new OverloadedException(
            "too many asynchronous adds are queued (" + capacity + "); retry later",
            Duration.ofSeconds(1));
      }
      Instant now = context.now();
      StoredEvent record =
          new StoredEvent(
              reuse != null ? reuse.id() : context.newId(),
              key,
              EventStatus.PENDING,
              AddCodec.request(messages, scope, options),
              null,
              reuse != null ? reuse.createdAt() : now,
              now);
      try {
        store.write(WriteBatch.ofEvents(List.of(record)));
      } catch (RuntimeException e) {
        queued.decrementAndGet();
        if (e instanceof ConflictException && key != null) {
          Optional<StoredEvent> winner = store.eventByIdempotencyKey(key);
          if (winner.isPresent()) {
            AddPipeline.checkBinding(
                winner.get(), scope, AddCodec.fingerprint(messages, scope, options));
            return status(winner.get());
          }
        }
        throw e;
      }
      start(tenant, record);
      return status(record);
    }
  }

  /** The record with this id in the tenant, decoded. */
  public Optional<AddStatus> status(TenantInfo tenant, String id) {
    try (TenantHandles.Lease lease = context.lease(tenant)) {
      return lease.store().event(id).map(AsyncAdds::status);
    }
  }

  /** Resumes every tenant's unfinished records, on a background virtual thread. */
  public void resumeAll() {
    // Counted while the scan runs, so awaitIdle cannot report idle before it has looked. The scan
    // runs on its own thread, never interrupted (an interrupt would break a store query midway):
    // close() lets it notice and waits.
    scans.incrementAndGet();
    scanner =
        Thread.ofVirtual()
            .name("mnemo-resume-adds")
            .start(
                () -> {
                  try {
                    resumeEach();
                  } finally {
                    scans.decrementAndGet();
                  }
                });
  }

  private void resumeEach() {
    for (TenantInfo t : context.tenants().list()) {
      if (closed) {
        return;
      }
      try {
        // Opening a tenant that never stored anything would create its namespace: skip those.
        if (!context.tenants().namespaceExists(t)) {
          continue;
        }
      } catch (RuntimeException e) {
        continue;
      }
      try (TenantHandles.Lease lease = context.lease(t)) {
        for (StoredEvent e : lease.store().events(UNFINISHED, 10_000)) {
          queued.incrementAndGet();
          start(t, e);
        }
      } catch (RuntimeException e) {
        LOG.log(
            System.Logger.Level.WARNING,
            "tenant {0}: could not resume queued adds: {1}",
            t.id(),
            e.getClass().getName());
      }
    }
  }

  /** Waits until nothing is queued or running in this process; false on timeout. */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (queued.get() > 0 || scans.get() > 0) {
      if (System.nanoTime() > end) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  /** Runs a record the caller counted as queued; one already in flight is not run twice. */
  private void start(TenantInfo tenant, StoredEvent record) {
    if (!inFlight.add(record.id())) {
      queued.decrementAndGet();
      return;
    }
    try {
      executor.execute(() -> run(tenant, record));
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // Shutting down: the record stays unfinished and is resumed after the restart.
      inFlight.remove(record.id());
      queued.decrementAndGet();
    }
  }

  private void run(TenantInfo tenant, StoredEvent record) {
    boolean permit = false;
    try {
      workers.acquire();
      permit = true;
      StoredEvent running = record.withStatus(EventStatus.RUNNING, null, context.now());
      try (TenantHandles.Lease lease = context.lease(tenant)) {
        lease.store().write(WriteBatch.ofEvents(List.of(running)));
      }
      AddCodec.Request request = AddCodec.request(record.request());
      pipeline.add(tenant, request.messages(), request.scope(), request.options(), running);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      if (closed) {
        // Shutting down: the record stays unfinished and runs again after a restart.
        return;
      }
      fail(tenant, record, e);
    } finally {
      if (permit) {
        workers.release();
      }
      inFlight.remove(record.id());
      queued.decrementAndGet();
    }
  }

  private void fail(TenantInfo tenant, StoredEvent record, RuntimeException e) {
    String code =
        e instanceof InvalidRequestException
            ? "invalid_request"
            : e instanceof NotFoundException ? "not_found" : "internal";
    String message =
        e instanceof MnemoException me
            ? me.getMessage()
            : "the add failed: " + e.getClass().getSimpleName();
    LOG.log(
        System.Logger.Level.WARNING,
        "tenant {0}: asynchronous add {1} failed: {2}",
        tenant.id(),
        record.id(),
        e.getClass().getSimpleName());
    try (TenantHandles.Lease lease = context.lease(tenant)) {
      lease
          .store()
          .write(
              WriteBatch.ofEvents(
                  List.of(
                      record.withStatus(
                          EventStatus.FAILED, AddCodec.error(code, message), context.now()))));
    } catch (RuntimeException again) {
      LOG.log(
          System.Logger.Level.WARNING,
          "tenant {0}: could not record the failure of {1}",
          tenant.id(),
          record.id());
    }
  }

  static AddStatus status(StoredEvent e) {
    AddResult result = null;
    String code = null;
    String message = null;
    if (e.status() == EventStatus.SUCCEEDED && e.result() != null) {
      result = AddCodec.result(e.result(), e.id());
    } else if (e.status() == EventStatus.FAILED && e.result() != null) {
      try {
        JsonNode err = Json.MAPPER.readTree(e.result()).path("error");
        code = err.path("code").asText(null);
        message = err.path("message").asText(null);
      } catch (com.fasterxml.jackson.core.JsonProcessingException bad) {
        code = "internal";
      }
    }
    return new AddStatus(
        e.id(),
        e.status(),
        result,
        code,
        message,
        e.createdAt(),
        e.updatedAt(),
        AddCodec.scope(e.request()));
  }

  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
    try {
      Thread scan = scanner;
      if (scan != null) {
        scan.join(java.time.Duration.ofSeconds(10));
      }
      // Running adds are interrupted; wait for them to let go of their tenants before the caller
      // closes the stores under them (they resume after a restart).
      if (!executor.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
        LOG.log(System.Logger.Level.WARNING, "asynchronous adds still running after 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
