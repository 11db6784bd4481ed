package io.mnemo4j.internal.ingest;

import io.mnemo4j.Memory;
import io.mnemo4j.Scope;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a stored verbatim memory was embedded as, rebuilt for re-embedding it (an import without
 * vectors, a change of model): its text after up to {@code window} earlier memories of the same add
 * (same scope and creation time), one per line, as {@link VerbatimIngest#embeddingInputs} built it
 * from the add's messages. Without this a re-embedded reply ("Yes, last week!") would lose the
 * question it was embedded after, and search would no longer find it by that question. Memories are
 * given in ascending id order (the order of {@link io.mnemo4j.spi.TenantStore#list} and of an
 * export), all of them, also those that keep their vector, so that each is there as context for the
 * ones after it. The rebuild is exact when every message of the add became a memory in order; a
 * message that did not (an exact duplicate, an assistant turn not kept) is missing from its
 * successors' context. Memories a model extracted are embedded alone, as when they were written.
 * Not thread-safe.
 */
public final class EmbeddingContexts {
  /** Adds followed at once: enough for adds interleaved by concurrent writers. */
  private static final int OPEN_ADDS = 256;

  private final int window;

  /** The last {@code window} verbatim texts of each recently met add, oldest first. */
  private final Map<Add, Deque<Member>> recent =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Add, Deque<Member>> eldest) {
          return size() > OPEN_ADDS;
        }
      };

  /** Rebuilds inputs with this many earlier messages, the {@code contextWindow} of ingest. */
  public EmbeddingContexts(int window) {
    if (window < 0) {
      throw new IllegalArgumentException("window must be >= 0, got " + window);
    }
    this.window = window;
  }

  /** One add: the memories of an add share scope and creation time. */
  private record Add(Scope scope, Instant createdAt) {}

  /** A memory met, by id, with its text. */
  private record Member(String id, String text) {}

  /**
   * The embedding input of {@code m} (its text, after its add's earlier memories met so far), and
   * remembers {@code m} as context for the memories after it.
   */
  public String inputOf(Memory m) {
    Deque<Member> before = add(m);
    if (before == null) {
      return m.text();
    }
    List<String> context = new ArrayList<>(before.size());
    for (Member b : before) {
      // Only memories stored before it in its add (an import file may be out of order), and not
      // itself, which remember has just added.
      if (b.id().compareTo(m.id()) < 0) {
        context.add(b.text());
      }
    }
    return VerbatimIngest.withContext(context, m.text());
  }

  /**
   * Remembers {@code m} as context for the memories after it, without building its input: for a
   * memory that keeps its vector.
   */
  public void remember(Memory m) {
    add(m);
  }

  /**
   * Adds {@code m} to its add's window and returns the window (up to {@code window} earlier
   * memories and {@code m}), or null when {@code m} takes no part in contexts.
   */
  private @Nullable Deque<Member> add(Memory m) {
    if (window == 0 || !Memory.Provenance.VERBATIM.equals(m.provenance().source())) {
      return null;
    }
    Deque<Member> around =
        recent.computeIfAbsent(new Add(m.scope(), m.createdAt()), k -> new ArrayDeque<>());
    around.addLast(new Member(m.id(), m.text()));
    if (around.size() > window + 1) {
      around.removeFirst();
    }
    return around;
  }
}
