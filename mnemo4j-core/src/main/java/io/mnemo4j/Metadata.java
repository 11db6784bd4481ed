package io.mnemo4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validation and copying of memory metadata (a JSON object). Identity keys are refused so that
 * metadata can never move a memory into another scope or tenant (the Mem0 #6277 failure).
 * Thread-safe (stateless).
 */
public final class Metadata {
  /** Keys that name an identity; metadata holding any of them is refused. */
  public static final Set<String> IDENTITY_KEYS =
      Set.of("user_id", "agent_id", "run_id", "tenant", "tenant_id", "org_id");

  /** Longest metadata key accepted. */
  public static final int MAX_KEY_LENGTH = 128;

  /** Deepest nesting accepted, counting the top object as 1. */
  public static final int MAX_DEPTH = 8;

  private Metadata() {}

  /**
   * Checks metadata handed in by a caller: keys are non-empty, at most 128 characters, not identity
   * keys, and values are JSON-compatible. Returns an immutable copy.
   */
  public static Map<String, Object> validate(Map<String, ?> metadata) {
    for (String key : metadata.keySet()) {
      if (key == null || key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
        throw new InvalidRequestException(
            "metadata", "metadata keys must be 1 to " + MAX_KEY_LENGTH + " characters");
      }
      if (IDENTITY_KEYS.contains(key)) {
        throw new InvalidRequestException(
            "metadata." + key,
            "metadata key '"
                + key
                + "' names an identity; pass scope ids as user_id/agent_id/run_id, not metadata");
      }
    }
    return copyOf(metadata);
  }

  /** Deep, immutable copy of a JSON-compatible map; rejects values that are not JSON-compatible. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> copyOf(Map<String, ?> metadata) {
    return (Map<String, Object>) copyValue("metadata", metadata, 1);
  }

  private static Object copyValue(String path, Object value, int depth) {
    if (depth > MAX_DEPTH) {
      throw new InvalidRequestException(
          path, "metadata is nested deeper than " + MAX_DEPTH + " levels");
    }
    return switch (value) {
      case String s -> s;
      case Boolean b -> b;
      case Integer i -> i.longValue();
      case Long l -> l;
      case Short s -> s.longValue();
      case Byte b -> b.longValue();
      case Float f -> finite(path, f.doubleValue());
      case Double d -> finite(path, d);
      case java.math.BigInteger b -> integer(path, b);
      case java.math.BigDecimal b -> finite(path, b.doubleValue());
      case Map<?, ?> m -> {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
          if (!(e.getKey() instanceof String k)) {
            throw new InvalidRequestException(path, "metadata keys must be strings");
          }
          if (e.getValue() == null) {
            continue; // JSON null carries nothing worth keeping and would complicate every
            // backend's filters
          }
          out.put(k, copyValue(path + "." + k, e.getValue(), depth + 1));
        }
        yield Collections.unmodifiableMap(out);
      }
      case List<?> list -> {
        List<Object> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
          Object element = list.get(i);
          if (element != null) {
            out.add(copyValue(path + "[" + i + "]", element, depth + 1));
          }
        }
        yield Collections.unmodifiableList(out);
      }
      default ->
          throw new InvalidRequestException(
              path,
              "metadata values must be JSON strings, numbers, booleans, "
                  + "arrays or objects, got "
                  + value.getClass().getSimpleName());
    };
  }

  // BigInteger.longValue() keeps the low 64 bits: 2^64-1 would silently become -1.
  private static Object integer(String path, java.math.BigInteger b) {
    if (b.bitLength() > 63) {
      throw new InvalidRequestException(
          path,
          "metadata integers must fit in 64 bits (-9223372036854775808 to 9223372036854775807);"
              + " send larger numbers as strings");
    }
    return b.longValue();
  }

  private static Object finite(String path, double d) {
    if (!Double.isFinite(d)) {
      throw new InvalidRequestException(path, "metadata numbers must be finite");
    }
    return d;
  }
}
