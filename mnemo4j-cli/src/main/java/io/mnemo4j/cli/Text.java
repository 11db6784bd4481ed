package io.mnemo4j.cli;

import io.mnemo4j.Memory;
import io.mnemo4j.Scope;
import java.util.ArrayList;
import java.util.List;

/** Small helpers for the human-readable output. Stateless. */
final class Text {
  private Text() {}

  /** "user=alice agent=x" or "tenant-wide". */
  static String where(Memory m) {
    Scope s = m.scope();
    if (s.isTenantWide()) {
      return "tenant-wide";
    }
    List<String> parts = new ArrayList<>();
    s.user().ifPresent(u -> parts.add("user=" + u));
    s.agent().ifPresent(a -> parts.add("agent=" + a));
    s.run().ifPresent(r -> parts.add("run=" + r));
    return String.join(" ", parts);
  }
}
