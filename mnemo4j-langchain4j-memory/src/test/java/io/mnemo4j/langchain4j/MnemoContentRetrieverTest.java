package io.mnemo4j.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.query.Metadata;
import dev.langchain4j.rag.query.Query;
import io.mnemo4j.AddOptions;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.filter.FilterParser;
import io.mnemo4j.testing.HashingEmbedder;
import io.mnemo4j.testing.InMemoryBackend;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MnemoContentRetrieverTest {
  private Mnemo mnemo;
  private TenantMemory acme;

  @BeforeEach
  void setUp() {
    mnemo = Mnemo.builder().embedder(new HashingEmbedder()).backend(new InMemoryBackend()).build();
    acme = mnemo.tenant("acme");
  }

  @AfterEach
  void tearDown() {
    mnemo.close();
  }

  private static Query query(String text, Object memoryId) {
    return Query.from(text, Metadata.from(UserMessage.from(text), memoryId, List.of()));
  }

  private static List<String> texts(List<Content> contents) {
    return contents.stream().map(c -> c.textSegment().text()).toList();
  }

  @Test
  void retrieve_contentCarriesIdScoreSimilarityTimeAndType() {
    String id =
        acme.add(
                List.of(Message.user("Alice plays the cello")),
                new Scope("alice", "tutor", "run-7"),
                AddOptions.none().withMetadata(Map.of("topic", "music", "level", 3)))
            .getFirst()
            .id();

    Content c =
        MnemoContentRetriever.builder(acme).build().retrieve(query("cello", "alice")).getFirst();

    dev.langchain4j.data.document.Metadata md = c.textSegment().metadata();
    assertThat(c.textSegment().text()).isEqualTo("Alice plays the cello");
    assertThat(c.metadata()).containsEntry(ContentMetadata.EMBEDDING_ID, id);
    assertThat((Double) c.metadata().get(ContentMetadata.SCORE)).isPositive();
    assertThat(md.getString(MnemoContentRetriever.MEMORY_ID)).isEqualTo(id);
    assertThat(md.getDouble(MnemoContentRetriever.SCORE))
        .isEqualTo((Double) c.metadata().get(ContentMetadata.SCORE));
    assertThat(md.getDouble(MnemoContentRetriever.SIMILARITY)).isBetween(0.0, 1.0001);
    assertThat(Instant.parse(md.getString(MnemoContentRetriever.CREATED_AT)))
        .isEqualTo(acme.get(id).orElseThrow().createdAt());
    assertThat(md.getString(MnemoContentRetriever.MEMORY_TYPE)).isEqualTo("episodic");
    assertThat(md.getString(MnemoContentRetriever.ORIGIN)).isEqualTo("scope");
    assertThat(md.getString(MnemoContentRetriever.USER_ID)).isEqualTo("alice");
    assertThat(md.getString(MnemoContentRetriever.AGENT_ID)).isEqualTo("tutor");
    assertThat(md.getString(MnemoContentRetriever.RUN_ID)).isEqualTo("run-7");
    assertThat(md.getString("metadata.topic")).isEqualTo("music");
    assertThat(md.getInteger("metadata.level")).isEqualTo(3);
  }

  @Test
  void retrieve_limitMinScoreTenantWideAndFilter_eachNarrowAsConfigured() {
    acme.add(List.of(Message.user("tea in the morning")), Scope.user("alice"));
    acme.add(
        List.of(Message.user("tea with lemon")),
        Scope.user("alice"),
        AddOptions.none().withMetadata(Map.of("kind", "recipe")));
    acme.add(List.of(Message.user("the office kitchen has green tea")), Scope.tenantWide());
    acme.add(List.of(Message.user("unrelated words entirely")), Scope.user("alice"));

    // Dense search ranks every memory of the scope; the minimum similarity drops unrelated ones.
    assertThat(texts(MnemoContentRetriever.builder(acme).build().retrieve(query("tea", "alice"))))
        .hasSize(3);
    assertThat(
            texts(
                MnemoContentRetriever.builder(acme)
                    .minScore(0.2)
                    .build()
                    .retrieve(query("tea", "alice"))))
        .containsExactlyInAnyOrder("tea in the morning", "tea with lemon");
    assertThat(MnemoContentRetriever.builder(acme).limit(1).build().retrieve(query("tea", "alice")))
        .hasSize(1);
    assertThat(
            texts(
                MnemoContentRetriever.builder(acme)
                    .includeTenantWide(true)
                    .build()
                    .retrieve(query("tea", "alice"))))
        .contains("the office kitchen has green tea");
    assertThat(
            texts(
                MnemoContentRetriever.builder(acme)
                    .filter(FilterParser.parse("{\"metadata\":{\"kind\":\"recipe\"}}"))
                    .build()
                    .retrieve(query("tea", "alice"))))
        .containsExactly("tea with lemon");
    assertThat(
            MnemoContentRetriever.builder(acme)
                .minScore(0.99)
                .build()
                .retrieve(query("tea", "alice")))
        .isEmpty();
    assertThat(MnemoContentRetriever.builder(acme).build().retrieve(query("tea", "bob"))).isEmpty();
  }

  @Test
  void retrieve_customScopeMapping_searchesThatScope() {
    acme.add(List.of(Message.user("session one talked about boats")), Scope.run("s-1"));
    acme.add(List.of(Message.user("session two talked about boats")), Scope.run("s-2"));

    List<Content> found =
        MnemoContentRetriever.builder(acme)
            .scopeMapping(id -> Scope.run("s-" + id))
            .build()
            .retrieve(query("boats", 2));

    assertThat(texts(found)).containsExactly("session two talked about boats");
  }

  @Test
  void retrieve_queryWithoutChatMemoryId_isRefusedWithAReason() {
    MnemoContentRetriever retriever = MnemoContentRetriever.builder(acme).build();

    assertThatThrownBy(() -> retriever.retrieve(Query.from("tea")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("chat memory id");
  }

  @Test
  void builder_outOfRangeSettings_areRefusedNamingThem() {
    assertThatThrownBy(() -> MnemoContentRetriever.builder(acme).limit(0))
        .hasMessageContaining("limit");
    assertThatThrownBy(() -> MnemoContentRetriever.builder(acme).minScore(1.5))
        .hasMessageContaining("minScore");
  }
}
