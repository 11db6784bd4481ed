package io.mnemo4j.store.postgres;

import io.mnemo4j.TenantId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * Names, identifiers and literals the store builds SQL from, and its advisory-lock keys. Everything
 * spliced into SQL text goes through {@link #quote} or {@link #literal}; values travel as bind
 * parameters. Thread-safe (stateless).
 */
final class Names {
  /** The schema of the registry table mapping tenant ids to schema names. */
  static final String REGISTRY_SCHEMA = "mnemo_registry";

  /** PostgreSQL truncates identifiers beyond 63 bytes (NAMEDATALEN - 1). */
  static final int MAX_IDENTIFIER_BYTES = 63;

  private static final int HASH_CHARS = 10;

  private Names() {}

  /**
   * The schema of a tenant: prefix + id when it fits in 63 bytes, else prefix + the id's start +
   * {@code _} + 10 hex digits of the id's SHA-256, so that long ids stay distinct and the name
   * stays stable (the registry records it anyway). Prefixes and ids are ASCII, so characters are
   * bytes.
   */
  static String tenantSchema(String prefix, TenantId tenant) {
    String full = prefix + tenant.value();
    if (full.length() <= MAX_IDENTIFIER_BYTES) {
      return full;
    }
    int keep = MAX_IDENTIFIER_BYTES - prefix.length() - 1 - HASH_CHARS;
    String hash = sha256Hex(tenant.value()).substring(0, HASH_CHARS);
    return prefix + tenant.value().substring(0, keep) + "_" + hash;
  }

  /** A quoted SQL identifier (tenant ids may hold hyphens). */
  static String quote(String identifier) {
    if (identifier.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("identifier holds a NUL character");
    }
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /**
   * A SQL string literal (standard_conforming_strings is on since PostgreSQL 9.1, so backslashes
   * are plain characters). Used only where a literal is required: partial-index predicates and
   * CHECK constraints, whose planner proofs a bind parameter would defeat.
   */
  static String literal(String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("literal holds a NUL character");
    }
    return "'" + value.replace("'", "''") + "'";
  }

  /** The HNSW index of one embedding model in a tenant's memories table. */
  static String vectorIndex(String model) {
    return "memories_vec_" + sha256Hex(model).substring(0, 16);
  }

  /**
   * A stable 64-bit advisory-lock key for these parts (absent parts are marked as such, so {@code
   * (a, null)} and {@code (a, "")} differ), the first 8 bytes of a SHA-256. Stable across JVMs and
   * versions, unlike {@link String#hashCode()} combinations would have to be argued to be.
   */
  static long lockKey(@Nullable String... parts) {
    StringBuilder text = new StringBuilder("mnemo4j");
    for (String part : parts) {
      text.append('\u0000').append(part == null ? "\u0001" : "=" + part);
    }
    return ByteBuffer.wrap(sha256(text.toString())).getLong();
  }

  static String sha256Hex(String text) {
    return HexFormat.of().formatHex(sha256(text));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
