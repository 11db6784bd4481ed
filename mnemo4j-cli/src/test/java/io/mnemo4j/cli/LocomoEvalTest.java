package io.mnemo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo4j.Memory;
import io.mnemo4j.Mnemo;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Selection;
import io.mnemo4j.cli.CliTestSupport.Result;
import io.mnemo4j.store.embedded.EmbeddedBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code mnemo eval locomo} on a tiny synthetic file in LoCoMo's format, searched in text (BM25)
 * mode so the expected numbers can be worked out by hand: each question shares exactly one rare
 * word with its evidence turns.
 */
class LocomoEvalTest {
  @TempDir Path dir;

  /**
   * Conversation "Conv-A 1": 6 turns, one of them ("Alice: Take care, bye!") an exact duplicate, so
   * 5 memories. Conversation "conv-b": 2 turns reusing conversation A's words, to prove questions
   * only see their own user.
   *
   * <pre>
   * question          cat evidence (raw)        valid evidence  R@1  R@5  H@1  H@5
   * xylophone?         4  D1:2                  D1:2            1    1    1    1
   * quokka marathon?   1  "D1:2; D2:3"          D1:2 D2:3       .5   1    1    1
   * carrots?           2  D:2:1                 D2:1            1    1    1    1
   * bye?               2  D2:02                 D2:2 (= D1:3)   1    1    1    1
   * zebra?             4  D1:1, D2:1            D1:1 D2:1       .5   1    1    1
   * unicorn?           3  D9:9, D               none: skipped
   * violins?           4  D1:1                  D1:1            0    0    0    0
   * xylophone?         5  D1:2                  (apart)         1    1    1    1
   * B: xylophone?      4  D1:1                  D1:1            1    1    1    1
   * B: marathon?       1  D1:2                  D1:2            1    1    1    1
   * </pre>
   *
   * Overall (categories 1-4, 8 questions): R@1 6/8, R@5 7/8, H@1 7/8, H@5 7/8.
   */
  static final String DATA =
      """
      [
        {"sample_id": "Conv-A 1",
         "conversation": {
           "speaker_a": "Alice", "speaker_b": "Bob",
           "session_1_date_time": "1:00 pm on 1 May, 2023",
           "session_1": [
             {"speaker": "Alice", "dia_id": "D1:1", "text": "I adopted a zebra last week."},
             {"speaker": "Bob", "dia_id": "D1:2", "text": "I am learning the xylophone now.",
              "blip_caption": "a photo of a quokka", "img_url": ["http://example.invalid/q.jpg"]},
             {"speaker": "Alice", "dia_id": "D1:3", "text": "Take care, bye!"}
           ],
           "session_2_date_time": "2:00 pm on 8 May, 2023",
           "session_2": [
             {"speaker": "Alice", "dia_id": "D2:1", "text": "My zebra loves carrots."},
             {"speaker": "Alice", "dia_id": "D2:2", "text": "Take care, bye!"},
             {"speaker": "Bob", "dia_id": "D2:3", "text": "The marathon in Paris was exhausting."}
           ]
         },
         "qa": [
           {"question": "xylophone?", "answer": "x", "evidence": ["D1:2"], "category": 4},
           {"question": "quokka marathon?", "answer": "x", "evidence": ["D1:2; D2:3"], "category": 1},
           {"question": "carrots?", "answer": "x", "evidence": ["D:2:1"], "category": 2},
           {"question": "bye?", "answer": "x", "evidence": ["D2:02"], "category": 2},
           {"question": "zebra?", "answer": "x", "evidence": ["D1:1", "D2:1"], "category": 4},
           {"question": "unicorn?", "answer": "x", "evidence": ["D9:9", "D"], "category": 3},
           {"question": "violins?", "answer": "x", "evidence": ["D1:1"], "category": 4},
           {"question": "xylophone?", "adversarial_answer": "x", "evidence": ["D1:2"], "category": 5}
         ]},
        {"sample_id": "conv-b",
         "conversation": {
           "speaker_a": "Carol", "speaker_b": "Dan",
           "session_1_date_time": "9:00 am on 2 June, 2023",
           "session_1": [
             {"speaker": "Carol", "dia_id": "D1:1", "text": "I play the xylophone too."},
             {"speaker": "Dan", "dia_id": "D1:2", "text": "I ran a marathon in Berlin."}
           ]
         },
         "qa": [
           {"question": "xylophone?", "answer": "x", "evidence": ["D1:1"], "category": 4},
           {"question": "marathon?", "answer": "x", "evidence": ["D1:2"], "category": 1}
         ]}
      ]
      """;

