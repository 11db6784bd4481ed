package io.mnemo4j.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The result of one benchmark: a human summary and the same numbers as a JSON object. Not
 * thread-safe.
 */
final class Report {
  private final Map<String, Object> json = new LinkedHashMap<>();
  private final StringBuilder human = new StringBuilder();

  /** Appends a formatted line (root locale) to the human summary. */
  Report line(String format, Object... args) {
    human.append(String.format(Locale.ROOT, format, args)).append('\n');
    return this;
  }

  /** Sets a top-level JSON field. */
  Report put(String key, Object value) {
    json.put(key, value);
    return this;
  }

  Map<String, Object> json() {
    return json;
  }

  String human() {
    return human.toString();
  }
}
