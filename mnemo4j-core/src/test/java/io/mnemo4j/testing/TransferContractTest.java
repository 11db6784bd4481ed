package io.mnemo4j.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mnemo4j.AddOptions;
import io.mnemo4j.ConflictException;
import io.mnemo4j.ConversationMessage;
import io.mnemo4j.Hit;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.MemoryEvent;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.MoveReceipt;
import io.mnemo4j.NotFoundException;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.spi.Backend;
import io.mnemo4j.transfer.ExportOptions;
import io.mnemo4j.transfer.ImportOptions;
import io.mnemo4j.transfer.TransferProgress;
import io.mnemo4j.transfer.TransferReceipt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export and import through every backend: what a store reads back for export (whole history,
 * messages, operation records, conversation windows, in pages) and what it writes on import (ids
 * and times preserved) must give an exact round trip. A backend's test extends this class and says
 * only how to make its {@link Backend}, with regions {@code local} and {@code eu}.
 */
public abstract class TransferContractTest {
  /** A data directory per test. */
  @TempDir protected Path dataDir;

  /** A directory for export files. */
  @TempDir protected Path files;

  /** The clock the instance uses; tests move it by hand. */
  protected final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  /** The instance under test. */
  protected Mnemo mnemo;

  /** The backend under test, fresh for each call. */
  protected abstract Backend backend();

  @BeforeEach
  void openMnemo() {
    mnemo = open(new HashingEmbedder());
  }

  @AfterEach
  void closeMnemo() {
    mnemo.close();
  }

  private Mnemo open(HashingEmbedder embedder) {
    return Mnemo.builder()
        .dataDir(dataDir)
        .clock(clock)
        .embedder(embedder)
        .backend(backend())
        .nearDuplicateThreshold(0.95)
        .regions("eu")
        .build();
  }

  /** Fills a tenant with one record of every kind the format holds, and enough to need pages. */
  private void fill(TenantMemory t) {
    for (int part = 0; part < 2; part++) {
      List<Message> many = new ArrayList<>();
      for (int i = part * 260; i < (part + 1) * 260; i++) {
        many.add(Message.user("fact number " + i + " about project " + (i % 37)));
      }
      t.add(many, Scope.user("alice"));
    }
    clock.advance(java.time.Duration.ofSeconds(1));
    List<MemoryEvent> added =
        t.add(
            List.of(
                Message.user("Our CRM is called Atlas"), Message.assistant("Noted, Atlas it is")),
            Scope.tenantWide(),
            AddOptions.none()
                .withMetadata(Map.of("team", "sales", "level", 3, "nested", Map.of("b", 1, "a", 2)))
                .withCategories(List.of("tools", "crm"))
                .withExpiry(Instant.parse("2030-01-01T00:00:00Z"))
                .withIdempotencyKey("key-1"));
    clock.advance(java.time.Duration.ofSeconds(1));
    String id = ((MemoryEvent.Added) added.get(0)).id();
    t.update(id, "Our CRM is called Atlas Pro");
    clock.advance(java.time.Duration.ofSeconds(1));
    List<MemoryEvent> gone =
        t.add(List.of(Message.user("I drink green tea")), new Scope("bob", "helper", "run-1"));
    t.delete(((MemoryEvent.Added) gone.get(0)).id());
    t.replaceConversation(
        "chat-1",
        List.of(
            ConversationMessage.of(Role.USER, "hello"),
            new ConversationMessage(Role.ASSISTANT, "hi", "json", "{\"x\":1}")));
  }

  private TransferReceipt export(String tenant, Path file, boolean vectors) throws IOException {
    try (var out = Files.newOutputStream(file)) {
      return mnemo
          .admin()
          .exportTenant(tenant, out, new ExportOptions(vectors, TransferProgress.NONE));
    }
  }

