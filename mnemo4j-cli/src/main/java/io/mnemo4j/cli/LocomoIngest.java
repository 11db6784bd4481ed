package io.mnemo4j.cli;

import io.mnemo4j.AddOptions;
import io.mnemo4j.MemoryEvent;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.cli.LocomoEval.Conversation;
import io.mnemo4j.cli.LocomoEval.Ingested;
import io.mnemo4j.cli.LocomoEval.Listener;
import io.mnemo4j.cli.LocomoEval.Turn;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The ingest half of {@link LocomoEval}: creates the tenants and adds every session of every
 * conversation, conversations in parallel, remembering which turns each memory stands for.
 * Stateless and thread-safe (each call has its own pool).
 */
final class LocomoIngest {
  /** Conversations ingested at once (each add embeds in its calling thread). */
  private static final int MAX_INGEST_THREADS = 4;

  /**
   * The clock each session is added at its date with: a {@code Mnemo} built with it ({@code
   * Mnemo.builder().clock(LocomoIngest.CLOCK)}) stores every memory with its conversation's time as
   * {@code created_at}; any other clock leaves the ingest instant.
   */
  static final SessionClock CLOCK = new SessionClock(Clock.systemUTC());

  private LocomoIngest() {}

  /**
   * Creates the tenants and ingests every conversation, one {@code add} per session, conversations
   * in parallel.
   */
  static Ingested ingest(
      Mnemo mnemo, List<Conversation> conversations, boolean perTenant, Listener listener) {
    Map<String, String> tenantOf = createTenants(mnemo, conversations, perTenant);

    // Conversations in parallel (each in its own scope, so the events of one conversation do not
    // depend on the others); remember which turns each memory stands for.
    int turns = conversations.stream().mapToInt(Conversation::turns).sum();
    Map<String, Set<String>> turnsOfMemory = new ConcurrentHashMap<>();
    listener.ingestStarted(turns);
    long t0 = System.nanoTime();
    int threads =
        Math.max(1, Math.min(MAX_INGEST_THREADS, Runtime.getRuntime().availableProcessors()));
    AtomicInteger threadCount = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "locomo-ingest-" + threadCount.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<?>> done = new ArrayList<>();
      for (Conversation c : conversations) {
        done.add(
            pool.submit(
                () -> {
                  TenantMemory memory = mnemo.tenant(tenantOf(tenantOf, c));
                  Scope scope = Scope.user(c.sampleId());
                  for (List<Turn> session : c.sessions()) {
                    ingestSession(memory, scope, c.sampleId(), session, turnsOfMemory);
                    synchronized (listener) {
                      listener.ingested(session.size());
                    }
                  }
                }));
      }
      for (Future<?> f : done) {
        await(f);
      }
    } finally {
      pool.shutdownNow();
    }
    double ingestSeconds = (System.nanoTime() - t0) / 1e9;
    listener.ingestDone();
    return new Ingested(Collections.unmodifiableMap(tenantOf), turnsOfMemory, turns, ingestSeconds);
  }

  /** The tenant of each conversation (by sample id), each created. */
  private static Map<String, String> createTenants(
      Mnemo mnemo, List<Conversation> conversations, boolean perTenant) {
    Set<String> taken = new HashSet<>();
    Map<String, String> tenantOf = new LinkedHashMap<>();
    for (Conversation c : conversations) {
      tenantOf.put(
          c.sampleId(), perTenant ? tenantIdFor(c.sampleId(), taken) : LocomoEval.SHARED_TENANT);
    }
    for (String t : new LinkedHashSet<>(tenantOf.values())) {
      mnemo.admin().createTenant(t);
    }
    return tenantOf;
  }

  /**
   * A tenant id from a sample id: lower case, other characters replaced by '-', unique among {@code
   * taken}.
   */
  static String tenantIdFor(String sampleId, Set<String> taken) {
    String s =
        sampleId
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9_-]", "-")
            .replaceFirst("^[^a-z0-9]+", "");
    if (s.isEmpty()) {
      s = "conv";
    }
    if (s.length() > 63) {
      s = s.substring(0, 63);
    }
    String candidate = s;
    for (int n = 2; taken.contains(candidate) || !TenantId.isValid(candidate); n++) {
      String suffix = "-" + n;
      candidate = s.substring(0, Math.min(s.length(), 63 - suffix.length())) + suffix;
    }
    taken.add(candidate);
    return candidate;
  }

  private static void ingestSession(
      TenantMemory memory,
      Scope scope,
      String sampleId,
      List<Turn> session,
      Map<String, Set<String>> turnsOfMemory) {
    // One add per session, as a chat app adds a conversation's turns; dia_id rides on each
    // message's own metadata.
    List<Message> messages = new ArrayList<>(session.size());
    for (Turn t : session) {
      messages.add(
          new Message(
              Role.USER, t.content(), speakerName(t.speaker()), Map.of("dia_id", t.diaId())));
    }
    String date = session.isEmpty() ? "" : session.get(0).sessionDate();
    AddOptions options =
        AddOptions.none().withMetadata(Map.of("session_date", date, "sample_id", sampleId));
    // Replayed at the session's date, as a live application adding the turns then would store
    // them: search reads the memories' time, never LoCoMo's metadata.
    List<MemoryEvent> events =
        CLOCK.at(SessionClock.parseSessionDate(date), () -> memory.add(messages, scope, options));
    for (int i = 0; i < events.size(); i++) {
      turnsOfMemory
          .computeIfAbsent(events.get(i).id(), k -> new LinkedHashSet<>())
          .add(session.get(i).diaId());
    }
  }

  private static void await(Future<?> f) {
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while ingesting", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("ingest failed", e.getCause());
    }
  }

  private static @Nullable String speakerName(String speaker) {
    return speaker.isBlank() || speaker.length() > 255 ? null : speaker;
  }

  /** The tenant a conversation was ingested into: every selected conversation has one. */
  static String tenantOf(Map<String, String> tenants, Conversation c) {
    return Objects.requireNonNull(
        tenants.get(c.sampleId()), "no tenant for a selected conversation");
  }
}