  private Path writeData() throws IOException {
    Path file = dir.resolve("locomo-tiny.json");
    Files.writeString(file, DATA);
    return file;
  }

  @ParameterizedTest(name = "perTenant={0}")
  @ValueSource(booleans = {false, true})
  void evalLocomo_textMode_exactRecall(boolean perTenant) throws IOException {
    Path data = writeData();
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "eval",
                "locomo",
                "--data",
                data.toString(),
                "--mode",
                "text",
                "--k",
                "1,5",
                "--json"));
    if (perTenant) {
      args.add("--per-tenant");
    }
    Result r = CliTestSupport.raw("", args.toArray(String[]::new)).ok();
    JsonNode report = r.json();

    assertThat(report.get("questions").asInt()).isEqualTo(8);
    assertThat(report.get("recall").get("1").asDouble()).isEqualTo(0.75);
    assertThat(report.get("recall").get("5").asDouble()).isEqualTo(0.875);
    assertThat(report.get("hit").get("1").asDouble()).isEqualTo(0.875);
    assertThat(report.get("hit").get("5").asDouble()).isEqualTo(0.875);
    assertThat(report.get("recall").has("10")).isFalse();
    assertThat(report.get("skipped_questions").asInt()).isEqualTo(1);
    assertThat(report.get("turns").asInt()).isEqualTo(8);
    assertThat(report.get("memories").asInt()).isEqualTo(7);
    assertThat(report.get("mode").asText()).isEqualTo("text");

    JsonNode cats = report.get("by_category");
    assertThat(cats.get("1").get("questions").asInt()).isEqualTo(2);
    assertThat(cats.get("1").get("recall").get("1").asDouble()).isEqualTo(0.75);
    assertThat(cats.get("1").get("recall").get("5").asDouble()).isEqualTo(1.0);
    assertThat(cats.get("2").get("recall").get("1").asDouble()).isEqualTo(1.0);
    assertThat(cats.get("3").get("questions").asInt()).isZero();
    assertThat(cats.get("4").get("questions").asInt()).isEqualTo(4);
    assertThat(cats.get("4").get("recall").get("1").asDouble()).isEqualTo(0.625);
    assertThat(cats.get("4").get("recall").get("5").asDouble()).isEqualTo(0.75);
    assertThat(cats.get("4").get("hit").get("1").asDouble()).isEqualTo(0.75);
    assertThat(cats.get("5").get("questions").asInt()).isEqualTo(1);
    assertThat(cats.get("5").get("hit").get("1").asDouble()).isEqualTo(1.0);

    assertThat(r.err()).contains("ingest").contains("search");
  }

  @Test
  void evalLocomo_humanTable_andLimitConversations() throws IOException {
    Path data = writeData();
    Result r =
        CliTestSupport.raw(
                "",
                "eval",
                "locomo",
                "--data",
                data.toString(),
                "--mode",
                "text",
                "--limit-conversations",
                "1")
            .ok();
    assertThat(r.out())
        .contains("1 conversations, 6 turns (5 memories)")
        .contains("overall (1-4)")
        .contains("5 adversarial (apart)")
        .contains("R@20");
    String overall = r.out().lines().filter(l -> l.startsWith("overall")).findFirst().orElseThrow();
    assertThat(overall.trim().split("\\s+")).startsWith("overall", "(1-4)", "6");
  }

  private JsonNode evalJson(String... extra) throws IOException {
    return evalOk(extra).json();
  }

  /** A successful text-mode run at k 1 and 5 with JSON output, stderr included. */
  private Result evalOk(String... extra) throws IOException {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "eval",
                "locomo",
                "--data",
                writeData().toString(),
                "--mode",
                "text",
                "--k",
                "1,5",
                "--json"));
    args.addAll(List.of(extra));
    return CliTestSupport.raw("", args.toArray(String[]::new)).ok();
  }

  @Test
  void evalLocomo_splitAndConversations_selectWhichConversationsRun() throws IOException {
    // The tune half is the 1st, 3rd... conversation of the file, confirm the 2nd, 4th...
    JsonNode tune = evalJson("--split", "tune");
    assertThat(tune.get("conversations").asInt()).isEqualTo(1);
    assertThat(tune.get("questions").asInt()).isEqualTo(6);
    JsonNode confirm = evalJson("--split", "confirm");
    assertThat(confirm.get("conversations").asInt()).isEqualTo(1);
    assertThat(confirm.get("questions").asInt()).isEqualTo(2);
    assertThat(confirm.get("recall").get("1").asDouble()).isEqualTo(1.0);
    assertThat(evalJson("--conversations", "conv-b").get("questions").asInt()).isEqualTo(2);
    assertThat(evalJson("--conversations", "conv-b,Conv-A 1").get("questions").asInt())
        .isEqualTo(8);

    Result unknown =
        CliTestSupport.raw(
            "", "eval", "locomo", "--data", writeData().toString(), "--conversations", "conv-z");
    assertThat(unknown.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(unknown.err()).contains("conv-z").contains("(field: conversations)");
    Result none =
        CliTestSupport.raw(
            "",
            "eval",
            "locomo",
            "--data",
            writeData().toString(),
            "--split",
            "confirm",
            "--conversations",
            "Conv-A 1");
    assertThat(none.code()).isEqualTo(MnemoCli.BAD_INPUT);
    Result badSplit =
        CliTestSupport.raw(
            "", "eval", "locomo", "--data", writeData().toString(), "--split", "half");
    assertThat(badSplit.code()).isEqualTo(MnemoCli.BAD_INPUT);
  }

  @Test
  void evalLocomo_storeDir_keepsTheIngest_searchesItAgain_andRefusesAnotherOne()
      throws IOException {
    Path store = dir.resolve("kept");
    JsonNode first = evalJson("--store-dir", store.toString());
    assertThat(store.resolve(EvalCommand.Locomo.MANIFEST)).isRegularFile();

    Result again = evalOk("--store-dir", store.toString());
    assertThat(again.err()).doesNotContain("ingest").contains("search");
    JsonNode second = again.json();
    assertThat(second.get("recall")).isEqualTo(first.get("recall"));
    assertThat(second.get("by_category")).isEqualTo(first.get("by_category"));
    assertThat(second.get("memories")).isEqualTo(first.get("memories"));
    assertThat(second.get("ingest_seconds")).isEqualTo(first.get("ingest_seconds"));

    Result otherTenancy =
        CliTestSupport.raw(
            "",
            "eval",
            "locomo",
            "--data",
            writeData().toString(),
            "--per-tenant",
            "--store-dir",
            store.toString());
    assertThat(otherTenancy.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(otherTenancy.err()).contains("(field: store_dir)");

    Path foreign = dir.resolve("foreign");
    Files.createDirectories(foreign);
    Files.writeString(foreign.resolve("keep-me.txt"), "not an eval store");
    Result refused =
        CliTestSupport.raw(
            "",
            "eval",
            "locomo",
            "--data",
            writeData().toString(),
            "--store-dir",
            foreign.toString());
    assertThat(refused.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(foreign.resolve("keep-me.txt")).hasContent("not an eval store");
  }

  @Test
  void evalLocomo_neighbourWeight_searchesAKeptIngestAgain_andOutOfRangeIsExit2()
      throws IOException {
    Path store = dir.resolve("kept-for-weights");
    JsonNode plain = evalJson("--store-dir", store.toString());
    // The default is the library's weight.
    JsonNode explicitDefault =
        evalJson(
            "--store-dir",
            store.toString(),
            "--neighbour-weight",
            Double.toString(io.mnemo4j.SearchTuning.DEFAULT_NEIGHBOUR_WEIGHT));
    assertThat(explicitDefault.get("recall")).isEqualTo(plain.get("recall"));

    Result off = evalOk("--store-dir", store.toString(), "--neighbour-weight", "0");
    // The weight is a search setting: the kept ingest is searched again, not rebuilt.
    assertThat(off.err()).doesNotContain("ingest").contains("search");
    assertThat(off.json().get("turns")).isEqualTo(plain.get("turns"));
    assertThat(off.json().get("memories")).isEqualTo(plain.get("memories"));

    for (String bad : List.of("-0.1", "1.5", "NaN")) {
      Result r =
          CliTestSupport.raw(
              "", "eval", "locomo", "--data", writeData().toString(), "--neighbour-weight", bad);
      assertThat(r.code()).as(bad).isEqualTo(MnemoCli.BAD_INPUT);
      assertThat(r.err()).as(bad).contains("(field: neighbour_weight)");
    }
  }

  /**
   * Issue 15: each session is replayed at its date, so a memory's {@code created_at} is its
   * conversation's time (UTC), as in a live application, and search can match dates named in
   * questions against it without reading LoCoMo's metadata.
   */
  @Test
  void evalLocomo_storesEachSessionsMemoriesAtTheSessionsDate() throws IOException {
    Path store = dir.resolve("kept-dated");
    evalJson("--store-dir", store.toString());
    try (Mnemo mnemo =
        Mnemo.builder()
            .dataDir(store)
            .embedder(LazyEmbedder.named(MnemoCli.DEFAULT_EMBEDDER))
            .backend(EmbeddedBackend.create())
            .autoCreateTenants(false)
            .build()) {
      Map<String, Instant> createdAt = new HashMap<>();
      for (Memory m :
          mnemo
              .tenant(LocomoEval.SHARED_TENANT)
              .getAll(Selection.everywhere(), PageRequest.first(100))
              .items()) {
        createdAt.put(m.text(), m.createdAt());
      }
      assertThat(createdAt)
          .containsEntry(
              "Alice: I adopted a zebra last week.", Instant.parse("2023-05-01T13:00:00Z"))
          .containsEntry("Alice: My zebra loves carrots.", Instant.parse("2023-05-08T14:00:00Z"))
          .containsEntry("Dan: I ran a marathon in Berlin.", Instant.parse("2023-06-02T09:00:00Z"));
    }
  }

  @Test
  void sessionClock_readsLocomoDatesAsUtc_andReplaysOnlyInsideAt() {
    assertThat(SessionClock.parseSessionDate("1:56 pm on 8 May, 2023"))
        .isEqualTo(Instant.parse("2023-05-08T13:56:00Z"));
    assertThat(SessionClock.parseSessionDate("12:05 AM on 31 December, 2022"))
        .isEqualTo(Instant.parse("2022-12-31T00:05:00Z"));
    assertThat(SessionClock.parseSessionDate("")).isNull();
    assertThat(SessionClock.parseSessionDate("yesterday")).isNull();

    Instant system = Instant.parse("2026-12-06T00:00:00Z");
    SessionClock clock = new SessionClock(Clock.fixed(system, ZoneOffset.UTC));
    Instant session = Instant.parse("2023-05-08T13:56:00Z");
    assertThat(clock.at(session, clock::instant)).isEqualTo(session);
    assertThat(clock.at(session, () -> clock.at(null, clock::instant))).isEqualTo(system);
    assertThat(clock.instant()).isEqualTo(system);
  }

  @Test
  void evalLocomo_missingFile_exit2() {
    Result r =
        CliTestSupport.raw("", "eval", "locomo", "--data", dir.resolve("nope.json").toString());
    assertThat(r.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(r.err()).contains("(field: data)");
  }

  @Test
  void normaliseEvidence_fixesPublishedQuirks_andDropsUnknownIds() {
    Set<String> turns = Set.of("D8:6", "D9:17", "D11:26", "D30:5", "D1:1", "D1:2");
    assertThat(
            LocomoData.normaliseEvidence(
                List.of("D8:6; D9:17", "D:11:26", "D30:05", "D1:1 D1:2", "D1:1,D99:1", "D", ""),
                turns))
        .containsExactly("D8:6", "D9:17", "D11:26", "D30:5", "D1:1", "D1:2");
    assertThat(LocomoData.normaliseDiaId("D01:007")).isEqualTo(Optional.of("D1:7"));
    assertThat(LocomoData.normaliseDiaId("X1:2")).isEmpty();
  }

  @Test
  void tenantIdFor_sanitisesAndKeepsIdsUnique() {
    Set<String> taken = new HashSet<>();
    assertThat(LocomoIngest.tenantIdFor("Conv-A 1", taken)).isEqualTo("conv-a-1");
    assertThat(LocomoIngest.tenantIdFor("conv a 1", taken)).isEqualTo("conv-a-1-2");
    assertThat(LocomoIngest.tenantIdFor("__x", taken)).isEqualTo("x");
    assertThat(LocomoIngest.tenantIdFor("!!!", taken)).isEqualTo("conv");
    assertThat(LocomoIngest.tenantIdFor("a".repeat(80), taken)).hasSize(63);
  }
}
