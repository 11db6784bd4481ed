package io.mnemo4j.store.embedded;

import static io.mnemo4j.testing.TestMemories.id;
import static io.mnemo4j.testing.TestMemories.memory;
import static io.mnemo4j.testing.TestMemories.puts;
import static io.mnemo4j.testing.TestMemories.withModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mnemo4j.Scope;
import io.mnemo4j.TenantId;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.DuplicateCandidates;
import io.mnemo4j.spi.DuplicateProbe;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.testing.TestEmbeddings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vector searches whose filter matches at most {@link IndexReads#EXACT_SCAN_LIMIT} indexed memories
 * read their vectors instead of the graph: the answer must be the exact one, also for a small scope
 * inside a large tenant and with memories of another model in the scope; above the limit the graph
 * answers. Near-duplicate candidates of several probes at once must equal one search per probe on
 * both paths.
 */
class ExactVectorScanTest {
  private static final String OTHER_MODEL = "other-model";
  private static final Scope ALICE = Scope.user("alice");
  private static final Scope BOB = Scope.user("bob");
  private static final FilterExpr ALL = new FilterExpr.All();

  @TempDir Path dir;
  private EmbeddedStore store;
  private TenantStore ts;

  /** Every memory of the default model written, by id. */
  private final Map<String, StoredMemory> written = new HashMap<>();

  @BeforeEach
  void open() {
    store = EmbeddedStore.open(dir.resolve("eu"));
    ts = store.open(TenantId.of("acme"));
    // Bob's scope is above the limit, Alice's far below. Alice's memories come in pairs, and the
    // first of every fifth pair is of another model: the scan meets a wanted document without a
    // vector of the searched field right before a wanted one with it.
    Random random = new Random(5);
    List<StoredMemory> batch = new ArrayList<>();
    int bob = IndexReads.EXACT_SCAN_LIMIT + 200;
    for (int n = 0; n < bob + 300; n++) {
      boolean alice = n % 9 <= 1 && n / 9 < 150;
      StoredMemory m = memory(id(n), "text " + n, alice ? ALICE : BOB);
      if (alice && n % 45 == 0) {
        batch.add(withModel(m, OTHER_MODEL, TestEmbeddings.random(random)));
        continue;
      }
      StoredMemory v = new StoredMemory(m.memory(), TestEmbeddings.random(random));
      batch.add(v);
      written.put(v.id(), v);
    }
    ts.write(puts(batch));
    ts.count(new ScopeFilter.Everything(), ALL); // index everything: no overlay left
    assertThat(TestSecrets.pendingChanges(ts)).isZero();
  }

  @AfterEach
  void close() {
    ts.close();
    store.close();
  }

  private List<ScoredId> exact(Scope scope, float[] q, int k) {
    return written.values().stream()
        .filter(m -> m.memory().scope().equals(scope))
        .map(
            m ->
                new ScoredId(
                    m.id(),
                    2.0 * VectorSimilarityFunction.DOT_PRODUCT.compare(q, m.embedding()) - 1.0))
        .sorted(Comparator.comparingDouble(ScoredId::score).reversed())
        .limit(k)
        .toList();
  }

  @Test
  void smallScopeInALargeTenant_isAnsweredExactly() {
    Random random = new Random(9);
    for (int probe = 0; probe < 20; probe++) {
      float[] q = TestEmbeddings.random(random);
      assertThat(ts.vectorSearch(TestEmbeddings.MODEL, q, new ScopeFilter.Exact(ALICE), ALL, 10))
          .as("probe %d", probe)
          .isEqualTo(exact(ALICE, q, 10));
    }
  }

  @Test
  void duplicateCandidates_equalOneSearchPerProbe_belowAndAboveTheLimit() {
    Random random = new Random(13);
    List<DuplicateProbe> probes = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      probes.add(new DuplicateProbe("no-such-hash-" + i, TestEmbeddings.random(random)));
    }
    for (Scope scope : List.of(ALICE, BOB)) {
      List<DuplicateCandidates> batched =
          ts.duplicateCandidates(scope, TestEmbeddings.MODEL, probes, 5);
      for (int i = 0; i < probes.size(); i++) {
        List<ScoredId> one =
            ts.vectorSearch(
                TestEmbeddings.MODEL, probes.get(i).vector(), new ScopeFilter.Exact(scope), ALL, 5);
        assertThat(batched.get(i).nearest()).as("%s probe %d", scope, i).isEqualTo(one);
        assertThat(batched.get(i).sameHash()).isEmpty();
        if (scope.equals(ALICE)) {
          assertThat(one).isEqualTo(exact(ALICE, probes.get(i).vector(), 5));
        }
      }
    }
  }

  @Test
  void aboveTheLimit_theGraphAnswers_withinTheScope_bestFirst_withTheSimilarityScores() {
    Random random = new Random(17);
    float[] q = TestEmbeddings.random(random);
    List<ScoredId> hits =
        ts.vectorSearch(TestEmbeddings.MODEL, q, new ScopeFilter.Exact(BOB), ALL, 10);
    assertThat(hits).hasSize(10);
    for (ScoredId hit : hits) {
      StoredMemory m = written.get(hit.id());
      assertThat(m.memory().scope()).isEqualTo(BOB);
      // The graph's own dot product sums in another order: equal up to the float's last bits.
      assertThat(hit.score())
          .isCloseTo(
              2.0 * VectorSimilarityFunction.DOT_PRODUCT.compare(q, m.embedding()) - 1.0,
              within(1e-6));
    }
    assertThat(hits).isSortedAccordingTo(Comparator.comparingDouble(ScoredId::score).reversed());
  }
}
