package io.mnemo4j.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Metadata;
import io.mnemo4j.transfer.ExportFormat;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Reads the memories a Mem0 client returned and writes them as an export file: a way off Mem0.
 * Accepts what {@code getAll} answers (a bare list, or {@code {"results": [...]}} pages, one or
 * several in a row or as JSON Lines) and a Mem0 export whose memories sit in a top-level array
 * ({@code {"memories": [...]}} and the like). Each Mem0 memory keeps its id, text, scope ({@code
 * user_id}, {@code agent_id}, {@code run_id}; {@code app_id} goes into metadata as {@code
 * mem0_app_id}), metadata, categories, creation and update times and expiration date; it becomes a
 * semantic (inferred) memory with an ADD history row, and is embedded by the import. Stateless.
 */
final class Mem0Import {
  private Mem0Import() {}

  /**
   * What a conversion found.
   *
   * @param memories how many memories it wrote
   * @param droppedIdentityKeys metadata keys naming an identity ({@code user_id}, {@code
   *     tenant}...) left out: Mnemo4j never lets metadata carry a scope (the Mem0 #6277 failure)
   */
  record Result(long memories, long droppedIdentityKeys) {}

  /**
   * Converts {@code source} into an export file at {@code target} for {@code tenant}.
   *
   * @throws InvalidRequestException naming the memory ({@code memories[i].field}) when one cannot
   *     be read
   */
  static Result convert(Path source, Path target, String tenant) {
    long[] dropped = {0};
    long count = 0;
    TreeMap<String, Long> counts = new TreeMap<>();
    try (InputStream in = Files.newInputStream(source);
        BufferedWriter out = Files.newBufferedWriter(target, StandardCharsets.UTF_8)) {
      ObjectNode header = Json.object();
      header.put("kind", "header");
      header.put("format", ExportFormat.NAME);
      header.put("version", ExportFormat.VERSION);
      header.put("tenant", tenant);
      header.put("region", "mem0");
      header.put("embedding_model", "mem0");
      header.put("exported_at", Instant.now().toString());
      header.put("vectors", false);
      line(out, header);
      JsonParser parser = Json.MAPPER.createParser(in);
      MappingIterator<JsonNode> values;
      try {
        values = Json.MAPPER.readValues(parser, JsonNode.class);
        while (values.hasNextValue()) {
          for (JsonNode m : memoriesIn(values.nextValue())) {
            List<ObjectNode> lines = convert(m, count, dropped);
            for (ObjectNode l : lines) {
              String text = Json.MAPPER.writeValueAsString(l);
              try {
                ExportFormat.decode(text, count + 1);
              } catch (InvalidRequestException e) {
                String field = e.field().replaceFirst("^lines\\[\\d+]\\.?", "");
                throw new InvalidRequestException(
                    "memories[" + count + "]" + (field.isEmpty() ? "" : "." + field),
                    "Mem0 memory "
                        + count
                        + ": "
                        + e.getMessage().replaceFirst("^line \\d+: ", ""));
              }
              counts.merge(l.get("kind").asText(), 1L, Long::sum);
              out.write(text);
              out.write('\n');
            }
            count++;
          }
        }
      } catch (JsonProcessingException e) {
        throw new InvalidRequestException(
            "file",
            "not Mem0 JSON (line "
                + e.getLocation().getLineNr()
                + ", column "
                + e.getLocation().getColumnNr()
                + ")");
      }
      ObjectNode end = Json.object();
      end.put("kind", "end");
      end.set("counts", Json.MAPPER.valueToTree(counts));
      end.putObject("checksums");
      line(out, end);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot convert " + source, e);
    }
    return new Result(count, dropped[0]);
  }

  /** The Mem0 memories a top-level value holds. */
  private static List<JsonNode> memoriesIn(JsonNode value) {
    if (value.isArray()) {
      List<JsonNode> out = new ArrayList<>();
      value.forEach(out::add);
      return out;
    }
    if (value.isObject()) {
      if (value.has("memory") && value.has("id")) {
        return List.of(value);
      }
      for (Map.Entry<String, JsonNode> e : value.properties()) {
        if (e.getValue().isArray()
            && !e.getValue().isEmpty()
            && e.getValue().get(0).isObject()
            && e.getValue().get(0).has("memory")) {
          return memoriesIn(e.getValue());
        }
      }
      if (value.has("results") && value.get("results").isArray()) {
        return List.of(); // an empty page
      }
    }
    throw new InvalidRequestException(
        "file",
        "found no Mem0 memories: expected a list of memories, {\"results\": [...]}, or an export"
            + " holding a list of memories");
  }

