package io.mnemo4j.internal.store;

import static io.mnemo4j.testing.TestMemories.memory;
import static io.mnemo4j.testing.TestMemories.puts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.ConflictException;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.PageRequest;
import io.mnemo4j.Scope;
import io.mnemo4j.StoreUnavailableException;
import io.mnemo4j.TenantId;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import io.mnemo4j.testing.InMemoryBackend;
import io.mnemo4j.testing.TestEmbeddings;
import io.mnemo4j.testing.TestMemories;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The checks the core makes once for every store, over the reference store (which checks nothing
 * itself): what a store may now take for granted.
 */
class CheckedTenantStoreTest {
  private static final ScopeFilter EVERYTHING = new ScopeFilter.Everything();
  private static final FilterExpr ALL = new FilterExpr.All();
  private static final Scope ALICE = Scope.user("alice");

  private final TenantStore raw =
      new InMemoryBackend().openRegion("eu", Path.of("unused")).open(TenantId.of("acme"));
  private final CheckedTenantStore checked = new CheckedTenantStore(raw);

  private static Consumer<InvalidRequestException> field(String name) {
    return e -> assertThat(e.field()).isEqualTo(name);
  }

  private static StoredMemory withVector(StoredMemory m, float[] vector) {
    return new StoredMemory(m.memory(), vector);
  }

  @Test
  void searches_kBelowOne_areInvalidRequestsOnK() {
    float[] query = TestEmbeddings.embed("a");
    assertThatThrownBy(() -> checked.vectorSearch(TestEmbeddings.MODEL, query, EVERYTHING, ALL, 0))
        .isInstanceOfSatisfying(InvalidRequestException.class, field("k"));
    assertThatThrownBy(() -> checked.textSearch("a", EVERYTHING, ALL, -1))
        .isInstanceOfSatisfying(InvalidRequestException.class, field("k"))
        .hasMessageContaining("-1");
  }

