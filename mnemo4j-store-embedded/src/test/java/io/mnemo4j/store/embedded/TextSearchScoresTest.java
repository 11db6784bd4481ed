package io.mnemo4j.store.embedded;

import static io.mnemo4j.testing.TestMemories.id;
import static io.mnemo4j.testing.TestMemories.memory;
import static io.mnemo4j.testing.TestMemories.puts;
import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.Scope;
import io.mnemo4j.TenantId;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ranked text search reads its hits' ids from doc values and scores them by document: across
 * several segments, with deletions and replaced memories, every hit must carry the memory's own id
 * and the score {@link TenantStore#textScores} gives that memory, bit for bit.
 */
class TextSearchScoresTest {
  private static final List<String> WORDS =
      List.of("coffee", "train", "paris", "chess", "garden", "violin", "river", "bakery", "tea");
  private static final FilterExpr ALL = new FilterExpr.All();

  @TempDir Path dir;

  @Test
  void rankedHits_acrossSegmentsWithDeletions_haveTheirOwnIdAndTheScoreTextScoresGives() {
    try (EmbeddedStore store = EmbeddedStore.open(dir.resolve("eu"));
        TenantStore ts = store.open(TenantId.of("acme"))) {
      Random random = new Random(3);
      List<String> texts = new ArrayList<>();
      int n = 0;
      for (int segment = 0; segment < 4; segment++) {
        List<StoredMemory> batch = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          String text = sentence(random) + " m" + n;
          texts.add(text);
          batch.add(memory(id(n++), text, Scope.user(i % 2 == 0 ? "alice" : "bob")));
        }
        ts.write(puts(batch));
        // Removals and a replaced text leave deleted documents behind in earlier segments.
        ts.write(new WriteBatch(List.of(new Change.Remove(id(n - 40))), List.of(), List.of()));
        String replaced = sentence(random) + " replaced";
        texts.set(n - 39, replaced);
        ts.write(puts(memory(id(n - 39), replaced, Scope.user("bob"))));
        ts.count(new ScopeFilter.Everything(), ALL); // refresh: one more segment
      }
      for (String query :
          List.of("coffee train", "paris violin river", "tea", "garden bakery m7")) {
        List<ScoredId> hits = ts.textSearch(query, new ScopeFilter.Everything(), ALL, 60);
        assertThat(hits).as(query).isNotEmpty();
        for (ScoredId hit : hits) {
          String text = ts.get(hit.id()).orElseThrow().memory().text();
          assertThat(text.split(" ")).as("hit %s", hit.id()).containsAnyOf(query.split(" "));
        }
        List<ScoredId> rescored =
            new ArrayList<>(ts.textScores(query, hits.stream().map(ScoredId::id).toList()));
        rescored.sort(
            Comparator.comparingDouble(ScoredId::score).reversed().thenComparing(ScoredId::id));
        assertThat(hits).as(query).isEqualTo(rescored);
      }
    }
  }

  /**
   * Lucene may skip documents that cannot enter the top k (nothing reads the total hit count): the
   * hits must still be the k best of all matching memories, in and out of a scope filter.
   */
  @Test
  void rankedHits_ofManyMatches_areTheBestScoresOfAllMatchingMemories() {
    try (EmbeddedStore store = EmbeddedStore.open(dir.resolve("eu"));
        TenantStore ts = store.open(TenantId.of("acme"))) {
      Random random = new Random(11);
      List<StoredMemory> batch = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      List<String> alice = new ArrayList<>();
      for (int n = 0; n < 3000; n++) {
        // Word i is drawn with weight 1/(i+1): a few words match most memories, others few.
        StringBuilder text = new StringBuilder();
        int words = 2 + random.nextInt(10);
        for (int w = 0; w < words; w++) {
          text.append(w == 0 ? "" : " ").append("w").append(zipf(random, 60));
        }
        boolean isAlice = random.nextInt(3) == 0;
        batch.add(memory(id(n), text.toString(), Scope.user(isAlice ? "alice" : "bob")));
        ids.add(id(n));
        if (isAlice) {
          alice.add(id(n));
        }
      }
      ts.write(puts(batch));
      ScopeFilter alicesScope = new ScopeFilter.Exact(Scope.user("alice"));
      for (String query : List.of("w0", "w0 w1", "w0 w1 w2 w17", "w3 w40 w59", "w1 w55")) {
        for (int k : List.of(1, 10, 50)) {
          assertTopScores(ts, query, k, new ScopeFilter.Everything(), ids);
          assertTopScores(ts, query, k, alicesScope, alice);
        }
      }
    }
  }

  /**
   * A scope holding every live indexed memory needs no filter clause: the text search must still
   * leave out another scope's memories, whether they are written but not yet indexed, indexed by a
   * refresh, or removed again (a deleted document stays in its segment until a merge).
   */
  @Test
  void scopeHoldingEveryIndexedMemory_stillLeavesOutAnotherScopesMemories() {
    try (EmbeddedStore store = EmbeddedStore.open(dir.resolve("eu"));
        TenantStore ts = store.open(TenantId.of("acme"))) {
      List<StoredMemory> batch = new ArrayList<>();
      List<String> alice = new ArrayList<>();
      for (int n = 0; n < 30; n++) {
        batch.add(memory(id(n), "coffee with a friend number " + n, Scope.user("alice")));
        alice.add(id(n));
      }
      ts.write(puts(batch));
      ts.count(new ScopeFilter.Everything(), ALL); // refresh: alice holds every indexed memory
      ScopeFilter alicesScope = new ScopeFilter.Exact(Scope.user("alice"));
      assertThat(ids(ts.textSearch("coffee", alicesScope, ALL, 100)))
          .containsExactlyInAnyOrderElementsOf(alice);

      ts.write(puts(memory(id(100), "coffee coffee coffee for bob", Scope.user("bob"))));
      assertThat(ids(ts.textSearch("coffee", alicesScope, ALL, 100)))
          .as("bob's memory pending")
          .containsExactlyInAnyOrderElementsOf(alice);
      ts.count(new ScopeFilter.Everything(), ALL); // refresh: bob's memory is indexed
      assertThat(ids(ts.textSearch("coffee", alicesScope, ALL, 100)))
          .as("bob's memory indexed")
          .containsExactlyInAnyOrderElementsOf(alice);
      assertThat(ids(ts.textSearch("coffee", alicesScope, ALL, 5)))
          .as("top 5")
          .doesNotContain(id(100))
          .hasSize(5);
      assertThat(ids(ts.textSearch("coffee", new ScopeFilter.Exact(Scope.user("bob")), ALL, 100)))
          .containsExactly(id(100));

      ts.write(new WriteBatch(List.of(new Change.Remove(id(100))), List.of(), List.of()));
      ts.count(new ScopeFilter.Everything(), ALL); // bob's document is deleted, still in a segment
      assertThat(ids(ts.textSearch("coffee", alicesScope, ALL, 100)))
          .as("bob's memory removed")
          .containsExactlyInAnyOrderElementsOf(alice);
      assertThat(ids(ts.textSearch("coffee", new ScopeFilter.Everything(), ALL, 100)))
          .containsExactlyInAnyOrderElementsOf(alice);
      assertThat(ts.textSearch("coffee", new ScopeFilter.Exact(Scope.user("bob")), ALL, 100))
          .isEmpty();
    }
  }

  private static List<String> ids(List<ScoredId> hits) {
    return hits.stream().map(ScoredId::id).toList();
  }

  private static void assertTopScores(
      TenantStore ts, String query, int k, ScopeFilter scope, List<String> candidates) {
    List<ScoredId> hits = ts.textSearch(query, scope, ALL, k);
    List<Double> best =
        ts.textScores(query, candidates).stream()
            .map(ScoredId::score)
            .filter(score -> score > 0)
            .sorted(Comparator.reverseOrder())
            .limit(k)
            .toList();
    assertThat(hits.stream().map(ScoredId::score).toList())
        .as("%s, k=%d, %s", query, k, scope)
        .isEqualTo(best);
    assertThat(candidates).containsAll(hits.stream().map(ScoredId::id).toList());
  }

  private static int zipf(Random random, int words) {
    double total = 0;
    for (int i = 0; i < words; i++) {
      total += 1.0 / (i + 1);
    }
    double pick = random.nextDouble() * total;
    for (int i = 0; i < words; i++) {
      pick -= 1.0 / (i + 1);
      if (pick <= 0) {
        return i;
      }
    }
    return words - 1;
  }

  private static String sentence(Random random) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      out.append(i == 0 ? "" : " ").append(WORDS.get(random.nextInt(WORDS.size())));
    }
    return out.toString();
  }
}
