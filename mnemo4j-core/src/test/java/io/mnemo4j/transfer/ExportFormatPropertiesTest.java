package io.mnemo4j.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.ConversationMessage;
import io.mnemo4j.EventType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryType;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.StoredMessage;
import io.mnemo4j.testing.NearMisses;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The line codec on generated input: any text either decodes or fails with our invalid-request
 * error naming the line; every valid record survives encode and decode byte for byte; and a valid
 * line with one field broken is refused naming that field. jqwik prints each property's seed.
 */
class ExportFormatPropertiesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static void decodesOrRefuses(String line, long number) {
    try {
      assertThat(ExportFormat.decode(line, number)).isNotNull();
      Statistics.collect("decoded");
    } catch (InvalidRequestException e) {
      Statistics.collect("refused");
      assertThat(e.field()).startsWith("lines[" + number + "]");
      assertThat(e.getMessage()).startsWith("line " + number + ":").hasSizeLessThan(400);
    }
  }

  @Property(tries = 2000)
  void decode_anyText_decodesOrThrowsInvalidRequest(@ForAll("jsonText") String line) {
    decodesOrRefuses(line, 7);
  }

  @Property(tries = 1000)
  void decode_anyJsonTreeWithAKind_decodesOrThrowsInvalidRequest(
      @ForAll("jsonTree") JsonNode node, @ForAll("kinds") String kind) {
    ObjectNode o = node.isObject() ? (ObjectNode) node : JsonNodeFactory.instance.objectNode();
    o.put("kind", kind);
    decodesOrRefuses(o.toString(), 3);
  }

  @Property(tries = 1000)
  void encode_validRecord_decodesToTheSameLine(@ForAll("records") ExportRecord record) {
    String line = ExportFormat.encode(record);
    assertThat(line).doesNotContain("\n");
    ExportRecord back = ExportFormat.decode(line, 1);
    assertThat(back.kind()).isEqualTo(record.kind());
    assertThat(ExportFormat.encode(back)).isEqualTo(line);
  }

  @Property(tries = 1000)
  void decode_validLineWithOneFieldBroken_namesThatField(
      @ForAll("records") ExportRecord record,
      @ForAll("fieldChoice") int choice,
      @ForAll("breakers") JsonNode replacement)
      throws Exception {
    ObjectNode o = (ObjectNode) JSON.readTree(ExportFormat.encode(record));
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String n = it.next();
      if (!n.equals("kind")) {
        names.add(n);
      }
    }
    String field = names.get(choice % names.size());
    o.set(field, replacement);
    try {
      ExportFormat.decode(o.toString(), 9);
      Statistics.collect("still valid");
    } catch (InvalidRequestException e) {
      Statistics.collect("refused");
      assertThat(e.field()).startsWith("lines[9].");
      assertThat(e.getMessage()).startsWith("line 9:");
      // The field named is the broken one (or a part of it: vector.data, provenance.source...).
      assertThat(e.field())
          .satisfiesAnyOf(
              f -> assertThat(f).startsWith("lines[9]." + field),
              f -> assertThat(field).isIn("user_id", "agent_id", "run_id"),
              f -> assertThat(field).isIn("embedding_model"));
    }
  }

  @Property(tries = 200)
  void decode_lineWithoutARequiredField_isRefused(@ForAll("records") ExportRecord record)
      throws Exception {
    ObjectNode o = (ObjectNode) JSON.readTree(ExportFormat.encode(record));
    o.remove("kind");
    assertThatThrownBy(() -> ExportFormat.decode(o.toString(), 2))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("line 2: kind is required");
  }

  // ------------------------------------------------------------------------------ generators

  /** Random text, and valid lines cut short, with a character dropped, inserted or replaced. */
  @Provide
  Arbitrary<String> jsonText() {
    Arbitrary<String> mutated =
        NearMisses.of(
            records().map(ExportFormat::encode),
            Arbitraries.oneOf(
                Arbitraries.chars().ascii(),
                Arbitraries.of('\u00e9', '\u0000', '\ud800', '"', '{')));
    return Arbitraries.oneOf(mutated, Arbitraries.strings().ofMaxLength(60));
  }

  /** JSON values of every type, objects with the format's field names most of the time. */
  @Provide
  Arbitrary<JsonNode> jsonTree() {
    return tree(3);
  }

  private static Arbitrary<JsonNode> tree(int depth) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    Arbitrary<JsonNode> leaf =
        Arbitraries.oneOf(
            text().map(f::textNode),
            time().map(t -> (JsonNode) f.textNode(t.toString())),
            Arbitraries.longs().map(f::numberNode),
            Arbitraries.doubles().map(f::numberNode),
            Arbitraries.of(true, false).map(f::booleanNode),
            Arbitraries.just(f.nullNode()));
    if (depth == 0) {
      return leaf;
    }
    Arbitrary<String> names =
        Arbitraries.oneOf(
            Arbitraries.of(
                "id",
                "text",
                "hash",
                "user_id",
                "metadata",
                "categories",
                "type",
                "role",
                "created_at",
                "updated_at",
                "provenance",
                "embedding_model",
                "vector",
                "source",
                "message_ids",
                "model",
                "dimension",
                "data",
                "memory_id",
                "event",
                "actor",
                "at",
                "content",
                "received_at",
                "status",
                "request",
                "messages",
                "counts",
                "checksums",
                "format",
                "version",
                "tenant",
                "region",
                "exported_at",
                "vectors"),
            Arbitraries.strings().alpha().ofMaxLength(5));
    Arbitrary<JsonNode> object =
        Arbitraries.maps(names, tree(depth - 1))
            .ofMaxSize(12)
            .map(
                m -> {
                  ObjectNode o = f.objectNode();
                  m.forEach(o::set);
                  return o;
                });
    Arbitrary<JsonNode> array =
        tree(depth - 1).list().ofMaxSize(3).map(l -> (JsonNode) f.arrayNode().addAll(l));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(2, leaf),
        net.jqwik.api.Tuple.of(5, object),
        net.jqwik.api.Tuple.of(1, array));
  }

  @Provide
  Arbitrary<String> kinds() {
    return Arbitraries.of(
        "header", "memory", "history", "message", "event", "conversation", "end", "other");
  }

  @Provide
  Arbitrary<Integer> fieldChoice() {
    return Arbitraries.integers().between(0, 100);
  }

  @Provide
  Arbitrary<JsonNode> breakers() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return Arbitraries.of(
        f.numberNode(3.5),
        f.booleanNode(true),
        f.arrayNode().add(1),
        f.objectNode().put("x", 1),
        f.textNode("not a time \u0000"),
        f.numberNode(-1));
  }

  private static Arbitrary<String> text() {
    return Arbitraries.strings()
        .ofMinLength(0)
        .ofMaxLength(40)
        .filter(s -> s.indexOf('\u0000') < 0);
  }

  private static Arbitrary<String> id() {
    return Arbitraries.strings().alpha().numeric().withChars('-').ofMinLength(1).ofMaxLength(36);
  }

  private static Arbitrary<Instant> time() {
    return Arbitraries.longs()
        .between(0, 4_102_444_800L)
        .flatMap(
            s ->
                Arbitraries.integers()
                    .between(0, 999_999_999)
                    .map(n -> Instant.ofEpochSecond(s, n)));
  }

  private static Arbitrary<Scope> scope() {
    Arbitrary<String> part = id().injectNull(0.4);
    return Combinators.combine(part, part, part).as(Scope::of);
  }

  private static Arbitrary<Map<String, Object>> metadata() {
    Arbitrary<Object> value =
        Arbitraries.oneOf(
            text().map(s -> (Object) s),
            Arbitraries.longs().map(l -> (Object) l),
            Arbitraries.of(true, false).map(b -> (Object) b),
            Arbitraries.doubles().between(-1e6, 1e6).map(d -> (Object) d),
            text().list().ofMaxSize(3).map(l -> (Object) l));
    return Arbitraries.maps(
            Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8).map(k -> "k" + k), value)
        .ofMaxSize(4)
        .map(LinkedHashMap::new);
  }

  private static Arbitrary<float[]> vector() {
    return Arbitraries.floats()
        .between(-1, 1)
        .list()
        .ofMinSize(1)
        .ofMaxSize(8)
        .map(
            l -> {
              float[] v = new float[l.size()];
              for (int i = 0; i < v.length; i++) {
                v[i] = l.get(i);
              }
              return v;
            });
  }

  @Provide
  Arbitrary<ExportRecord> records() {
    return Arbitraries.oneOf(
        memories(), history(), messages(), events(), conversations(), headers());
  }

  private static Arbitrary<ExportRecord> memories() {
    Arbitrary<Memory> memory =
        Combinators.combine(
                id(),
                text(),
                scope(),
                metadata(),
                text().list().ofMaxSize(3),
                time(),
                time(),
                time().injectNull(0.5))
            .as(
                (id, text, scope, meta, categories, created, updated, validTo) ->
                    new Memory(
                        id,
                        text,
                        "sha:" + text.hashCode(),
                        scope,
                        meta,
                        categories,
                        validTo == null ? Role.USER : null,
                        validTo == null ? "alice" : null,
                        created,
                        updated,
                        validTo,
                        validTo,
                        validTo,
                        new Memory.Provenance(
                            Memory.Provenance.INFERRED, List.of("msg-" + id, "msg-2")),
                        "model-x",
                        validTo == null ? MemoryType.EPISODIC : MemoryType.SEMANTIC));
    return Combinators.combine(memory, vector(), text(), Arbitraries.of(true, false))
        .as(
            (m, v, ctx, withVector) ->
                new ExportRecord.MemoryLine(new StoredMemory(m, v, ctx), withVector));
  }

  private static Arbitrary<ExportRecord> history() {
    return Combinators.combine(
            id(),
            id(),
            Arbitraries.of(EventType.class),
            text().injectNull(0.3),
            text(),
            time(),
            text().injectNull(0.5))
        .as(
            (id, memory, event, old, now, at, reason) ->
                new ExportRecord.HistoryLine(
                    new HistoryEntry(id, memory, event, old, now, "api", at, reason)));
  }

  private static Arbitrary<ExportRecord> messages() {
    return Combinators.combine(
            id(), scope(), Arbitraries.of(Role.class), text().injectNull(0.5), text(), time())
        .as(
            (id, scope, role, name, content, at) ->
                new ExportRecord.MessageLine(
                    new StoredMessage(id, scope, role, name, content, at)));
  }

  private static Arbitrary<ExportRecord> events() {
    return Combinators.combine(
            id(),
            id().injectNull(0.5),
            Arbitraries.of(EventStatus.class),
            text(),
            text().injectNull(0.5),
            time(),
            time())
        .as(
            (id, key, status, request, result, created, updated) ->
                new ExportRecord.EventLine(
                    new StoredEvent(id, key, status, request, result, created, updated)));
  }

  private static Arbitrary<ExportRecord> conversations() {
    Arbitrary<ConversationMessage> message =
        Combinators.combine(Arbitraries.of(Role.class), text()).as(ConversationMessage::of);
    return Combinators.combine(id(), message.list().ofMaxSize(4))
        .as(ExportRecord.ConversationLine::new);
  }

  private static Arbitrary<ExportRecord> headers() {
    return Combinators.combine(id(), time(), Arbitraries.of(true, false))
        .as(
            (tenant, at, vectors) ->
                new ExportRecord.Header(
                    ExportFormat.NAME,
                    ExportFormat.VERSION,
                    tenant,
                    "local",
                    "model-x",
                    at,
                    vectors));
  }
}
