package io.mnemo4j.internal.ingest;

import io.mnemo4j.AddOptions;
import io.mnemo4j.EventType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryEvent;
import io.mnemo4j.MemoryType;
import io.mnemo4j.Message;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.internal.Context;
import io.mnemo4j.internal.Visibility;
import io.mnemo4j.internal.util.TextHash;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.DuplicateCandidates;
import io.mnemo4j.spi.DuplicateProbe;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.StoredMessage;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.Vectors;
import io.mnemo4j.spi.WriteBatch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code add} without a language model: every message becomes one memory, verbatim, unless an equal
 * (same normalised-text hash) or near-equal (cosine at or above the threshold) memory already
 * exists in the same exact scope, in which case the event is NONE. Every raw message is kept,
 * stored or not. Stateless, thread-safe.
 */
final class VerbatimIngest {
  /**
   * How far below the threshold a contextual vector may fall and still nominate a near-duplicate
   * candidate.
   */
  static final double CONTEXT_SLACK = 0.05;

  /** Nearest stored memories of the scope checked as duplicates of each new text. */
  static final int CANDIDATES = 3;

  private final Context context;

  VerbatimIngest(Context context) {
    this.context = context;
  }

  /** Rejects an empty or oversized message list. */
  static void checkMessages(List<Message> messages) {
    if (messages.isEmpty()) {
      throw new InvalidRequestException("messages", "messages must not be empty");
    }
    if (messages.size() > 1000) {
      throw new InvalidRequestException("messages", "at most 1000 messages per add");
    }
  }

  /**
   * Which messages become memories: all of them, or, when inference was asked for but cannot run,
   * only what a person said. Assistant and system messages ("Noted!") are then kept as raw
   * messages, the context of search, never as memories. A call holding no user message at all keeps
   * every message: an empty success would lose the input.
   */
  static boolean[] kept(List<Message> messages, boolean peopleOnly) {
    boolean anyPerson = messages.stream().anyMatch(m -> m.role() == Role.USER);
    boolean[] keep = new boolean[messages.size()];
    for (int i = 0; i < keep.length; i++) {
      keep[i] = !peopleOnly || !anyPerson || messages.get(i).role() == Role.USER;
    }
    return keep;
  }

  /**
   * Embeds the kept messages (each with its context window, which may hold messages not kept). The
   * expensive part: callers do it before taking the scope lock so parallel adds overlap on the CPU.
   * The list is aligned with {@code messages}; a message not kept has an empty vector.
   */
  List<float[]> embed(List<Message> messages, boolean peopleOnly) {
    boolean[] keep = kept(messages, peopleOnly);
    List<String> inputs = embeddingInputs(messages, context.settings().contextWindow());
    List<String> wanted = new ArrayList<>();
    for (int i = 0; i < keep.length; i++) {
      if (keep[i]) {
        wanted.add(inputs.get(i));
      }
    }
    List<float[]> vectors = context.embedder().embedAll(wanted, Embedder.Purpose.DOCUMENT);
    List<float[]> aligned = new ArrayList<>(messages.size());
    int next = 0;
    for (boolean k : keep) {
      aligned.add(k ? vectors.get(next++) : new float[0]);
    }
    return aligned;
  }

  /**
   * Everything an add writes, decided but not yet written: the caller adds its operation record and
   * writes it in one batch.
   *
   * @param events the decisions, in order
   * @param changes memory puts and removals
   * @param history history rows
   * @param messages the raw messages
   */
  record Plan(
      List<MemoryEvent> events,
      List<Change> changes,
      List<HistoryEntry> history,
      List<StoredMessage> messages) {
    /** The batch writing this plan plus the given operation records. */
    WriteBatch batch(List<io.mnemo4j.spi.StoredEvent> records) {
      return new WriteBatch(changes, history, messages, records);
    }
  }

  /** The raw messages as stored, each under a new id, received now. */
  List<StoredMessage> rawMessages(List<Message> messages, Scope scope, Instant now) {
    List<StoredMessage> raw = new ArrayList<>(messages.size());
    for (Message m : messages) {
      raw.add(new StoredMessage(context.newId(), scope, m.role(), m.name(), m.content(), now));
    }
    return raw;
  }