  @Test
  void vectorSearch_nonFiniteQuery_isInvalidRequestOnQuery() {
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      float[] query = TestEmbeddings.embed("a");
      query[5] = bad;
      assertThatThrownBy(
              () -> checked.vectorSearch(TestEmbeddings.MODEL, query, EVERYTHING, ALL, 3))
          .isInstanceOfSatisfying(InvalidRequestException.class, field("query"))
          .hasMessageContaining("not finite");
    }
  }

  @Test
  void vectorSearch_queryOfAnotherDimension_isRefused_unknownModelReachesTheStore() {
    checked.write(puts(memory("m-1", "a", ALICE)));

    assertThatThrownBy(
            () -> checked.vectorSearch(TestEmbeddings.MODEL, new float[] {1f}, EVERYTHING, ALL, 3))
        .isInstanceOfSatisfying(InvalidRequestException.class, field("query"))
        .hasMessageContaining("has 1 dimensions")
        .hasMessageContaining("has 64 in this tenant");
    assertThat(checked.vectorSearch("other-model", new float[] {1f}, EVERYTHING, ALL, 3)).isEmpty();
  }

  @Test
  void write_vectorOfAnotherDimension_isRefusedBeforeTheStoreSeesIt() {
    checked.write(puts(memory("m-1", "a", ALICE)));
    StoredMemory narrow = withVector(memory("m-2", "b", ALICE), new float[] {1f, 0f});
    StoredMemory fine = memory("m-3", "c", ALICE);

    assertThatThrownBy(() -> checked.write(puts(fine, narrow)))
        .isInstanceOfSatisfying(InvalidRequestException.class, field("embedding"))
        .hasMessageContaining("'" + TestEmbeddings.MODEL + "' has 64 dimensions")
        .hasMessageContaining("memory m-2 has 2");
    assertThat(raw.get("m-3")).isEmpty();
  }

  @Test
  void write_newModelWithTwoDimensionsInOneBatch_isRefused() {
    StoredMemory wide = withVector(memory("m-1", "a", ALICE), new float[] {1f, 0f, 0f});
    StoredMemory narrow = withVector(memory("m-2", "b", ALICE), new float[] {1f, 0f});

    assertThatThrownBy(() -> checked.write(puts(wide, narrow)))
        .isInstanceOfSatisfying(InvalidRequestException.class, field("embedding"))
        .hasMessageContaining("has 3 dimensions");
    assertThat(raw.count(EVERYTHING, ALL)).isZero();
    assertThat(checked.dimensions()).isEmpty();
  }

  /**
   * A write the store refuses (here for a reused idempotency key) must not teach the wrapper the
   * dimension of the model it would have introduced: the next, valid write of that model with
   * another dimension is the first one that counts.
   */
  @Test
  void write_refusedByTheStore_teachesNoDimension() {
    StoredEvent first =
        new StoredEvent(
            "e-1", "key", EventStatus.PENDING, "{}", null, TestMemories.T0, TestMemories.T0);
    checked.write(WriteBatch.ofEvents(List.of(first)));
    StoredEvent thief =
        new StoredEvent(
            "e-2", "key", EventStatus.PENDING, "{}", null, TestMemories.T0, TestMemories.T0);
    StoredMemory narrow = withVector(memory("m-1", "a", ALICE), new float[] {1f, 0f});

    assertThatThrownBy(
            () ->
                checked.write(
                    new WriteBatch(
                        List.of(new Change.Put(narrow)), List.of(), List.of(), List.of(thief))))
        .isInstanceOf(ConflictException.class);
    assertThat(checked.dimensions()).isEmpty();

    checked.write(puts(memory("m-2", "b", ALICE)));
    assertThat(checked.dimensions()).isEqualTo(Map.of(TestEmbeddings.MODEL, 64));
  }

  @Test
  void dimensions_areTheStoresAtWrapTime_thenWhatWasWrittenThroughTheWrapper() {
    raw.write(puts(memory("m-1", "a", ALICE)));
    CheckedTenantStore late = new CheckedTenantStore(raw);
    assertThat(late.dimensions()).isEqualTo(Map.of(TestEmbeddings.MODEL, 64));

    late.write(puts(inModel(memory("m-2", "b", ALICE).memory(), "other-model", 2)));
    assertThat(late.dimensions()).isEqualTo(Map.of(TestEmbeddings.MODEL, 64, "other-model", 2));
  }

  private static StoredMemory inModel(io.mnemo4j.Memory m, String model, int dimension) {
    float[] v = new float[dimension];
    v[0] = 1f;
    return new StoredMemory(m.withText(m.text(), m.hash(), m.metadata(), m.updatedAt(), model), v);
  }

  @Test
  void events_limitBelowOne_isInvalidRequestOnLimit() {
    assertThatThrownBy(() -> checked.events(Set.of(EventStatus.PENDING), 0))
        .isInstanceOfSatisfying(InvalidRequestException.class, field("limit"));
  }

  @Test
  void conversations_badId_isInvalidRequestOnConversationId() {
    assertThatThrownBy(() -> checked.conversation(" "))
        .isInstanceOfSatisfying(InvalidRequestException.class, field("conversation_id"));
    assertThatThrownBy(() -> checked.replaceConversation("a\u0000b", List.of()))
        .isInstanceOfSatisfying(InvalidRequestException.class, field("conversation_id"));
  }

  @Test
  @SuppressWarnings("NullAway") // passing null is the point
  void nullArguments_areRefusedNamingTheArgument() {
    assertThatThrownBy(() -> checked.get(null)).hasMessage("id");
    assertThatThrownBy(() -> checked.write(null)).hasMessage("batch");
    assertThatThrownBy(() -> checked.findByHash(ALICE, null)).hasMessage("hash");
    assertThatThrownBy(() -> checked.list(EVERYTHING, null, PageRequest.first(1)))
        .hasMessage("filter");
    assertThatThrownBy(() -> checked.count(null, ALL)).hasMessage("scope");
    assertThatThrownBy(() -> checked.textSearch(null, EVERYTHING, ALL, 1)).hasMessage("query");
    assertThatThrownBy(() -> checked.history(null)).hasMessage("memoryId");
    assertThatThrownBy(() -> checked.lockScope(null)).hasMessage("scope");
    assertThatThrownBy(() -> new CheckedTenantStore(null)).hasMessage("store");
  }

  @Test
  void afterClose_everyCallIsStoreUnavailable_andCloseIsIdempotent() {
    checked.write(puts(memory("m-1", "a", ALICE)));
    checked.close();
    checked.close();

    assertThatThrownBy(() -> checked.get("m-1")).isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> checked.write(puts(memory("m-2", "b", ALICE))))
        .isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> checked.textSearch("a", EVERYTHING, ALL, 1))
        .isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(checked::dimensions).isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> checked.lockScope(ALICE))
        .isInstanceOf(StoreUnavailableException.class);
    assertThat(raw.get("m-2")).isEmpty();
  }
}
