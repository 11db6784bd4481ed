package io.mnemo4j;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where a change of embedding model stands ({@link Admin#reembed}). Immutable.
 *
 * @param model the model being changed to
 * @param phase {@code embedding} (new vectors are being computed into the second slot, searches use
 *     the old ones), {@code switching} (every tenant is prepared; the switch is under way or was
 *     interrupted and finishes on the next open) or {@code done}
 * @param prepared the tenants whose memories all have the new model's vectors, by id
 * @param waiting the tenants not prepared yet (the data dir switches once there are none)
 * @param tenant the tenant being embedded, or null
 * @param embedded memories embedded with the new model by this run so far
 * @param switched memories that switched to the new model (in {@code done})
 */
public record ReembedStatus(
    String model,
    String phase,
    List<String> prepared,
    List<String> waiting,
    @Nullable String tenant,
    long embedded,
    long switched) {
  /** Copies the lists. */
  public ReembedStatus {
    prepared = List.copyOf(prepared);
    waiting = List.copyOf(waiting);
  }
}
