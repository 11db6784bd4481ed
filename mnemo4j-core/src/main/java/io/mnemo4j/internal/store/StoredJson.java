package io.mnemo4j.internal.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.mnemo4j.Memory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON text a backend stores a memory's JSON-valued fields as (metadata, provenance, and
 * categories where the database has no array type), so that every backend writes and reads the same
 * columns the same way. Independent of the wire JSON (the server's shapes): the stored form must
 * not change when the wire form does. Stateless, thread-safe.
 */
public final class StoredJson {
  // A mapper of its own: configuring the wire mapper must never change what is on disk.
  private static final ObjectMapper MAPPER = JsonMapper.builder().build();
  private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  // Readers resolve their target type once; MAPPER.readValue(json, typeRef) resolved it per call.
  private static final ObjectReader OBJECT_READER = MAPPER.readerFor(OBJECT);
  private static final ObjectReader STRINGS_READER = MAPPER.readerFor(STRINGS);

  private StoredJson() {}

  /**
   * JSON text of a JSON-compatible value (String, Number, Boolean, List, Map): a metadata object, a
   * category list, a metadata filter operand.
   *
   * @throws IllegalStateException if the value is not JSON-compatible (a bug: {@link Memory}
   *     validates its metadata)
   */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      // Memory validated its metadata as JSON-compatible, so this is a bug, not bad input.
      throw new IllegalStateException("cannot serialise memory fields as JSON", e);
    }
  }

  /**
   * Reads a stored JSON object (metadata).
   *
   * @throws IOException if the text is not a JSON object
   */
  public static Map<String, Object> readObject(String json) throws IOException {
    // Most memories have no metadata: every search loads a few dozen of them.
    return "{}".equals(json) ? new LinkedHashMap<>() : OBJECT_READER.readValue(json);
  }

  /**
   * Reads a stored JSON array of strings (categories).
   *
   * @throws IOException if the text is not a JSON array of strings
   */
  public static List<String> readStrings(String json) throws IOException {
    return "[]".equals(json) ? new ArrayList<>() : STRINGS_READER.readValue(json);
  }

  /** {@code {"source":…,"message_ids":[…]}}. */
  public static String writeProvenance(Memory.Provenance provenance) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("source", provenance.source());
    out.put("message_ids", provenance.messageIds());
    return write(out);
  }

  /**
   * Reads {@link #writeProvenance}'s text; missing {@code message_ids} are none.
   *
   * @throws IOException if the text is not a JSON object
   */
  public static Memory.Provenance readProvenance(String json) throws IOException {
    Map<String, Object> provenance = readObject(json);
    @SuppressWarnings("unchecked")
    List<String> messageIds = (List<String>) provenance.getOrDefault("message_ids", List.of());
    if (!(provenance.get("source") instanceof String source)) {
      throw new IOException("provenance without a source");
    }
    return new Memory.Provenance(source, messageIds);
  }
}
