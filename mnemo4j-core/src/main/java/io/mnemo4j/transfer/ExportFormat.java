package io.mnemo4j.transfer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.ConversationMessage;
import io.mnemo4j.EventType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryType;
import io.mnemo4j.Metadata;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.internal.util.TextHash;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.StoredMessage;
import io.mnemo4j.transfer.ExportRecord.ConversationLine;
import io.mnemo4j.transfer.ExportRecord.EventLine;
import io.mnemo4j.transfer.ExportRecord.Header;
import io.mnemo4j.transfer.ExportRecord.HistoryLine;
import io.mnemo4j.transfer.ExportRecord.MemoryLine;
import io.mnemo4j.transfer.ExportRecord.MessageLine;
import io.mnemo4j.transfer.ExportRecord.Trailer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The line codec of the export format: one {@link ExportRecord} to one line of JSON and back. The
 * text of a record is deterministic (fixed field order, metadata keys sorted), so two exports of
 * equal records are equal byte for byte whatever store they came from. Decoding validates every
 * field and fails with an {@link InvalidRequestException} whose field is {@code lines[N].name} and
 * whose message starts with {@code line N:}; any input either decodes or fails that way. Unknown
 * fields are ignored, so that a later minor addition does not break this reader. Stateless,
 * thread-safe.
 */
public final class ExportFormat {
  /** The format's name, in the header's {@code format} field. */
  public static final String NAME = "mnemo4j-export";

  /** The version this build writes, and the newest it reads. */
  public static final int VERSION = 1;

  /** The longest line accepted, in characters. */
  public static final int MAX_LINE_LENGTH = 64 << 20;

  // Sorting map entries makes metadata independent of how a store kept it (jsonb reorders keys).
  private static final ObjectMapper MAPPER =
      JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

  private ExportFormat() {}

  // ---------------------------------------------------------------------------------- encoding

