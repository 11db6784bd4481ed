package io.mnemo4j.filter;

import io.mnemo4j.filter.FilterExpr.Field;
import io.mnemo4j.filter.FilterExpr.Kind;
import io.mnemo4j.filter.FilterExpr.Op;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Wire spelling of fields and operators, and safe rendering of user text in paths and messages.
 * Stateless.
 */
final class Wire {
  /** Prefix of a dotted metadata field: {@code metadata.<key>}. */
  static final String METADATA_PREFIX = "metadata.";

  /** Longest piece of user text (a key or operator) echoed in a path or message. */
  static final int ECHO_LIMIT = 40;

  private static final Map<String, Kind> KINDS = new LinkedHashMap<>();
  private static final Map<Kind, String> NAMES = new EnumMap<>(Kind.class);
  private static final Map<Op, String> OPS = new EnumMap<>(Op.class);

  static {
    name(Kind.USER_ID, "user_id");
    name(Kind.AGENT_ID, "agent_id");
    name(Kind.RUN_ID, "run_id");
    name(Kind.CREATED_AT, "created_at");
    name(Kind.UPDATED_AT, "updated_at");
    name(Kind.VALID_FROM, "valid_from");
    name(Kind.VALID_TO, "valid_to");
    name(Kind.EXPIRES_AT, "expires_at");
    name(Kind.MEMORY_TYPE, "memory_type");
    name(Kind.CATEGORIES, "categories");
    name(Kind.ROLE, "role");
    name(Kind.ACTOR, "actor");
    name(Kind.METADATA, "metadata");
    for (Op op : Op.values()) {
      OPS.put(op, op.name().toLowerCase(Locale.ROOT));
    }
  }

  private Wire() {}

  private static void name(Kind kind, String name) {
    KINDS.put(name, kind);
    NAMES.put(kind, name);
  }

  /** The built-in field spelled {@code name}; metadata is not among them (it needs a key). */
  static Optional<Kind> builtIn(String name) {
    Kind kind = KINDS.get(name);
    return kind == null || kind == Kind.METADATA ? Optional.empty() : Optional.of(kind);
  }

  /** The wire name of a field: {@code user_id}, or {@code metadata.<key>}. */
  static String name(Field field) {
    return field.kind() == Kind.METADATA
        ? METADATA_PREFIX + field.key()
        : Objects.requireNonNull(NAMES.get(field.kind()));
  }

  /** The wire name of a comparison operator: {@code eq}, {@code gte}... */
  static String name(Op op) {
    return Objects.requireNonNull(OPS.get(op));
  }

  /** A JSON-style path one key deeper, the key shortened. */
  static String child(String path, String key) {
    return path + "." + shorten(key);
  }

  /** A JSON-style path to an array element. */
  static String element(String path, int index) {
    return path + "[" + index + "]";
  }

  /**
   * User text made safe to echo: at most {@value #ECHO_LIMIT} characters (then {@code ...}),
   * control characters as {@code ?}, never a broken surrogate pair.
   */
  static String shorten(String text) {
    int end = text.length();
    boolean cut = false;
    if (end > ECHO_LIMIT) {
      end = ECHO_LIMIT;
      if (Character.isHighSurrogate(text.charAt(end - 1))) {
        end--;
      }
      cut = true;
    }
    StringBuilder out = new StringBuilder(end + 3);
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      out.append(Character.isISOControl(c) ? '?' : c);
    }
    return cut ? out.append("...").toString() : out.toString();
  }
}