  /** The lines of a file but its header, which names the tenant, region and time. */
  private static List<String> records(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines.get(0)).contains("\"kind\":\"header\"");
    return lines.subList(1, lines.size());
  }

  private static List<String> hitIds(TenantMemory t, String query) {
    return t.search(query, Search.everywhere().limit(10)).stream()
        .map(Hit::memory)
        .map(m -> m.id() + "@" + m.text())
        .toList();
  }

  @Test
  void importTenant_ofAnExport_exportsTheSameRecordsAndSearchesTheSame() throws IOException {
    TenantMemory source = mnemo.tenant("source");
    fill(source);
    Path first = files.resolve("first.jsonl");
    TransferReceipt out = export("source", first, true);
    assertThat(out.count("memory")).isGreaterThan(520);
    assertThat(out.count("history")).isGreaterThan(520 + 3);
    assertThat(out.count("message")).isGreaterThan(520 + 2);
    assertThat(out.count("event")).isPositive();
    assertThat(out.count("conversation")).isEqualTo(1);

    TransferReceipt in =
        mnemo.admin().importTenant("copy", first, new ImportOptions("eu", TransferProgress.NONE));
    assertThat(in.region()).isEqualTo("eu");
    assertThat(in.embedded()).isZero();
    assertThat(in.counts()).isEqualTo(out.counts());
    assertThat(mnemo.admin().findTenant("copy").orElseThrow().region()).isEqualTo("eu");

    Path second = files.resolve("second.jsonl");
    TransferReceipt again = export("copy", second, true);
    assertThat(records(second)).isEqualTo(records(first));
    assertThat(again.checksums()).isEqualTo(out.checksums());

    TenantMemory copy = mnemo.tenant("copy");
    for (String q : List.of("what CRM do we use", "fact number 7", "project 12", "green tea")) {
      assertThat(hitIds(copy, q)).as(q).isEqualTo(hitIds(source, q));
    }
    // The idempotency key still answers the retried add instead of adding again.
    copy.add(
        List.of(Message.user("Our CRM is called Atlas"), Message.assistant("Noted, Atlas it is")),
        Scope.tenantWide(),
        AddOptions.none()
            .withMetadata(Map.of("team", "sales", "level", 3, "nested", Map.of("b", 1, "a", 2)))
            .withCategories(List.of("tools", "crm"))
            .withExpiry(Instant.parse("2030-01-01T00:00:00Z"))
            .withIdempotencyKey("key-1"));
    assertThat(copy.count(Selection.everywhere())).isEqualTo(source.count(Selection.everywhere()));
    assertThat(copy.conversation("chat-1")).isEqualTo(source.conversation("chat-1"));
  }

  @Test
  void moveTenant_copiesVerifiesSwitchesAndPurges_keepingEveryRecordAndSearch() throws IOException {
    TenantMemory acme = mnemo.tenant("acme");
    fill(acme);
    Path before = files.resolve("before.jsonl");
    TransferReceipt exported = export("acme", before, true);
    List<String> queries = List.of("what CRM do we use", "fact number 7", "green tea");
    List<List<String>> hitsBefore = queries.stream().map(q -> hitIds(acme, q)).toList();
    long live = acme.count(Selection.everywhere());

    MoveReceipt r = mnemo.admin().moveTenant("acme", "eu");

    assertThat(r.outcome()).isEqualTo("moved");
    assertThat(r.from().region()).isEqualTo("local");
    assertThat(r.to().region()).isEqualTo("eu");
    assertThat(r.from().counts()).isEqualTo(exported.counts());
    assertThat(r.to().counts()).isEqualTo(exported.counts());
    assertThat(r.to().checksums()).isEqualTo(exported.checksums());
    assertThat(r.from().checksums()).isEqualTo(r.to().checksums());
    assertThat(mnemo.admin().findTenant("acme").orElseThrow().region()).isEqualTo("eu");
    assertThat(mnemo.admin().pendingMove("acme")).isEmpty();
    Path after = files.resolve("after.jsonl");
    export("acme", after, true);
    assertThat(records(after)).isEqualTo(records(before));
    TenantMemory moved = mnemo.tenant("acme");
    assertThat(queries.stream().map(q -> hitIds(moved, q)).toList()).isEqualTo(hitsBefore);
    // Writes are open again, and land in the new region.
    moved.add(List.of(Message.user("We moved to the eu region")), Scope.user("alice"));
    assertThat(moved.count(Selection.everywhere())).isEqualTo(live + 1);

    // And back: the old namespace was purged, so nothing of it leaks into the return trip.
    MoveReceipt back = mnemo.admin().moveTenant("acme", "local");
    assertThat(back.to().count("memory")).isEqualTo(exported.count("memory") + 1);
    assertThat(mnemo.tenant("acme").count(Selection.everywhere())).isEqualTo(live + 1);
  }

  @Test
  void moveTenant_badRegion_isInvalidNamingRegion_andChangesNothing() {
    mnemo.tenant("acme").add(List.of(Message.user("I like tea")), Scope.user("alice"));

    assertThatThrownBy(() -> mnemo.admin().moveTenant("acme", "mars"))
        .isInstanceOfSatisfying(
            InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("region"))
        .hasMessageContaining("eu")
        .hasMessageContaining("local");
    assertThatThrownBy(() -> mnemo.admin().moveTenant("acme", "local"))
        .isInstanceOfSatisfying(
            InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("region"))
        .hasMessageContaining("already");
    assertThatThrownBy(() -> mnemo.admin().rollbackMove("acme"))
        .isInstanceOf(NotFoundException.class);
    assertThat(mnemo.admin().findTenant("acme").orElseThrow().region()).isEqualTo("local");
    assertThat(mnemo.admin().pendingMove("acme")).isEmpty();
    assertThat(mnemo.tenant("acme").count(Selection.everywhere())).isEqualTo(1);
  }

  @Test
  void importTenant_withoutVectors_embedsAgainAndFindsTheSame() throws IOException {
    TenantMemory source = mnemo.tenant("source");
    fill(source);
    Path file = files.resolve("plain.jsonl");
    TransferReceipt out = export("source", file, false);
    assertThat(Files.readString(file)).doesNotContain("\"vector\"");

    TransferReceipt in = mnemo.admin().importTenant("copy", file, ImportOptions.defaults());
    assertThat(in.embedded()).isEqualTo(out.count("memory"));
    TenantMemory copy = mnemo.tenant("copy");
    assertThat(hitIds(copy, "fact number 7")).isEqualTo(hitIds(source, "fact number 7"));
  }

  /**
   * An import without vectors embeds each turn as ingest embedded it, after the earlier messages of
   * its add: every memory of the copy is as similar to a query as in the source. Embedding the text
   * alone lost a reply's question and changed the copy's search results.
   */
  @Test
  void importTenant_withoutVectors_embedsEachTurnAfterItsAddsEarlierTurns() throws IOException {
    TenantMemory source = mnemo.tenant("source");
    source.add(
        List.of(
            Message.user("Did you go kayaking in the Norwegian fjords?"),
            Message.user("Yes, every single day"),
            Message.user("What did you eat there?"),
            Message.user("Fish, mostly, and brown cheese")),
        Scope.user("alice"));
    clock.advance(java.time.Duration.ofSeconds(1));
    source.add(List.of(Message.user("A note on its own about kayaking")), Scope.user("alice"));
    Path file = files.resolve("turns.jsonl");
    export("source", file, false);

    mnemo.admin().importTenant("copy", file, ImportOptions.defaults());

    String query = "kayaking every single day";
    Search dense = Search.everywhere().mode(Search.Mode.DENSE).limit(10);
    Map<String, Double> before = new java.util.HashMap<>();
    for (Hit h : source.search(query, dense)) {
      before.put(h.memory().id(), h.similarity());
    }
    List<Hit> after = mnemo.tenant("copy").search(query, dense);
    assertThat(before).hasSize(5);
    assertThat(after).hasSize(5);
    for (Hit h : after) {
      assertThat(h.similarity())
          .as(h.memory().text())
          .isCloseTo(before.get(h.memory().id()), within(1e-6));
    }
  }

  @Test
  void importTenant_vectorsOfAnotherModel_areEmbeddedWithThisOne() throws IOException {
    fill(mnemo.tenant("source"));
    Path file = files.resolve("first.jsonl");
    export("source", file, true);
    String other = Files.readString(file).replace("\"test-hashing-256\"", "\"other-model\"");
    assertThat(other).isNotEqualTo(Files.readString(file));
    // The checksums no longer match the altered lines: drop them (the format allows it).
    other = other.replaceAll("\"checksums\":\\{[^}]*}", "\"checksums\":{}");
    Path altered = files.resolve("altered.jsonl");
    Files.writeString(altered, other);

    TransferReceipt in = mnemo.admin().importTenant("copy", altered, ImportOptions.defaults());
    assertThat(in.embedded()).isEqualTo(in.count("memory"));
    assertThat(
            mnemo
                .tenant("copy")
                .getAll(Selection.everywhere(), io.mnemo4j.PageRequest.first(5))
                .items())
        .allSatisfy(m -> assertThat(m.embeddingModel()).isEqualTo(new HashingEmbedder().modelId()));
  }

  @Test
  void importTenant_badLine_namesLineAndFieldAndWritesNothing() throws IOException {
    fill(mnemo.tenant("source"));
    Path file = files.resolve("first.jsonl");
    export("source", file, true);
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.set(
        400,
        lines.get(400).replaceFirst("\"created_at\":\"[^\"]*\"", "\"created_at\":\"yesterday\""));
    Path bad = files.resolve("bad.jsonl");
    Files.write(bad, lines);

    assertThatThrownBy(() -> mnemo.admin().importTenant("copy", bad, ImportOptions.defaults()))
        .isInstanceOfSatisfying(
            InvalidRequestException.class,
            e -> assertThat(e.field()).isEqualTo("lines[401].created_at"))
        .hasMessageStartingWith("line 401: created_at");
    assertThat(mnemo.admin().findTenant("copy")).isEmpty();
  }

  @Test
  void importTenant_fileCutShort_isRefusedAndWritesNothing() throws IOException {
    fill(mnemo.tenant("source"));
    Path file = files.resolve("first.jsonl");
    export("source", file, true);
    List<String> lines = Files.readAllLines(file);
    Path cut = files.resolve("cut.jsonl");
    Files.write(cut, lines.subList(0, lines.size() - 5));

    assertThatThrownBy(() -> mnemo.admin().importTenant("copy", cut, ImportOptions.defaults()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("cut short");
    assertThat(mnemo.admin().findTenant("copy")).isEmpty();
  }

  @Test
  void importTenant_intoATenantHoldingData_isAConflictAndChangesNothing() throws IOException {
    fill(mnemo.tenant("source"));
    Path file = files.resolve("first.jsonl");
    export("source", file, true);
    TenantMemory busy = mnemo.tenant("busy");
    busy.add(List.of(Message.user("keep me")), Scope.user("carol"));

    assertThatThrownBy(() -> mnemo.admin().importTenant("busy", file, ImportOptions.defaults()))
        .isInstanceOf(ConflictException.class);
    assertThat(busy.count(Selection.everywhere())).isEqualTo(1);
  }

  @Test
  void importTenant_intoAnExistingEmptyTenant_keepsItsRegion() throws IOException {
    fill(mnemo.tenant("source"));
    Path file = files.resolve("first.jsonl");
    TransferReceipt out = export("source", file, true);
    mnemo.admin().createTenant("empty", "eu");

    TransferReceipt in = mnemo.admin().importTenant("empty", file, ImportOptions.defaults());
    assertThat(in.region()).isEqualTo("eu");
    assertThat(mnemo.tenant("empty").count(Selection.everywhere()))
        .isEqualTo(mnemo.tenant("source").count(Selection.everywhere()));
    assertThat(in.checksums()).isEqualTo(out.checksums());
  }

  @Test
  void exportTenant_reportsProgressUpToTheMemoryCount() {
    fill(mnemo.tenant("source"));
    List<long[]> seen = new ArrayList<>();
    TransferReceipt out =
        mnemo
            .admin()
            .exportTenant(
                "source",
                new ByteArrayOutputStream(),
                new ExportOptions(
                    false, (phase, done, total) -> seen.add(new long[] {done, total})));
    assertThat(seen).hasSizeGreaterThan(2);
    assertThat(seen.getLast()).containsExactly(out.count("memory"), out.count("memory"));
    assertThat(IntStream.range(1, seen.size()).allMatch(i -> seen.get(i)[0] >= seen.get(i - 1)[0]))
        .isTrue();
  }
}
