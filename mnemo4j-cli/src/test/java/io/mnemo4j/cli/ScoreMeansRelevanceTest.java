package io.mnemo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, "score means relevance", with the real default model and store. Scores used to be
 * min-max normalised over the result list: the top hit always scored 1 and a lone strong hit 0.4,
 * so an app cutting at {@code score > 0.3}, as Mem0 apps do, lost the right answer, and an
 * unrelated question still got a hit scoring 1. Now a strong match scores high whatever else is
 * stored, an unrelated memory scores low, and a memory's score does not move with the limit.
 */
class ScoreMeansRelevanceTest {
  @TempDir Path dir;
  private CliTestSupport cli;

  @BeforeEach
  void facts() {
    cli = new CliTestSupport(dir);
    cli.run("tenants", "create", "acme").ok();
    // One add per fact, so no fact is indexed with another as its conversation context.
    for (String fact :
        List.of(
            "Our CRM is called Atlas",
            "The office closes at 6 pm on Fridays",
            "Alice prefers tea over coffee",
            "The quarterly report is due on March 3")) {
      cli.run("add", "--tenant", "acme", fact).ok();
    }
  }

  private List<JsonNode> search(String query, String limit) {
    JsonNode out =
        cli.run("--json", "search", "--tenant", "acme", "--limit", limit, query).ok().json();
    List<JsonNode> hits = new ArrayList<>();
    out.get("results").forEach(hits::add);
    return hits;
  }

  @Test
  void search_loneStrongMatch_scoresHigh_andTheOthersLow() {
    List<JsonNode> hits = search("what CRM do we use?", "10");

    assertThat(hits.get(0).get("memory").asText()).isEqualTo("Our CRM is called Atlas");
    assertThat(hits.get(0).get("score").asDouble()).isGreaterThan(0.5);
    assertThat(hits.subList(1, hits.size()))
        .allSatisfy(h -> assertThat(h.get("score").asDouble()).isLessThan(0.3));
  }

  @Test
  void search_unrelatedQuestion_scoresEveryMemoryLow() {
    assertThat(search("how tall is Mount Everest?", "10"))
        .isNotEmpty()
        .allSatisfy(h -> assertThat(h.get("score").asDouble()).isLessThan(0.15));
  }

  @Test
  void search_sameMemorySameQuery_sameScoreWhateverTheLimit() {
    JsonNode alone = search("what does Alice drink?", "1").get(0);
    JsonNode inList =
        search("what does Alice drink?", "10").stream()
            .filter(h -> h.get("id").equals(alone.get("id")))
            .findFirst()
            .orElseThrow();
    assertThat(alone.get("memory").asText()).isEqualTo("Alice prefers tea over coffee");
    assertThat(inList.get("score").asDouble()).isEqualTo(alone.get("score").asDouble());
    assertThat(inList.get("similarity").asDouble()).isEqualTo(alone.get("similarity").asDouble());
  }
}
