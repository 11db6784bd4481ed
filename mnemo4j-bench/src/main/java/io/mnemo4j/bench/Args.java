package io.mnemo4j.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of one subcommand: {@code --name value} pairs and {@code --flag} switches. Every
 * option a command reads is marked as known, so an unknown or misspelt option fails instead of
 * being ignored. Not thread-safe.
 */
final class Args {
  private final Map<String, String> values = new HashMap<>();
  private final Set<String> flags = new HashSet<>();
  private final Set<String> read = new HashSet<>();

  private Args() {}

  /**
   * Parses {@code --name value} and {@code --flag} (a flag is an option followed by another option
   * or nothing).
   */
  static Args parse(List<String> argv) {
    Args a = new Args();
    for (int i = 0; i < argv.size(); i++) {
      String arg = argv.get(i);
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new IllegalArgumentException(
            "expected an option starting with --, got '" + arg + "'");
      }
      String name = arg.substring(2);
      int eq = name.indexOf('=');
      if (eq > 0) {
        a.values.put(name.substring(0, eq), name.substring(eq + 1));
      } else if (i + 1 < argv.size() && !argv.get(i + 1).startsWith("--")) {
        a.values.put(name, argv.get(++i));
      } else {
        a.flags.add(name);
      }
    }
    return a;
  }

  int intValue(String name, int defaultValue) {
    read.add(name);
    String v = values.get(name);
    if (v == null) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be an integer, got '" + v + "'");
    }
  }

  long longValue(String name, long defaultValue) {
    read.add(name);
    String v = values.get(name);
    if (v == null) {
      return defaultValue;
    }
    try {
      return Long.parseLong(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be an integer, got '" + v + "'");
    }
  }

  String string(String name, String defaultValue) {
    read.add(name);
    return values.getOrDefault(name, defaultValue);
  }

  Path path(String name, Path defaultValue) {
    read.add(name);
    String v = values.get(name);
    return v == null ? defaultValue : Path.of(v);
  }

  boolean flag(String name) {
    read.add(name);
    if (values.containsKey(name)) {
      throw new IllegalArgumentException(
          "--" + name + " takes no value, got '" + values.get(name) + "'");
    }
    return flags.contains(name);
  }

  /** Fails on any option no command read. Call after reading every option. */
  void requireAllKnown() {
    for (String name : values.keySet()) {
      if (!read.contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name);
      }
    }
    for (String name : flags) {
      if (!read.contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name + " (or it needs a value)");
      }
    }
  }
}
