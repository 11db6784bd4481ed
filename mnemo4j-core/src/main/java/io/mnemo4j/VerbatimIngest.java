package io.mnemo4j;

import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.StoredMessage;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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

  /**
   * Share of words two texts must have in common to confirm a near-duplicate nominated by a
   * contextual vector.
   */
  static final double CONTEXT_WORD_OVERLAP = 0.6;

  private final Mnemo mnemo;

  VerbatimIngest(Mnemo mnemo) {
    this.mnemo = mnemo;
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
   * Embeds the messages (with their context window). The expensive part: callers do it before
   * taking the scope lock so parallel adds overlap on the CPU.
   */
  List<float[]> embed(List<Message> messages) {
    return mnemo
        .embedder()
        .embedAll(embeddingInputs(messages, mnemo.contextWindow()), Embedder.Purpose.DOCUMENT);
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
      raw.add(new StoredMessage(mnemo.newId(), scope, m.role(), m.name(), m.content(), now));
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
      String context = context(messages, i, window);
      String input =
          context.isEmpty()
              ? messages.get(i).content()
              : context + "\n" + messages.get(i).content();
      inputs.add(input);
    }
    return inputs;
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
      if (!in.isEmpty()) {
        in.append('\n');
      }
      in.append(messages.get(j).content());
    }
    return in.toString();
  }

  /** The up to {@code window} messages before message {@code i} of the same call, one per line. */
  static String context(List<Message> messages, int i, int window) {
    StringBuilder in = new StringBuilder();
    for (int j = Math.max(0, i - window); j < i; j++) {
      if (!in.isEmpty()) {
        in.append('\n');
      }
      in.append(messages.get(j).content());
    }
    return in.toString();
  }

  /**
   * Decides, under the scope lock, what storing {@code messages} verbatim writes: one memory per
   * message unless it duplicates one stored or earlier in the call. {@code raw} are the messages as
   * stored (their ids become the memories' provenance).
   */
  Plan plan(
      TenantStore store,
      List<Message> messages,
      List<StoredMessage> raw,
      List<float[]> vectors,
      Scope scope,
      AddOptions options,
      String model) {
    Instant now = mnemo.clock().instant();
    List<MemoryEvent> events = new ArrayList<>();
    List<Change> changes = new ArrayList<>();
    List<HistoryEntry> history = new ArrayList<>();
    Map<String, Memory> addedByHash = new HashMap<>();
    List<StoredMemory> added = new ArrayList<>();
    ScopeFilter.Exact exact = new ScopeFilter.Exact(scope);
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      float[] vector = vectors.get(i);
      String messageId = raw.get(i).id();
      String hash = TextHash.of(m.content());
      Optional<MemoryEvent> duplicate =
          findDuplicate(
              store,
              exact,
              m.content(),
              hash,
              vector,
              model,
              addedByHash,
              added,
              mnemo.contextWindow() > 0,
              now);
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
              mnemo.newId(),
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
              searchContext(messages, i, mnemo.contextWindow(), mnemo.contextAfter()));
      changes.add(new Change.Put(stored));
      history.add(
          new HistoryEntry(
              mnemo.newId(),
              memory.id(),
              EventType.ADD,
              null,
              memory.text(),
              m.name() != null ? m.name() : m.role().wireName(),
              now));
      addedByHash.put(hash, memory);
      added.add(stored);
      events.add(new MemoryEvent.Added(memory.id(), memory.text()));
    }
    return new Plan(events, changes, history, raw);
  }

  /**
   * An event NONE when {@code text} repeats a memory current at {@code now} in the exact scope, or
   * one added earlier in the same call ({@code addedByHash}, {@code added}): same normalised hash,
   * or a vector at or above the near-duplicate threshold. {@code contextual} says the vectors carry
   * conversation context (then candidates must also share most words).
   */
  Optional<MemoryEvent> findDuplicate(
      TenantStore store,
      ScopeFilter.Exact exact,
      String text,
      String hash,
      float[] vector,
      String model,
      Map<String, Memory> addedByHash,
      List<StoredMemory> added,
      boolean contextual,
      Instant now) {
    Memory sameBatch = addedByHash.get(hash);
    if (sameBatch != null) {
      return Optional.of(
          new MemoryEvent.Unchanged(sameBatch.id(), sameBatch.text(), "exact_duplicate"));
    }
    Optional<StoredMemory> same =
        store.findByHash(exact.scope(), hash).filter(m -> Visibility.isCurrent(m.memory(), now));
    if (same.isPresent()) {
      Memory m = same.get().memory();
      return Optional.of(new MemoryEvent.Unchanged(m.id(), m.text(), "exact_duplicate"));
    }
    double threshold = mnemo.nearDuplicateThreshold();
    // With a context window the stored vectors carry their neighbours, so two different sentences
    // of one exchange can look alike. Such vectors only nominate candidates (with some slack, so a
    // repeat in another context is still found); the texts must then share most of their words.
    // A threshold of 1.0 means "identical vectors only": no slack then.
    double nominate = contextual && threshold < 1.0 ? threshold - CONTEXT_SLACK : threshold;
    for (StoredMemory s : added) {
      if (Vectors.dot(s.embedding(), vector) >= nominate
          && confirm(text, s.memory().text(), contextual)) {
        return Optional.of(new MemoryEvent.Unchanged(s.id(), s.memory().text(), "near_duplicate"));
      }
    }
    for (ScoredId candidate :
        store.vectorSearch(model, vector, exact, new FilterExpr.All(), contextual ? 3 : 1)) {
      if (candidate.score() < nominate) {
        break;
      }
      Optional<StoredMemory> near =
          store.get(candidate.id()).filter(m -> Visibility.isCurrent(m.memory(), now));
      if (near.isPresent() && confirm(text, near.get().memory().text(), contextual)) {
        return Optional.of(
            new MemoryEvent.Unchanged(
                near.get().id(), near.get().memory().text(), "near_duplicate"));
      }
    }
    return Optional.empty();
  }

  /**
   * Confirms a near-duplicate nominated by a contextual vector: the two texts must also share most
   * of their words and word pairs (Jaccard similarity of their sets of words and adjacent word
   * pairs at least {@value #CONTEXT_WORD_OVERLAP}). Re-embedding both plain texts would be exact
   * but measured to halve add throughput; the overlap is free and keeps formulaic but different
   * lines ("fact 7 about topic 49" / "fact 49 about topic 343") apart, which single words alone do
   * not.
   */
  static boolean confirm(String text, String existing, boolean contextual) {
    if (!contextual) {
      return true;
    }
    Set<String> a = shingles(text);
    Set<String> b = shingles(existing);
    if (a.isEmpty() || b.isEmpty()) {
      return false;
    }
    Set<String> union = new HashSet<>(a);
    union.addAll(b);
    long shared = a.stream().filter(b::contains).count();
    return (double) shared / union.size() >= CONTEXT_WORD_OVERLAP;
  }

  private static Set<String> shingles(String text) {
    Set<String> out = new HashSet<>();
    String previous = null;
    for (String w : TextHash.words(text)) {
      out.add(w);
      if (previous != null) {
        out.add(previous + ' ' + w);
      }
      previous = w;
    }
    return out;
  }
}