  /** The memory line and its history line for one Mem0 memory. */
  private static List<ObjectNode> convert(JsonNode m, long index, long[] dropped) {
    if (!m.isObject()) {
      throw new InvalidRequestException(
          "memories[" + index + "]", "Mem0 memory " + index + " is not a JSON object");
    }
    String id = text(m, "id", index);
    if (m.has("memory") && !m.get("memory").isTextual()) {
      throw new InvalidRequestException(
          "memories[" + index + "].memory", "Mem0 memory " + index + ": memory must be a string");
    }
    String memory = text(m, "memory", index);
    Instant created = time(m, "created_at", index);
    Instant updated = m.hasNonNull("updated_at") ? time(m, "updated_at", index) : created;
    if (created == null) {
      created = Instant.EPOCH;
    }
    if (updated == null) {
      updated = created;
    }
    ObjectNode o = Json.object();
    o.put("kind", "memory");
    o.put("id", id);
    o.put("text", memory);
    for (String scope : List.of("user_id", "agent_id", "run_id")) {
      o.put(scope, optional(m, scope, index));
    }
    ObjectNode metadata = Json.object();
    JsonNode given = m.get("metadata");
    if (given != null && given.isObject()) {
      for (Map.Entry<String, JsonNode> e : given.properties()) {
        if (Metadata.IDENTITY_KEYS.contains(e.getKey())) {
          dropped[0]++;
        } else {
          metadata.set(e.getKey(), e.getValue());
        }
      }
    }
    String app = optional(m, "app_id", index);
    if (app != null) {
      metadata.put("mem0_app_id", app);
    }
    o.set("metadata", metadata);
    ArrayNode categories = o.putArray("categories");
    JsonNode cats = m.get("categories");
    if (cats != null && cats.isArray()) {
      cats.forEach(c -> categories.add(c.asText()));
    }
    o.put("type", "semantic");
    o.put("created_at", created.toString());
    o.put("updated_at", updated.toString());
    Instant expires = m.hasNonNull("expiration_date") ? time(m, "expiration_date", index) : null;
    o.put("expires_at", expires == null ? null : expires.toString());
    ObjectNode provenance = o.putObject("provenance");
    provenance.put("source", "inferred");
    provenance.putArray("message_ids");
    o.put("embedding_model", "mem0");

    ObjectNode h = Json.object();
    h.put("kind", "history");
    h.put("id", "mem0-add-" + id);
    h.put("memory_id", id);
    h.put("event", "ADD");
    h.putNull("old_text");
    h.put("new_text", memory);
    h.put("actor", "mem0-import");
    h.put("at", created.toString());
    h.put("reason", "imported from Mem0");
    return List.of(o, h);
  }

  private static String text(JsonNode m, String field, long index) {
    String s = optional(m, field, index);
    if (s == null) {
      throw new InvalidRequestException(
          "memories[" + index + "]." + field,
          "Mem0 memory " + index + ": " + field + " is required");
    }
    return s;
  }

  private static @Nullable String optional(JsonNode m, String field, long index) {
    JsonNode n = m.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual() && !n.isNumber()) {
      throw new InvalidRequestException(
          "memories[" + index + "]." + field,
          "Mem0 memory " + index + ": " + field + " must be a string");
    }
    String s = n.asText();
    return s.isEmpty() ? null : s;
  }

  /** Mem0's times: with an offset, UTC, without a zone (taken as UTC), or a bare date. */
  private static @Nullable Instant time(JsonNode m, String field, long index) {
    String s = optional(m, field, index);
    if (s == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      // not with an offset; try the other forms
    }
    try {
      return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      // not a local date-time either
    }
    try {
      return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException e) {
      throw new InvalidRequestException(
          "memories[" + index + "]." + field,
          "Mem0 memory " + index + ": " + field + " is not a date or time");
    }
  }

  private static void line(BufferedWriter out, JsonNode node) throws IOException {
    out.write(Json.MAPPER.writeValueAsString(node));
    out.write('\n');
  }
}