  /** The line of a record, without its newline. */
  public static String encode(ExportRecord record) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("kind", record.kind());
    switch (record) {
      case Header h -> {
        o.put("format", h.format());
        o.put("version", h.version());
        o.put("tenant", h.tenant());
        o.put("region", h.region());
        o.put("embedding_model", h.embeddingModel());
        o.put("exported_at", time(h.exportedAt()));
        o.put("vectors", h.vectors());
      }
      case MemoryLine m -> memory(o, m);
      case HistoryLine(HistoryEntry h) -> {
        o.put("id", h.id());
        o.put("memory_id", h.memoryId());
        o.put("event", h.event().name());
        o.put("old_text", h.oldText());
        o.put("new_text", h.newText());
        o.put("actor", h.actor());
        o.put("at", time(h.at()));
        o.put("reason", h.reason());
      }
      case MessageLine(StoredMessage m) -> {
        o.put("id", m.id());
        scope(o, m.scope());
        o.put("role", m.role().wireName());
        o.put("name", m.name());
        o.put("content", m.content());
        o.put("received_at", time(m.receivedAt()));
      }
      case EventLine(StoredEvent e) -> {
        o.put("id", e.id());
        o.put("idempotency_key", e.idempotencyKey());
        o.put("status", e.status().name());
        o.put("request", e.request());
        o.put("result", e.result());
        o.put("created_at", time(e.createdAt()));
        o.put("updated_at", time(e.updatedAt()));
      }
      case ConversationLine c -> {
        o.put("id", c.id());
        ArrayNode messages = o.putArray("messages");
        for (ConversationMessage m : c.messages()) {
          ObjectNode mo = messages.addObject();
          mo.put("role", m.role().wireName());
          mo.put("text", m.text());
          mo.put("format", m.format());
          mo.put("data", m.data());
        }
      }
      case Trailer t -> {
        o.set("counts", MAPPER.valueToTree(new TreeMap<>(t.counts())));
        o.set("checksums", MAPPER.valueToTree(new TreeMap<>(t.checksums())));
      }
    }
    try {
      return MAPPER.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an export line", e);
    }
  }

  private static void memory(ObjectNode o, MemoryLine line) {
    StoredMemory stored = line.memory();
    Memory m = stored.memory();
    o.put("id", m.id());
    o.put("text", m.text());
    o.put("hash", m.hash());
    scope(o, m.scope());
    o.set("metadata", MAPPER.valueToTree(m.metadata()));
    ArrayNode categories = o.putArray("categories");
    m.categories().forEach(categories::add);
    o.put("type", m.type().wireName());
    o.put("role", m.role() == null ? null : m.role().wireName());
    o.put("actor", m.actor());
    o.put("created_at", time(m.createdAt()));
    o.put("updated_at", time(m.updatedAt()));
    o.put("expires_at", time(m.expiresAt()));
    o.put("valid_from", time(m.validFrom()));
    o.put("valid_to", time(m.validTo()));
    ObjectNode provenance = o.putObject("provenance");
    provenance.put("source", m.provenance().source());
    ArrayNode ids = provenance.putArray("message_ids");
    m.provenance().messageIds().forEach(ids::add);
    o.put("embedding_model", m.embeddingModel());
    o.put("context", stored.context());
    if (line.hasVector()) {
      ObjectNode v = o.putObject("vector");
      v.put("model", m.embeddingModel());
      v.put("dimension", stored.embedding().length);
      v.put("data", vectorData(stored.embedding()));
    }
  }

  private static void scope(ObjectNode o, Scope s) {
    o.put("user_id", s.userId());
    o.put("agent_id", s.agentId());
    o.put("run_id", s.runId());
  }

  private static @Nullable String time(@Nullable Instant t) {
    return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t);
  }

  /** A vector as base64 of its floats in little-endian IEEE 754 binary32: exact and compact. */
  static String vectorData(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return Base64.getEncoder().encodeToString(b.array());
  }

  // ---------------------------------------------------------------------------------- decoding

  /**
   * The record on line {@code lineNumber} (1-based, for error messages).
   *
   * @throws InvalidRequestException naming the line and field when the line is not a valid record
   */
  public static ExportRecord decode(String line, long lineNumber) {
    Fields f = new Fields(parse(line, lineNumber), lineNumber);
    String kind = f.string("kind");
    return switch (kind) {
      case "header" -> header(f);
      case "memory" -> memory(f);
      case "history" -> history(f);
      case "message" -> message(f);
      case "event" -> event(f);
      case "conversation" -> conversation(f);
      case "end" -> trailer(f);
      default ->
          throw f.invalid(
              "kind",
              "unknown record kind; expected header, memory, history, message, event,"
                  + " conversation or end");
    };
  }

  private static ObjectNode parse(String line, long lineNumber) {
    if (line.length() > MAX_LINE_LENGTH) {
      throw new InvalidRequestException(
          "lines[" + lineNumber + "]",
          "line " + lineNumber + ": longer than " + MAX_LINE_LENGTH + " characters");
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException(
          "lines[" + lineNumber + "]",
          "line " + lineNumber + ": not valid JSON (column " + e.getLocation().getColumnNr() + ")");
    }
    if (node == null || !node.isObject()) {
      throw new InvalidRequestException(
          "lines[" + lineNumber + "]", "line " + lineNumber + ": not a JSON object");
    }
    return (ObjectNode) node;
  }

  private static Header header(Fields f) {
    String format = f.string("format");
    if (!format.equals(NAME)) {
      throw f.invalid("format", "not a " + NAME + " file");
    }
    long version = f.integer("version");
    if (version < 1 || version > VERSION) {
      throw f.invalid(
          "version", "format version " + version + " is not supported (1 to " + VERSION + ")");
    }
    return new Header(
        format,
        (int) version,
        f.string("tenant"),
        f.string("region"),
        f.string("embedding_model"),
        f.time("exported_at"),
        f.bool("vectors"));
  }

  private static MemoryLine memory(Fields f) {
    String id = f.id("id");
    Scope scope = f.scope();
    Map<String, Object> metadata = f.metadata();
    String model = f.string("embedding_model");
    String text = f.string("text");
    String hash = f.optional("hash");
    Memory memory =
        new Memory(
            id,
            text,
            // Files made by other tools (a Mem0 conversion) may leave it to us.
            hash == null ? TextHash.of(text) : hash,
            scope,
            metadata,
            f.strings("categories"),
            f.optional("role") == null ? null : f.role("role"),
            f.optional("actor"),
            f.time("created_at"),
            f.time("updated_at"),
            f.optionalTime("expires_at"),
            f.optionalTime("valid_from"),
            f.optionalTime("valid_to"),
            f.provenance(),
            model,
            f.parse("type", MemoryType::parse));
    String context = f.optional("context");
    float[] vector = f.vector(model);
    return new MemoryLine(
        new StoredMemory(
            memory, vector == null ? new float[0] : vector, context == null ? "" : context),
        vector != null);
  }

  private static HistoryLine history(Fields f) {
    return new HistoryLine(
        new HistoryEntry(
            f.id("id"),
            f.id("memory_id"),
            f.constant("event", EventType.class),
            f.optional("old_text"),
            f.optional("new_text"),
            f.string("actor"),
            f.time("at"),
            f.optional("reason")));
  }

  private static MessageLine message(Fields f) {
    return new MessageLine(
        new StoredMessage(
            f.id("id"),
            f.scope(),
            f.role("role"),
            f.optional("name"),
            f.string("content"),
            f.time("received_at")));
  }

  private static EventLine event(Fields f) {
    return new EventLine(
        new StoredEvent(
            f.id("id"),
            f.optional("idempotency_key"),
            f.constant("status", EventStatus.class),
            f.string("request"),
            f.optional("result"),
            f.time("created_at"),
            f.time("updated_at")));
  }

  private static ConversationLine conversation(Fields f) {
    String id = f.string("id");
    f.wrap("id", () -> ConversationMessage.requireConversationId(id));
    JsonNode array = f.node("messages");
    if (array == null || !array.isArray()) {
      throw f.invalid("messages", "must be an array");
    }
    if (array.size() > ConversationMessage.MAX_MESSAGES) {
      throw f.invalid("messages", "more than " + ConversationMessage.MAX_MESSAGES + " messages");
    }
    List<ConversationMessage> messages = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      JsonNode m = array.get(i);
      String at = "messages[" + i + "]";
      if (!m.isObject()) {
        throw f.invalid(at, "must be an object");
      }
      Fields mf = f.nested((ObjectNode) m, at + ".");
      Role role = mf.role("role");
      String text = mf.string("text");
      String format = mf.string("format");
      String data = mf.string("data");
      messages.add(f.wrap(at, () -> new ConversationMessage(role, text, format, data)));
    }
    return new ConversationLine(id, messages);
  }

  private static Trailer trailer(Fields f) {
    Map<String, Long> counts = new LinkedHashMap<>();
    JsonNode c = f.node("counts");
    if (c == null || !c.isObject()) {
      throw f.invalid("counts", "must be an object");
    }
    for (Map.Entry<String, JsonNode> e : c.properties()) {
      if (!e.getValue().canConvertToExactIntegral()
          || !e.getValue().canConvertToLong()
          || e.getValue().asLong() < 0) {
        throw f.invalid("counts." + e.getKey(), "must be a non-negative integer");
      }
      counts.put(e.getKey(), e.getValue().asLong());
    }
    Map<String, String> sums = new LinkedHashMap<>();
    JsonNode s = f.node("checksums");
    if (s == null || !s.isObject()) {
      throw f.invalid("checksums", "must be an object");
    }
    for (Map.Entry<String, JsonNode> e : s.properties()) {
      if (!e.getValue().isTextual()) {
        throw f.invalid("checksums." + e.getKey(), "must be a string");
      }
      sums.put(e.getKey(), e.getValue().asText());
    }
    return new Trailer(counts, sums);
  }

  /** Reads the fields of one line's object, failing with the line and field named. */
  private static final class Fields {
    private final ObjectNode o;
    private final long line;
    private final String prefix;

    Fields(ObjectNode o, long line) {
      this(o, line, "");
    }

    private Fields(ObjectNode o, long line, String prefix) {
      this.o = o;
      this.line = line;
      this.prefix = prefix;
    }

    Fields nested(ObjectNode inner, String innerPrefix) {
      return new Fields(inner, line, prefix + innerPrefix);
    }

    InvalidRequestException invalid(String field, String problem) {
      return new InvalidRequestException(
          "lines[" + line + "]." + prefix + field,
          "line " + line + ": " + prefix + field + " " + problem);
    }

    /** Runs a constructor or check, re-labelling its refusal with this line and field. */
    <T> T wrap(String field, java.util.function.Supplier<T> body) {
      try {
        return body.get();
      } catch (InvalidRequestException e) {
        throw new InvalidRequestException(
            "lines[" + line + "]." + prefix + field,
            "line " + line + ": " + prefix + field + ": " + e.getMessage());
      }
    }

    @Nullable JsonNode node(String name) {
      JsonNode n = o.get(name);
      return n == null || n.isNull() ? null : n;
    }

    String string(String name) {
      String s = optional(name);
      if (s == null) {
        throw invalid(name, "is required");
      }
      return s;
    }

    @Nullable String optional(String name) {
      JsonNode n = node(name);
      if (n == null) {
        return null;
      }
      if (!n.isTextual()) {
        throw invalid(name, "must be a string");
      }
      String s = n.asText();
      // PostgreSQL text cannot hold U+0000: every store must be able to take the file.
      if (s.indexOf('\u0000') >= 0) {
        throw invalid(name, "must not contain U+0000");
      }
      return s;
    }

    String id(String name) {
      String s = string(name);
      if (s.isEmpty() || s.length() > 100 || s.chars().anyMatch(Character::isISOControl)) {
        throw invalid(name, "must be 1 to 100 characters without control characters");
      }
      return s;
    }

    long integer(String name) {
      JsonNode n = node(name);
      if (n == null) {
        throw invalid(name, "is required");
      }
      if (!n.isIntegralNumber() || !n.canConvertToLong()) {
        throw invalid(name, "must be an integer");
      }
      return n.asLong();
    }

    boolean bool(String name) {
      JsonNode n = node(name);
      if (n == null) {
        throw invalid(name, "is required");
      }
      if (!n.isBoolean()) {
        throw invalid(name, "must be true or false");
      }
      return n.asBoolean();
    }

    Instant time(String name) {
      Instant t = optionalTime(name);
      if (t == null) {
        throw invalid(name, "is required");
      }
      return t;
    }

    @Nullable Instant optionalTime(String name) {
      String s = optional(name);
      if (s == null) {
        return null;
      }
      try {
        return Instant.parse(s);
      } catch (DateTimeParseException e) {
        throw invalid(name, "must be an ISO-8601 UTC time such as 2026-01-01T00:00:00Z");
      }
    }

    <T> T parse(String name, java.util.function.BiFunction<String, String, T> parser) {
      String s = string(name);
      return wrap(name, () -> parser.apply(name, s));
    }

    Role role(String name) {
      return parse(name, Role::parse);
    }

    <E extends Enum<E>> E constant(String name, Class<E> type) {
      String s = string(name);
      for (E e : type.getEnumConstants()) {
        if (e.name().equals(s)) {
          return e;
        }
      }
      throw invalid(name, "is not one of " + java.util.Arrays.toString(type.getEnumConstants()));
    }

    Scope scope() {
      String user = optional("user_id");
      String agent = optional("agent_id");
      String run = optional("run_id");
      return wrap("scope", () -> new Scope(user, agent, run));
    }

    Map<String, Object> metadata() {
      JsonNode n = node("metadata");
      if (n == null) {
        return Map.of();
      }
      if (!n.isObject()) {
        throw invalid("metadata", "must be a JSON object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = MAPPER.convertValue(n, Map.class);
      return wrap("metadata", () -> Metadata.validate(map));
    }

    List<String> strings(String name) {
      JsonNode n = node(name);
      if (n == null) {
        return List.of();
      }
      if (!n.isArray()) {
        throw invalid(name, "must be an array of strings");
      }
      List<String> out = new ArrayList<>(n.size());
      for (JsonNode e : n) {
        if (!e.isTextual() || e.asText().indexOf('\u0000') >= 0) {
          throw invalid(name, "must be an array of strings without U+0000");
        }
        out.add(e.asText());
      }
      return out;
    }

    Memory.Provenance provenance() {
      JsonNode n = node("provenance");
      if (n == null) {
        throw invalid("provenance", "is required");
      }
      if (!n.isObject()) {
        throw invalid("provenance", "must be an object");
      }
      Fields p = nested((ObjectNode) n, "provenance.");
      return new Memory.Provenance(p.string("source"), p.strings("message_ids"));
    }

    /** The vector, or null when the line has none. */
    float @Nullable [] vector(String memoryModel) {
      JsonNode n = node("vector");
      if (n == null) {
        return null;
      }
      if (!n.isObject()) {
        throw invalid("vector", "must be an object");
      }
      Fields v = nested((ObjectNode) n, "vector.");
      String model = v.string("model");
      if (!model.equals(memoryModel)) {
        throw v.invalid("model", "must equal the memory's embedding_model");
      }
      long dimension = v.integer("dimension");
      if (dimension < 1 || dimension > 65_536) {
        throw v.invalid("dimension", "must be 1 to 65536");
      }
      byte[] bytes;
      try {
        bytes = Base64.getDecoder().decode(v.string("data"));
      } catch (IllegalArgumentException e) {
        throw v.invalid("data", "is not base64");
      }
      if (bytes.length != dimension * Float.BYTES) {
        throw v.invalid("data", "holds " + bytes.length + " bytes, not 4 per dimension");
      }
      float[] out = new float[(int) dimension];
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
      for (float x : out) {
        if (!Float.isFinite(x)) {
          throw v.invalid("data", "holds a value that is not finite");
        }
      }
      return out;
    }
  }
}
