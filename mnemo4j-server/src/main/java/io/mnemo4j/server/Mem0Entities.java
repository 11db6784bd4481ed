package io.mnemo4j.server;

import io.mnemo4j.Memory;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantMemory;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The users, agents and runs of a selection, with Mem0's per-entity counts and first/last times,
 * found by paging through its memories (up to a million). Stateless and thread-safe.
 */
final class Mem0Entities {
  private static final int SCAN_LIMIT = 1_000_000;

  private Mem0Entities() {}

  /**
   * One user, agent or run.
   *
   * @param type user, agent or run
   * @param name its id
   * @param count memories that name it
   * @param created when the oldest of them was created
   * @param updated when the latest of them was updated
   */
  record Entity(String type, String name, long count, Instant created, Instant updated) {}

  /** Every entity of {@code sel}, in the order its memories name them. */
  static List<Entity> scan(TenantMemory memory, Selection sel) {
    Map<String, Tally> entities = new LinkedHashMap<>();
    String cursor = null;
    int seen = 0;
    do {
      Page<Memory> page = memory.getAll(sel, new PageRequest(cursor, PageRequest.MAX_SIZE));
      for (Memory m : page.items()) {
        track(entities, "user", m.scope().userId(), m);
        track(entities, "agent", m.scope().agentId(), m);
        track(entities, "run", m.scope().runId(), m);
      }
      seen += page.items().size();
      cursor = page.nextCursor();
    } while (cursor != null && seen < SCAN_LIMIT);
    return entities.values().stream()
        .map(t -> new Entity(t.type, t.name, t.count, t.created, t.updated))
        .toList();
  }

  private static void track(
      Map<String, Tally> entities, String type, @Nullable String name, Memory m) {
    if (name == null) {
      return;
    }
    Tally e = entities.computeIfAbsent(type + "\u0000" + name, k -> new Tally(type, name, m));
    e.count++;
    if (m.createdAt().isBefore(e.created)) {
      e.created = m.createdAt();
    }
    if (m.updatedAt().isAfter(e.updated)) {
      e.updated = m.updatedAt();
    }
  }

  /** One entity being counted. Not thread-safe (one scan). */
  private static final class Tally {
    final String type;
    final String name;
    long count;
    Instant created;
    Instant updated;

    Tally(String type, String name, Memory first) {
      this.type = type;
      this.name = name;
      this.created = first.createdAt();
      this.updated = first.updatedAt();
    }
  }
}