  /**
   * What each message is embedded as: its text, preceded by up to {@code window} earlier messages
   * of the same call. A reply such as "Yes, last week!" means nothing alone; embedded after its
   * question it can be found by it. The memory's text stays the message itself.
   */
  static List<String> embeddingInputs(List<Message> messages, int window) {
    List<String> inputs = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      List<String> before = new ArrayList<>(window);
      for (int j = Math.max(0, i - window); j < i; j++) {
        before.add(messages.get(j).content());
      }
      inputs.add(withContext(before, messages.get(i).content()));
    }
    return inputs;
  }

  /**
   * One embedding input: the earlier messages, one per line, then the text ({@link
   * EmbeddingContexts} rebuilds the same from stored memories).
   */
  static String withContext(List<String> before, String text) {
    StringBuilder in = new StringBuilder();
    for (String b : before) {
      appendLine(in, b);
    }
    return in.isEmpty() ? text : in.append('\n').append(text).toString();
  }

  /** Appends a line to a context: a newline first unless nothing is there yet. */
  private static void appendLine(StringBuilder in, String line) {
    if (!in.isEmpty()) {
      in.append('\n');
    }
    in.append(line);
  }

  /**
   * The text stored beside message {@code i} for full-text search: up to {@code before} messages
   * before it and up to {@code after} messages after it in the same call. Embedding the following
   * messages too measured worse (the vector drifts to the reply), so only the full-text side looks
   * ahead.
   */
  static String searchContext(List<Message> messages, int i, int before, int after) {
    StringBuilder in = new StringBuilder(context(messages, i, before));
    for (int j = i + 1; j < Math.min(messages.size(), i + 1 + after); j++) {
      appendLine(in, messages.get(j).content());
    }
    return in.toString();
  }

  /** The up to {@code window} messages before message {@code i} of the same call, one per line. */
  static String context(List<Message> messages, int i, int window) {
    StringBuilder in = new StringBuilder();
    for (int j = Math.max(0, i - window); j < i; j++) {
      appendLine(in, messages.get(j).content());
    }
    return in.toString();
  }

  /**
   * What one verbatim add is given.
   *
   * @param messages the messages
   * @param raw the messages as stored (their ids become the memories' provenance)
   * @param vectors the messages' vectors, aligned with them ({@link #embed})
   * @param scope where the memories go
   * @param options the add's options
   * @param peopleOnly store only what a person said ({@link #kept})
   */
  record Input(
      List<Message> messages,
      List<StoredMessage> raw,
      List<float[]> vectors,
      Scope scope,
      AddOptions options,
      boolean peopleOnly) {}

  /**
   * Decides, under the scope lock, what storing the messages verbatim writes: one memory per kept
   * message unless it duplicates one stored or earlier in the call. Every raw message is written.
   */
  Plan plan(TenantStore store, Input in, String model) {
    List<Message> messages = in.messages();
    Scope scope = in.scope();
    AddOptions options = in.options();
    boolean[] keep = kept(messages, in.peopleOnly());
    Instant now = context.now();
    List<MemoryEvent> events = new ArrayList<>();
    List<Change> changes = new ArrayList<>();
    List<HistoryEntry> history = new ArrayList<>();
    Duplicates duplicates =
        new Duplicates(
            store,
            scope,
            model,
            options.nearDuplicateThreshold().orElse(context.settings().nearDuplicateThreshold()),
            context.settings().contextWindow() > 0,
            now);
    List<DuplicateProbe> probes = new ArrayList<>();
    String[] hashes = new String[messages.size()]; // hashed once: the probes and the memories
    for (int i = 0; i < messages.size(); i++) {
      if (keep[i]) {
        hashes[i] = TextHash.of(messages.get(i).content());
        probes.add(new DuplicateProbe(hashes[i], in.vectors().get(i)));
      }
    }
    duplicates.prefetch(probes);
    for (int i = 0; i < messages.size(); i++) {
      if (!keep[i]) {
        continue;
      }
      Message m = messages.get(i);
      float[] vector = in.vectors().get(i);
      String messageId = in.raw().get(i).id();
      String hash = hashes[i];
      Optional<MemoryEvent> duplicate = duplicates.find(m.content(), hash, vector, Set.of());
      if (duplicate.isPresent()) {
        events.add(duplicate.get());
        continue;
      }
      Map<String, Object> metadata = options.metadata();
      if (!m.metadata().isEmpty()) {
        metadata = new HashMap<>(options.metadata());
        metadata.putAll(m.metadata());
      }
      Memory memory =
          new Memory(
              context.newId(),
              m.content(),
              hash,
              scope,
              metadata,
              options.categories(),
              m.role(),
              m.name(),
              now,
              now,
              options.expiresAt(),
              null,
              null,
              new Memory.Provenance(Memory.Provenance.VERBATIM, List.of(messageId)),
              model,
              MemoryType.EPISODIC);
      StoredMemory stored =
          new StoredMemory(
              memory,
              vector,
              searchContext(
                  messages,
                  i,
                  context.settings().contextWindow(),
                  context.settings().contextAfter()));
      changes.add(new Change.Put(stored));
      history.add(
          new HistoryEntry(
              context.newId(),
              memory.id(),
              EventType.ADD,
              null,
              memory.text(),
              m.name() != null ? m.name() : m.role().wireName(),
              now));
      duplicates.added(stored);
      events.add(new MemoryEvent.Added(memory.id(), memory.text()));
    }
    return new Plan(events, changes, history, in.raw());
  }

  /**
   * Finds what a new text would duplicate within one add: memories stored in the exact scope and
   * those added earlier in the same call. Not thread-safe: one per add, used under the scope lock.
   */
  static final class Duplicates {
    private final TenantStore store;
    private final ScopeFilter.Exact exact;
    private final String model;
    private final double threshold;
    private final boolean contextual;
    private final Instant now;
    private final Map<String, Memory> addedByHash = new HashMap<>();
    private final List<StoredMemory> added = new ArrayList<>();
    private final SameInformation.Memo words = new SameInformation.Memo();

    /** Answers of {@link TenantStore#findByHash} fetched ahead, by hash. */
    private final Map<String, Optional<StoredMemory>> storedByHash = new HashMap<>();

    /** Answers of {@link TenantStore#vectorSearch} fetched ahead, by the vector asked about. */
    private final IdentityHashMap<float[], List<ScoredId>> nearestByVector =
        new IdentityHashMap<>();

    /**
     * Rows of the stored candidates the prefetched answers nominate, fetched ahead in one {@link
     * TenantStore#getAll} by id; empty for an id no longer stored. An id absent here is read alone.
     */
    private final Map<String, Optional<StoredMemory>> storedById = new HashMap<>();

    /**
     * @param threshold the near-duplicate threshold of this add; 1.0 means exact duplicates only
     * @param contextual whether the vectors carry conversation context (then they nominate
     *     candidates with some slack)
     */
    Duplicates(
        TenantStore store,
        Scope scope,
        String model,
        double threshold,
        boolean contextual,
        Instant now) {
      this.store = store;
      this.exact = new ScopeFilter.Exact(scope);
      this.model = model;
      this.threshold = threshold;
      this.contextual = contextual;
      this.now = now;
    }

    /**
     * Asks the store about every text of the add at once ({@link TenantStore#duplicateCandidates})
     * instead of twice per text in {@link #find}. The answers are the ones {@link #find} would get:
     * the add writes nothing to the store before its decisions are made, and holds the scope lock.
     */
    void prefetch(List<DuplicateProbe> probes) {
      if (probes.isEmpty()) {
        return;
      }
      List<DuplicateCandidates> found =
          store.duplicateCandidates(exact.scope(), model, probes, CANDIDATES, nominationFloor());
      // The rows find would read one by one, each its own store call: one call for all of them.
      java.util.LinkedHashSet<String> nominated = new java.util.LinkedHashSet<>();
      for (int i = 0; i < probes.size(); i++) {
        storedByHash.put(probes.get(i).hash(), found.get(i).sameHash());
        nearestByVector.put(probes.get(i).vector(), found.get(i).nearest());
        for (ScoredId candidate : found.get(i).nearest()) {
          if (!nominates(candidate.score())) {
            break;
          }
          nominated.add(candidate.id());
        }
      }
      if (!nominated.isEmpty()) {
        for (String id : nominated) {
          storedById.put(id, Optional.empty());
        }
        for (StoredMemory m : store.getAll(List.copyOf(nominated))) {
          storedById.put(m.id(), Optional.of(m));
        }
      }
    }

    /** Remembers a memory this add stores, so later texts of the call are checked against it. */
    void added(StoredMemory stored) {
      addedByHash.put(stored.memory().hash(), stored.memory());
      added.add(stored);
    }

    /**
     * An event NONE when {@code text} repeats a memory current at {@code now} in the exact scope,
     * or one added earlier in the same call; {@code skip} names memories that must not count (ones
     * this add closes).
     *
     * <p>A memory repeats the text when their normalised hashes are equal, or when its vector is
     * near ({@link #nominates}) and the words say the same thing: the same text up to case,
     * whitespace and punctuation ({@link SameInformation.Memo#sameText}), or, below a threshold of
     * 1.0, the same information ({@link SameInformation.Memo#sameInformation}: no number, date,
     * amount, name, negation or other content word differs). A vector alone never makes a NONE.
     */
    Optional<MemoryEvent> find(String text, String hash, float[] vector, Set<String> skip) {
      Memory sameBatch = addedByHash.get(hash);
      if (sameBatch != null && !skip.contains(sameBatch.id())) {
        return Optional.of(
            new MemoryEvent.Unchanged(sameBatch.id(), sameBatch.text(), "exact_duplicate"));
      }
      Optional<StoredMemory> stored = storedByHash.get(hash);
      Optional<StoredMemory> same =
          (stored != null ? stored : store.findByHash(exact.scope(), hash))
              .filter(m -> Visibility.isCurrent(m.memory(), now) && !skip.contains(m.id()));
      if (same.isPresent()) {
        Memory m = same.get().memory();
        return Optional.of(new MemoryEvent.Unchanged(m.id(), m.text(), "exact_duplicate"));
      }
      for (StoredMemory s : added) {
        if (!skip.contains(s.id()) && nominates(Vectors.dot(s.embedding(), vector))) {
          Optional<MemoryEvent> e = judge(text, s.memory());
          if (e.isPresent()) {
            return e;
          }
        }
      }
      List<ScoredId> nearest = nearestByVector.get(vector);
      if (nearest == null) {
        nearest = store.vectorSearch(model, vector, exact, new FilterExpr.All(), CANDIDATES);
      }
      for (ScoredId candidate : nearest) {
        if (!nominates(candidate.score())) {
          break;
        }
        if (skip.contains(candidate.id())) {
          continue;
        }
        Optional<StoredMemory> row = storedById.get(candidate.id());
        Optional<StoredMemory> near =
            (row != null ? row : store.get(candidate.id()))
                .filter(m -> Visibility.isCurrent(m.memory(), now));
        if (near.isPresent()) {
          Optional<MemoryEvent> e = judge(text, near.get().memory());
          if (e.isPresent()) {
            return e;
          }
        }
      }
      return Optional.empty();
    }

    /**
     * Whether a vector similarity makes a memory a candidate. With a context window the stored
     * vectors carry their neighbours, so a repeat said in another context scores lower: candidates
     * are then nominated with some slack, and the words decide. A threshold of 1.0 nominates only
     * identical vectors.
     */
    private boolean nominates(double similarity) {
      return similarity >= nominationFloor();
    }

    /**
     * The lowest similarity {@link #nominates} accepts: candidates below it are never looked at, so
     * {@link #prefetch} does not ask the store for them.
     */
    private double nominationFloor() {
      double floor = contextual && threshold < 1.0 ? threshold - CONTEXT_SLACK : threshold;
      return floor - 1e-6;
    }

    private Optional<MemoryEvent> judge(String text, Memory existing) {
      if (words.sameText(text, existing.text())) {
        return Optional.of(
            new MemoryEvent.Unchanged(existing.id(), existing.text(), "exact_duplicate"));
      }
      if (threshold < 1.0 && words.sameInformation(text, existing.text())) {
        return Optional.of(
            new MemoryEvent.Unchanged(existing.id(), existing.text(), "near_duplicate"));
      }
      return Optional.empty();
    }
  }
}
