package io.mnemo4j.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mnemo4j.AddOptions;
import io.mnemo4j.ApiKeys;
import io.mnemo4j.ConflictException;
import io.mnemo4j.ConversationMessage;
import io.mnemo4j.EntityCount;
import io.mnemo4j.EntityType;
import io.mnemo4j.EventType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.Hit;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryEvent;
import io.mnemo4j.MemoryType;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.NotFoundException;
import io.mnemo4j.Page;
import io.mnemo4j.PageRequest;
import io.mnemo4j.PurgeReceipt;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.SearchTuning;
import io.mnemo4j.Selection;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.filter.FilterEvaluator;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.filter.FilterParser;
import io.mnemo4j.spi.AddNeighbour;
import io.mnemo4j.spi.Backend;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.DuplicateCandidates;
import io.mnemo4j.spi.DuplicateProbe;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.spi.MemoryStore;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScopeGuard;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.TenantStore;
import io.mnemo4j.spi.WriteBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage contract every backend passes, through the public API. A backend's test extends this
 * class and says only how to make its {@link Backend}; there is no opt-out switch. Isolation, purge
 * and scope rules live here.
 */
public abstract class MemoryStoreContractTest {
  /** A data directory per test. */
  @TempDir protected Path dataDir;

  /** The clock every test instance uses; tests move it by hand. */
  protected final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  /** The instance under test; reopened by {@link #reopen()}. */
  protected Mnemo mnemo;

  /** The backend under test, fresh for each call. */
  protected abstract Backend backend();

  /** Builds the instance under test over {@link #dataDir}. */
  protected Mnemo open() {
    return configured().build();
  }

  /** The settings every instance of this suite shares, over {@link #dataDir}. */
  private Mnemo.Builder configured() {
    return Mnemo.builder()
        .dataDir(dataDir)
        .clock(clock)
        .embedder(new HashingEmbedder())
        .backend(backend())
        .nearDuplicateThreshold(0.95)
        .regions("eu");
  }

  /** Closes and reopens the instance over the same data. */
  protected void reopen() {
    mnemo.close();
    mnemo = open();
  }

  @BeforeEach
  void openMnemo() {
    mnemo = open();
  }

  @AfterEach
  void closeMnemo() {
    mnemo.close();
  }

  private static List<Message> say(String... texts) {
    return Stream.of(texts).map(Message::user).toList();
  }

  private static List<String> texts(List<Hit> hits) {
    return hits.stream().map(h -> h.memory().text()).toList();
  }

  private static String idOf(List<MemoryEvent> events) {
    return events.get(0).id();
  }

  // ---------------------------------------------------------------- scopes

  @Test
  void search_inUserScope_returnsOnlyThatUsersMemories() {
    TenantMemory acme = mnemo.tenant("acme");
    acme.add(say("Alice prefers green tea in the morning"), Scope.user("alice"));
    acme.add(say("Bob prefers black coffee in the morning"), Scope.user("bob"));

    List<Hit> hits =
        acme.search("what does she drink in the morning", Search.in(Scope.user("alice")));

    assertThat(texts(hits)).containsExactly("Alice prefers green tea in the morning");
    assertThat(hits.get(0).origin()).isEqualTo(Hit.Origin.SCOPE);
  }

  @Test
  void search_withTenantWide_mergesOrganisationMemoryAndSaysWhereFrom() {
    TenantMemory acme = mnemo.tenant("acme");
    acme.add(say("Our CRM is called Atlas"), Scope.tenantWide());
    acme.add(say("I prioritise API performance in the CRM"), Scope.user("alice"));
    acme.add(say("The CRM bores me"), Scope.user("bob"));

    List<Hit> withOrg = acme.search("CRM", Search.in(Scope.user("alice")).withTenantWide());
    List<Hit> without = acme.search("CRM", Search.in(Scope.user("alice")));

    assertThat(texts(withOrg))
        .containsExactlyInAnyOrder(
            "Our CRM is called Atlas", "I prioritise API performance in the CRM");
    assertThat(withOrg)
        .filteredOn(h -> h.memory().text().startsWith("Our"))
        .extracting(Hit::origin)
        .containsExactly(Hit.Origin.TENANT_WIDE);
    assertThat(texts(without)).containsExactly("I prioritise API performance in the CRM");
  }

  @Test
  void search_tenantWideScope_returnsOnlyOrganisationMemory() {
    TenantMemory acme = mnemo.tenant("acme");
    acme.add(say("Office closes at six"), Scope.tenantWide());
    acme.add(say("I leave the office at five"), Scope.user("alice"));

    List<Hit> hits = acme.search("office", Search.in(Scope.tenantWide()));

    assertThat(texts(hits)).containsExactly("Office closes at six");
    assertThat(hits.get(0).origin()).isEqualTo(Hit.Origin.SCOPE);
  }

  @Test
  void search_userScope_includesNarrowerAgentAndRunMemories() {
    TenantMemory acme = mnemo.tenant("acme");
    acme.add(say("trip planning started for Lisbon"), new Scope("alice", "planner", "run-1"));
    acme.add(say("trip to Lisbon booked by someone else"), new Scope("bob", "planner", "run-2"));

    assertThat(texts(acme.search("Lisbon trip", Search.in(Scope.user("alice")))))
        .containsExactly("trip planning started for Lisbon");
    assertThat(texts(acme.search("Lisbon trip", Search.in(Scope.run("run-2")))))
        .containsExactly("trip to Lisbon booked by someone else");
    assertThat(acme.search("Lisbon trip", Search.in(Scope.agent("planner")))).hasSize(2);
  }

  @Test
  void get_withSelectionOfAnotherUser_isNotFound() {
    TenantMemory acme = mnemo.tenant("acme");
    String id = idOf(acme.add(say("alice secret"), Scope.user("alice")));

    assertThat(acme.get(id, Selection.in(Scope.user("bob")))).isEmpty();
    assertThat(acme.get(id, Selection.in(Scope.user("alice")))).isPresent();
    assertThatThrownBy(() -> acme.update(id, "changed", null, Selection.in(Scope.user("bob"))))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> acme.delete(id, Selection.in(Scope.user("bob"))))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> acme.history(id, Selection.in(Scope.user("bob"))))
        .isInstanceOf(NotFoundException.class);
    assertThat(acme.get(id).orElseThrow().text()).isEqualTo("alice secret");
  }

  @Test
  void add_metadataWithIdentityKey_isRefusedAndStoresNothing() {
    // Regression for Mem0 #6277: a metadata user_id must never move a memory into another scope.
    TenantMemory acme = mnemo.tenant("acme");
    for (String key : List.of("user_id", "agent_id", "run_id", "tenant", "tenant_id", "org_id")) {
      assertThatThrownBy(
              () ->
                  acme.add(
                      say("hello"),
                      Scope.user("alice"),
                      AddOptions.none().withMetadata(Map.of(key, "bob"))))
          .isInstanceOf(InvalidRequestException.class)
          .satisfies(
              e -> assertThat(((InvalidRequestException) e).field()).isEqualTo("metadata." + key));
    }
    assertThat(acme.count(Selection.everywhere())).isZero();
  }

  // ---------------------------------------------------------------- tenant isolation

  @Test
  void twoTenants_sameUsersAndTexts_neverSeeEachOther() {
    TenantMemory a = mnemo.tenant("tenant-a");
    TenantMemory b = mnemo.tenant("tenant-b");
    String idA = idOf(a.add(say("the launch code is in the blue folder"), Scope.user("alice")));
    String idB = idOf(b.add(say("the launch code is in the blue folder"), Scope.user("alice")));
    a.add(say("tenant A org note about the blue folder"), Scope.tenantWide());

    assertThat(a.search("blue folder", Search.everywhere()))
        .extracting(h -> h.memory().id())
        .contains(idA)
        .doesNotContain(idB);
    assertThat(b.search("blue folder", Search.in(Scope.user("alice")).withTenantWide()))
        .extracting(h -> h.memory().id())
        .containsExactly(idB);
    assertThat(b.get(idA)).isEmpty();
    assertThat(a.get(idB)).isEmpty();
    assertThat(b.getAll(Selection.everywhere(), PageRequest.first(100)).items())
        .extracting(Memory::id)
        .containsExactly(idB);
    assertThat(b.count(Selection.everywhere())).isEqualTo(1);
    assertThatThrownBy(() -> b.history(idA)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> b.update(idA, "overwritten")).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> b.delete(idA)).isInstanceOf(NotFoundException.class);
    assertThat(b.deleteAll(Scope.user("alice"))).isEqualTo(1);

    assertThat(a.get(idA).orElseThrow().text()).isEqualTo("the launch code is in the blue folder");
    assertThat(a.count(Selection.everywhere())).isEqualTo(2);
  }

  @Test
  void notFound_forOtherTenantsId_isIndistinguishableFromMissingId() {
    TenantMemory a = mnemo.tenant("tenant-a");
    TenantMemory b = mnemo.tenant("tenant-b");
    String idA = idOf(a.add(say("private"), Scope.user("u")));
    String missing = "01890000-0000-7000-8000-000000000000";

    Throwable foreign = catchThrowable(() -> b.delete(idA));
    Throwable absent = catchThrowable(() -> b.delete(missing));

    assertThat(foreign).isInstanceOf(NotFoundException.class);
    assertThat(absent).isInstanceOf(NotFoundException.class);
    assertThat(foreign.getMessage().replace(idA, "ID"))
        .isEqualTo(absent.getMessage().replace(missing, "ID"));
  }

  private static Throwable catchThrowable(Runnable r) {
    try {
      r.run();
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }

  // ---------------------------------------------------------------- purge

  @Test
  void purge_removesEveryByteOfTheTenantAndReportsIt() throws IOException {
    String canary = "canary-" + Long.toHexString(new Random(42).nextLong());
    TenantMemory doomed = mnemo.tenant("doomed");
    TenantMemory kept = mnemo.tenant("kept");
    doomed.add(
        say(canary + " lives here", "second memory of the doomed tenant"), Scope.user("alice"));
    String id = idOf(doomed.add(say("an org fact to update"), Scope.tenantWide()));
    doomed.update(id, "an org fact, updated " + canary);
    doomed.replaceConversation(
        "chat-" + canary,
        List.of(
            ConversationMessage.of(Role.USER, "window says " + canary),
            new ConversationMessage(Role.ASSISTANT, "", "test", "{\"calls\":\"" + canary + "\"}")));
    kept.add(say("kept tenant data stays"), Scope.user("alice"));
    kept.replaceConversation("chat-kept", List.of(ConversationMessage.of(Role.USER, "kept")));

    PurgeReceipt receipt = mnemo.admin().purgeTenant("doomed");

    assertThat(receipt.tenant()).isEqualTo("doomed");
    // The update keeps the old version as a closed memory, with its own history row.
    assertThat(receipt.memories()).isEqualTo(4);
    assertThat(receipt.historyRows()).isEqualTo(5);
    // Three raw messages, and the two of the conversation window.
    assertThat(receipt.messages()).isEqualTo(5);
    assertThat(mnemo.admin().findTenant("doomed")).isEmpty();
    assertThat(mnemo.admin().purgeReceipts()).extracting(PurgeReceipt::tenant).contains("doomed");
    assertThat(filesContaining(canary)).isEmpty();
    assertThatThrownBy(() -> doomed.search("anything", Search.everywhere()))
        .isInstanceOf(NotFoundException.class);
    assertThat(kept.count(Selection.everywhere())).isEqualTo(1);
    assertThat(kept.conversation("chat-kept")).hasSize(1);

    reopen();
    assertThat(filesContaining(canary)).isEmpty();
    assertThat(mnemo.admin().findTenant("doomed")).isEmpty();
  }

  /** Every file under the data directory whose bytes contain {@code needle}. */
  protected List<Path> filesContaining(String needle) throws IOException {
    byte[] n = needle.getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> files = Files.walk(dataDir)) {
      return files
          .filter(Files::isRegularFile)
          .filter(
              p -> {
                try {
                  return indexOf(Files.readAllBytes(p), n) >= 0;
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .toList();
    }
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void purge_unknownTenant_isNotFound() {
    assertThatThrownBy(() -> mnemo.admin().purgeTenant("nobody"))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void purge_thenRecreate_startsEmpty() {
    mnemo.tenant("again").add(say("old life"), Scope.user("u"));
    mnemo
        .tenant("again")
        .replaceConversation("c", List.of(ConversationMessage.of(Role.USER, "old chat")));
    mnemo.admin().purgeTenant("again");

    TenantMemory again = mnemo.tenant("again");

    assertThat(again.count(Selection.everywhere())).isZero();
    assertThat(again.search("old life", Search.everywhere())).isEmpty();
    assertThat(again.conversation("c")).isEmpty();
    assertThat(again.conversationIds(PageRequest.first(10)).items()).isEmpty();
  }

  // ---------------------------------------------------------------- conversation windows

  private static List<ConversationMessage> window(String... texts) {
    List<ConversationMessage> out = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      out.add(ConversationMessage.of(i % 2 == 0 ? Role.USER : Role.ASSISTANT, texts[i]));
    }
    return out;
  }

  @Test
  void replaceConversation_thenGet_returnsTheWindowInOrderWithEveryField() {
    TenantMemory acme = mnemo.tenant("acme");
    List<ConversationMessage> messages =
        List.of(
            ConversationMessage.of(Role.SYSTEM, "You are terse."),
            ConversationMessage.of(Role.USER, "héllo \uD83D\uDE00 'quoted' \"double\""),
            new ConversationMessage(Role.ASSISTANT, "", "langchain4j", "{\"tool\":\"clock\"}"),
            new ConversationMessage(Role.TOOL, "12:00", "langchain4j", "{\"id\":\"t1\"}"),
            ConversationMessage.of(Role.ASSISTANT, "It is noon."));

    acme.replaceConversation("alice/chat-1", messages);

    assertThat(acme.conversation("alice/chat-1")).containsExactlyElementsOf(messages);
    assertThat(acme.conversation("another")).isEmpty();
    assertThat(acme.count(Selection.everywhere())).isZero(); // a window is not memories
    assertThat(acme.search("noon", Search.everywhere())).isEmpty();
  }

  @Test
  void replaceConversation_replacesTheWholeWindow_andAnEmptyListDeletesIt() {
    TenantMemory acme = mnemo.tenant("acme");
    acme.replaceConversation("c1", window("one", "two", "three"));
    acme.replaceConversation("c2", window("other"));

    acme.replaceConversation("c1", window("three", "four"));
    assertThat(acme.conversation("c1")).containsExactlyElementsOf(window("three", "four"));

    acme.replaceConversation("c1", List.of());
    assertThat(acme.conversation("c1")).isEmpty();
    assertThat(acme.conversationIds(PageRequest.first(10)).items()).containsExactly("c2");

    acme.deleteConversation("c2");
    acme.deleteConversation("never-existed");
    assertThat(acme.conversationIds(PageRequest.first(10)).items()).isEmpty();
  }

  @Test
  void conversations_ofTwoTenants_neverSeeEachOther() {
    TenantMemory a = mnemo.tenant("tenant-a");
    TenantMemory b = mnemo.tenant("tenant-b");
    a.replaceConversation("shared-id", window("A's secret"));
    b.replaceConversation("shared-id", window("B's secret", "B's answer"));
    a.replaceConversation("only-a", window("x"));

    assertThat(a.conversation("shared-id")).containsExactlyElementsOf(window("A's secret"));
    assertThat(b.conversation("shared-id"))
        .containsExactlyElementsOf(window("B's secret", "B's answer"));
    assertThat(b.conversation("only-a")).isEmpty();
    assertThat(b.conversationIds(PageRequest.first(10)).items()).containsExactly("shared-id");

    b.deleteConversation("only-a");
    b.deleteConversation("shared-id");
    assertThat(a.conversation("only-a")).hasSize(1);
    assertThat(a.conversation("shared-id")).hasSize(1);
  }

  @Test
  void conversations_surviveReopen() {
    mnemo.tenant("acme").replaceConversation("c", window("remember me", "I will"));

    reopen();

    assertThat(mnemo.tenant("acme").conversation("c"))
        .containsExactlyElementsOf(window("remember me", "I will"));
  }

  @Test
  void conversationIds_paginate_withoutGapsOrRepeats() {
    TenantMemory acme = mnemo.tenant("acme");
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 23; i++) {
      String id = "conv-" + Integer.toString(i * 7919, 36);
      ids.add(id);
      acme.replaceConversation(id, window("message " + i));
    }

    List<String> seen = new ArrayList<>();
    PageRequest page = PageRequest.first(5);
    while (true) {
      Page<String> p = acme.conversationIds(page);
      assertThat(p.items().size()).isLessThanOrEqualTo(5);
      seen.addAll(p.items());
      if (p.next().isEmpty()) {
        break;
      }
      page = PageRequest.after(p.next().get(), 5);
    }

    assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void conversation_badIdOrOversizedWindow_isRefusedNamingTheField() {
    TenantMemory acme = mnemo.tenant("acme");
    for (String bad : new String[] {"", "  ", "a\nb", "x".repeat(256)}) {
      assertThatThrownBy(() -> acme.replaceConversation(bad, window("hi")))
          .isInstanceOf(InvalidRequestException.class)
          .satisfies(
              e -> assertThat(((InvalidRequestException) e).field()).isEqualTo("conversation_id"));
      assertThatThrownBy(() -> acme.conversation(bad)).isInstanceOf(InvalidRequestException.class);
    }
    List<ConversationMessage> tooMany =
        java.util.Collections.nCopies(
            ConversationMessage.MAX_MESSAGES + 1, ConversationMessage.of(Role.USER, "x"));
    assertThatThrownBy(() -> acme.replaceConversation("c", tooMany))
        .isInstanceOf(InvalidRequestException.class)
        .satisfies(e -> assertThat(((InvalidRequestException) e).field()).isEqualTo("messages"));
    assertThatThrownBy(() -> new ConversationMessage(Role.USER, "x", "", "{}"))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> ConversationMessage.of(Role.USER, "nul \u0000 inside"))
        .isInstanceOf(InvalidRequestException.class)
        .satisfies(
            e -> assertThat(((InvalidRequestException) e).field()).isEqualTo("messages.text"));
    assertThat(acme.conversationIds(PageRequest.first(10)).items()).isEmpty();
  }

  @Test
  void apiKeys_areStoredHashed_authenticate_andGoWithThePurge() throws IOException {
    mnemo.admin().createTenant("keyed");
    mnemo.admin().createTenant("other");
    ApiKeys.Issued alice = mnemo.admin().keys().issue(io.mnemo4j.TenantId.of("keyed"), "alice");
    ApiKeys.Issued whole = mnemo.admin().keys().issue(io.mnemo4j.TenantId.of("keyed"), null);
    ApiKeys.Issued other = mnemo.admin().keys().issue(io.mnemo4j.TenantId.of("other"), null);
    ApiKeys.Issued admin = mnemo.admin().keys().issueAdmin();

    assertThat(alice.secret()).startsWith(ApiKeys.SECRET_PREFIX).hasSizeGreaterThan(40);
    assertThat(mnemo.admin().keys().authenticate(alice.secret()).orElseThrow().userId())
        .isEqualTo("alice");
    assertThat(mnemo.admin().keys().authenticate(admin.secret()).orElseThrow().isAdmin()).isTrue();
    assertThat(mnemo.admin().keys().authenticate(alice.secret() + "x")).isEmpty();
    assertThat(mnemo.admin().keys().list(io.mnemo4j.TenantId.of("keyed")))
        .extracting(k -> k.id())
        .containsExactly(alice.key().id(), whole.key().id());
    assertThat(filesContaining(alice.secret())).isEmpty();
    assertThatThrownBy(
            () -> mnemo.admin().keys().revoke(io.mnemo4j.TenantId.of("other"), alice.key().id()))
        .isInstanceOf(NotFoundException.class);

    mnemo.admin().keys().revoke(io.mnemo4j.TenantId.of("keyed"), whole.key().id());
    assertThat(mnemo.admin().keys().authenticate(whole.secret())).isEmpty();
    mnemo.admin().purgeTenant("keyed");
    reopen();

    assertThat(mnemo.admin().keys().authenticate(alice.secret())).isEmpty();
    assertThat(mnemo.admin().keys().authenticate(other.secret())).isPresent();
    assertThat(mnemo.admin().keys().authenticate(admin.secret())).isPresent();
  }

  // ---------------------------------------------------------------- durability and reopening

  @Test
  void reopen_afterClose_returnsEverything() {
    TenantMemory acme = mnemo.tenant("acme");
    String kept = idOf(acme.add(say("persistent fact about penguins"), Scope.user("alice")));
    String changed = idOf(acme.add(say("first version of the note"), Scope.user("alice")));
    acme.update(changed, "second version of the note");
    String gone = idOf(acme.add(say("soon deleted"), Scope.user("alice")));
    acme.delete(gone);

    reopen();
    TenantMemory again = mnemo.tenant("acme");

    assertThat(again.get(kept).orElseThrow().text()).isEqualTo("persistent fact about penguins");
    assertThat(again.get(changed).orElseThrow().text()).isEqualTo("second version of the note");
    assertThat(again.get(gone)).isEmpty();
    assertThat(texts(again.search("penguins", Search.in(Scope.user("alice")).limit(1))))
        .containsExactly("persistent fact about penguins");
    assertThat(
            texts(
                again.search(
                    "version note", Search.in(Scope.user("alice")).mode(Search.Mode.TEXT))))
        .containsExactly("second version of the note");
    assertThat(again.history(changed))
        .extracting(HistoryEntry::event)
        .containsExactly(EventType.ADD, EventType.UPDATE);
    assertThat(again.history(gone))
        .extracting(HistoryEntry::event)
        .containsExactly(EventType.ADD, EventType.DELETE);
    assertThat(mnemo.admin().listTenants()).extracting(t -> t.id().value()).containsExactly("acme");
  }

  @Test
  void manyTenants_beyondOpenLimit_allKeepTheirData() {
    mnemo.close();
    mnemo =
        Mnemo.builder()
            .dataDir(dataDir)
            .clock(clock)
            .embedder(new HashingEmbedder())
            .backend(backend())
            .maxOpenTenants(2)
            .build();
    for (int round = 0; round < 2; round++) {
      for (int t = 0; t < 5; t++) {
        mnemo.tenant("t" + t).add(say("round " + round + " of tenant " + t), Scope.user("u"));
        assertThat(mnemo.operations().openTenants()).isLessThanOrEqualTo(2);
      }
    }
    for (int t = 0; t < 5; t++) {
      assertThat(mnemo.tenant("t" + t).count(Selection.everywhere())).isEqualTo(2);
    }
  }

  // ---------------------------------------------------------------- ingest

  @Test
  void add_exactDuplicateInScope_isNone() {
    TenantMemory acme = mnemo.tenant("acme");
    String first = idOf(acme.add(say("I like green tea."), Scope.user("alice")));

    List<MemoryEvent> again = acme.add(say("  i LIKE green tea "), Scope.user("alice"));

    assertThat(again)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.event()).isEqualTo(EventType.NONE);
              assertThat(e.id()).isEqualTo(first);
            });
    assertThat(acme.count(Selection.in(Scope.user("alice")))).isEqualTo(1);
  }

  @Test
  void add_nearDuplicateInScope_isNone() {
    TenantMemory acme = mnemo.tenant("acme");
    acme.add(
        say("we ship the mobile app every second tuesday after the review meeting"),
        Scope.user("alice"));

    List<MemoryEvent> near =
        acme.add(
            say("Um, we ship the mobile app every second Tuesday after the review meeting!"),
            Scope.user("alice"));

    assertThat(near).extracting(MemoryEvent::event).containsExactly(EventType.NONE);
    assertThat(acme.count(Selection.everywhere())).isEqualTo(1);
  }

  /**
   * Regression (issue 9): four delete-alls of one scope run at once over 100 memories reported 400
   * deletions in all and gave each memory four DELETE history rows. They now run one at a time.
   */
  @Test
  void deleteAll_fourAtOnceOverOneScope_deleteEachMemoryOnce() throws Exception {
    TenantMemory acme = mnemo.tenant("acme");
    List<Message> lines = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      lines.add(Message.user("memory number " + i + " of the batch"));
    }
    List<String> ids = acme.add(lines, Scope.user("alice")).stream().map(MemoryEvent::id).toList();
    assertThat(ids).hasSize(100);

    List<Future<Long>> runs = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
      for (int i = 0; i < 4; i++) {
        runs.add(pool.submit(() -> acme.deleteAll(Scope.user("alice"))));
      }
    }
    long total = 0;
    for (Future<Long> f : runs) {
      total += f.get();
    }
    assertThat(total).isEqualTo(100);
    for (String id : ids) {
      assertThat(acme.history(id))
          .filteredOn(h -> h.event() == EventType.DELETE)
          .as("DELETE rows of %s", id)
          .hasSize(1);
    }
  }

  /**
   * Regression (issue 9): delete-all counted the closed versions that updates leave behind, so
   * deleting three memories, one of them updated, reported four.
   */
  @Test
  void deleteAll_afterAnUpdate_countsOnlyMemories() {
    TenantMemory acme = mnemo.tenant("acme");
    List<MemoryEvent> added =
        acme.add(say("alpha fact", "beta fact", "gamma fact"), Scope.user("alice"));
    acme.update(added.get(0).id(), "alpha fact, revised");

    assertThat(acme.deleteAll(Scope.user("alice"))).isEqualTo(3);
    assertThat(acme.count(Selection.in(Scope.user("alice")).asOf(clock.instant()))).isZero();
  }

  /**
   * Regression (issue 9): a new number in an otherwise identical sentence was dropped as a near
   * duplicate. Whatever the vectors say, a text with another number is new information.
   */
  @Test
  void add_nearTextWithAnotherNumber_isStored() {
    TenantMemory acme = mnemo.tenant("acme");
    acme.add(say("My phone number is 555-0100"), Scope.user("alice"));

    List<MemoryEvent> changed = acme.add(say("My phone number is 555-0199"), Scope.user("alice"));

    assertThat(changed).extracting(MemoryEvent::event).containsExactly(EventType.ADD);
    assertThat(acme.count(Selection.in(Scope.user("alice")))).isEqualTo(2);
  }

  @Test
  void add_formulaicLinesInOneCall_areNotMistakenForNearDuplicatesByTheirSharedContext() {
    TenantMemory acme = mnemo.tenant("acme");
    List<Message> lines = new ArrayList<>();
    for (int i = 1; i <= 25; i++) {
      lines.add(Message.user("fact number " + i + " about topic " + (i * 7)));
    }

    List<MemoryEvent> events = acme.add(lines, Scope.user("alice"));

    assertThat(events).extracting(MemoryEvent::event).containsOnly(EventType.ADD);
    assertThat(acme.count(Selection.everywhere())).isEqualTo(25);
  }

  @Test
  void textSearch_findsAReplyThroughTheMessagesBeforeIt_butRanksTheirOwnWordsFirst() {
    TenantMemory acme = mnemo.tenant("acme");
    List<MemoryEvent> events =
        acme.add(
            List.of(
                Message.user("Did you visit the museum of modern art?"),
                Message.assistant("Yes, last Friday with my sister!")),
            Scope.user("alice"));
    acme.add(say("completely unrelated note about invoices"), Scope.user("alice"));

    List<Hit> hits =
        acme.search("museum of modern art", Search.in(Scope.user("alice")).mode(Search.Mode.TEXT));

    assertThat(hits)
        .extracting(h -> h.memory().id())
        .containsExactly(events.get(0).id(), events.get(1).id());
    reopen();
    assertThat(
            mnemo
                .tenant("acme")
                .search(
                    "museum of modern art", Search.in(Scope.user("alice")).mode(Search.Mode.TEXT)))
        .hasSize(2);
  }

  // ---------------------------------------------------------------- scores mean relevance

  /** A verbatim memory of {@code user} with a metadata topic, for SPI-level text search checks. */
  /**
   * Issue 15: hybrid search lifts a memory by its neighbours in the conversation, the memories the
   * same add stored just before and after it. The store finds them from what every store keeps: an
   * add's memories share scope and creation time, and their ids follow the messages' order. Each
   * comes with what a search scores it by (actor, model, vector), so no whole row is loaded.
   */
  @Test
  void addNeighbours_areTheMemoriesOfTheSameAdd_upToSpanEitherSide() {
    TenantStore store = rawStore(backend(), "acme");
    Instant first = Instant.parse("2026-01-01T00:00:00Z");
    Instant second = Instant.parse("2026-01-01T00:00:01Z");
    String[] add = new String[5];
    List<Change> puts = new java.util.ArrayList<>();
    Map<String, StoredMemory> stored = new java.util.HashMap<>();
    for (int i = 0; i < add.length; i++) {
      add[i] = "0190f000-0000-7000-8000-00000000002" + i;
      StoredMemory m = saidAt(add[i], "alice", "turn " + i, first);
      if (i == 3) {
        m = TestMemories.withActor(m, "Caroline");
      }
      stored.put(add[i], m);
      puts.add(new Change.Put(m));
    }
    String laterAdd = "0190f000-0000-7000-8000-000000000025";
    String otherScope = "0190f000-0000-7000-8000-000000000026";
    puts.add(new Change.Put(saidAt(laterAdd, "alice", "a later add", second)));
    puts.add(new Change.Put(saidAt(otherScope, "bob", "bob at the same instant", first)));
    store.write(new WriteBatch(puts, List.of(), List.of()));
    String unknown = "0190f000-0000-7000-8000-0000000000ff";

    Map<String, List<AddNeighbour>> two =
        store.addNeighbours(List.of(add[2], add[0], laterAdd, otherScope, unknown), 2);

    assertThat(two.get(add[2]))
        .extracting(AddNeighbour::id)
        .containsExactlyInAnyOrder(add[0], add[1], add[3], add[4]);
    assertThat(two.get(add[0]))
        .extracting(AddNeighbour::id)
        .containsExactlyInAnyOrder(add[1], add[2]);
    assertThat(two.get(laterAdd)).isEmpty();
    assertThat(two.get(otherScope)).isEmpty();
    assertThat(two).doesNotContainKey(unknown);
    for (AddNeighbour n : two.get(add[2])) {
      StoredMemory m = stored.get(n.id());
      assertThat(n.actor()).isEqualTo(m.memory().actor());
      assertThat(n.embeddingModel()).isEqualTo(m.memory().embeddingModel());
      assertThat(n.embedding()).containsExactly(m.embedding());
    }
    assertThat(two.get(add[2])).extracting(AddNeighbour::actor).contains("Caroline");
    Map<String, List<AddNeighbour>> one = store.addNeighbours(List.of(add[4]), 1);
    assertThat(one.get(add[4])).extracting(AddNeighbour::id).containsExactly(add[3]);
    assertThat(store.addNeighbours(List.of(add[2]), 0).get(add[2])).isEmpty();
  }

  /**
   * Issue 15: the neighbours of an add longer than the span are the {@code span} nearest on each
   * side, wherever the memory sits in the add, also when another scope wrote at the same instant
   * between them (its rows are not counted towards the span).
   */
  @Test
  void addNeighbours_inALongAdd_areTheNearestOnEachSide() {
    TenantStore store = rawStore(backend(), "acme");
    Instant at = Instant.parse("2026-01-01T00:00:00Z");
    List<Change> puts = new java.util.ArrayList<>();
    List<String> alice = new java.util.ArrayList<>();
    for (int i = 10; i < 40; i++) {
      String id = "0190f000-0000-7000-8000-0000000000" + i;
      boolean bobs = i % 3 == 0;
      puts.add(new Change.Put(saidAt(id, bobs ? "bob" : "alice", "turn " + i, at)));
      if (!bobs) {
        alice.add(id);
      }
    }
    store.write(new WriteBatch(puts, List.of(), List.of()));

    Map<String, List<AddNeighbour>> near =
        store.addNeighbours(List.of(alice.get(0), alice.get(10), alice.get(alice.size() - 1)), 2);

    assertThat(near.get(alice.get(0)))
        .extracting(AddNeighbour::id)
        .containsExactlyInAnyOrder(alice.get(1), alice.get(2));
    assertThat(near.get(alice.get(10)))
        .extracting(AddNeighbour::id)
        .containsExactlyInAnyOrder(alice.get(8), alice.get(9), alice.get(11), alice.get(12));
    assertThat(near.get(alice.get(alice.size() - 1)))
        .extracting(AddNeighbour::id)
        .containsExactlyInAnyOrder(alice.get(alice.size() - 3), alice.get(alice.size() - 2));
  }

  /**
   * Issue 15: a reply that says little by itself ("Yes, every single day") is found through the
   * question it answers. Two identical replies in two adds score alike without the neighbour
   * signal; with it, the one whose add holds the question ranks first, and its score is its own
   * relevance lifted by its best neighbour's, {@code (own + w·best) / (1 + w)}, the same for any
   * limit or filter.
   */
  @Test
  void search_liftsAMemoryByItsBestNeighbourInTheSameAdd() {
    mnemo.close();
    mnemo = openTuned(SearchTuning.defaults().withNeighbourWeight(0));
    TenantMemory acme = mnemo.tenant("acme");
    String kayak =
        acme.add(
                say("Did you go kayaking in the Norwegian fjords?", "Yes, every single day"),
                Scope.user("alice"))
            .get(1)
            .id();
    String question =
        acme.search("kayaking fjords", Search.everywhere().limit(10)).stream()
            .filter(h -> h.memory().text().startsWith("Did you go kayaking"))
            .findFirst()
            .orElseThrow()
            .memory()
            .id();
    String bread =
        acme.add(
                say("Did you bake sourdough bread at home?", "Yes, every single day"),
                Scope.user("bob"))
            .get(1)
            .id();
    String query = "kayaking in the fjords every single day";
    List<Hit> plain = acme.search(query, Search.everywhere().limit(10));
    double ownKayak = hitScore(plain, kayak);
    double ownBread = hitScore(plain, bread);
    double ownQuestion = hitScore(plain, question);
    assertThat(ownKayak).isEqualTo(ownBread);

    mnemo.close();
    mnemo = openTuned(SearchTuning.defaults().withNeighbourWeight(0.2));
    acme = mnemo.tenant("acme");
    List<Hit> lifted = acme.search(query, Search.everywhere().limit(10));
    assertThat(hitScore(lifted, kayak)).isGreaterThan(hitScore(lifted, bread));
    assertThat(hitScore(lifted, kayak))
        .isCloseTo((ownKayak + 0.2 * ownQuestion) / 1.2, within(1e-9));
    Hit alone =
        acme.search(query, Search.in(Scope.user("alice")).limit(10)).stream()
            .filter(h -> h.memory().id().equals(kayak))
            .findFirst()
            .orElseThrow();
    assertThat(alone.score()).isEqualTo(hitScore(lifted, kayak));
  }

  /**
   * Issue 15: a query that names a date (here "March 2026") lifts the memory created then over an
   * otherwise equal one created in January: with date weight w its score is {@code (own + w) / (1 +
   * w)} and the other's {@code own / (1 + w)}, {@code own} being the score without the signal. A
   * query naming no date scores exactly as without the signal.
   */
  @Test
  void search_withADateInTheQuery_liftsTheMemoryCreatedThen_andDateFreeQueriesScoreAsBefore() {
    mnemo.close();
    mnemo = openTuned(SearchTuning.defaults().withDateWeight(0));
    TenantMemory acme = mnemo.tenant("acme");
    String january =
        acme.add(say("We hiked up to the glacier lake"), Scope.user("alice")).get(0).id();
    clock.advance(Duration.ofDays(60)); // 2026-03-02
    String march = acme.add(say("We hiked up to the glacier lake"), Scope.user("bob")).get(0).id();
    String dated = "hiked to the glacier lake in March 2026";
    String plainQuery = "hiked to the glacier lake";
    List<Hit> off = acme.search(dated, Search.everywhere().limit(10));
    double own = hitScore(off, march);
    assertThat(hitScore(off, january)).isEqualTo(own);
    List<Hit> plainOff = acme.search(plainQuery, Search.everywhere().limit(10));
    String otherYear = "hiked to the glacier lake in 2025";
    double ownOtherYear = hitScore(acme.search(otherYear, Search.everywhere().limit(10)), march);

    mnemo.close();
    mnemo = openTuned(SearchTuning.defaults().withDateWeight(0.1));
    acme = mnemo.tenant("acme");
    List<Hit> on = acme.search(dated, Search.everywhere().limit(10));
    assertThat(on.get(0).memory().id()).isEqualTo(march);
    assertThat(hitScore(on, march)).isCloseTo((own + 0.1) / 1.1, within(1e-9));
    assertThat(hitScore(on, january)).isCloseTo(own / 1.1, within(1e-9));
    // A named period neither memory lies in weighs the signal in at 0 for both.
    assertThat(hitScore(acme.search(otherYear, Search.everywhere().limit(10)), march))
        .isCloseTo(ownOtherYear / 1.1, within(1e-9));
    assertThat(acme.search(plainQuery, Search.everywhere().limit(10)))
        .containsExactlyElementsOf(plainOff);
  }

  /**
   * Issue 15: neighbour evidence is scored only for memories that can still enter the list, and a
   * neighbour's text score only where it can be a best neighbour. Those shortcuts must not change a
   * score or the list: every hit scores {@code (own + 0.2·best) / 1.2} with {@code best} taken over
   * its whole add, whatever the limit, the scope or a filter.
   */
  @Test
  void search_withNeighbours_scoresEveryHitFromItsWholeAdd_atAnyLimitScopeOrFilter() {
    mnemo.close();
    mnemo = openTuned(SearchTuning.defaults().withNeighbourWeight(0));
    TenantMemory acme = mnemo.tenant("acme");
    String[] topics = {"kayak", "bread", "garden", "guitar", "chess", "marathon"};
    String[] places = {
      "Oslo", "Lyon", "Quito", "Perth", "Cairo", "Lima", "Hanoi", "Tunis", "Riga", "Accra", "Dakar",
      "Bergen"
    };
    List<List<String>> adds = new java.util.ArrayList<>();
    for (int a = 0; a < 12; a++) {
      String topic = topics[a % topics.length];
      String other = topics[(a * 5 + 1) % topics.length];
      String place = places[a];
      List<Message> turns = new java.util.ArrayList<>();
      for (int t = 0; t < 5; t++) {
        turns.add(
            Message.user(
                switch (t) {
                  case 0 -> "Did you try " + topic + " in " + place + " with your friends?";
                  case 1 -> "Yes, every single day near " + place;
                  case 2 ->
                      "I also thought about " + other + " and " + topic + " lessons, " + place;
                  case 3 -> "Nothing much happened in " + place + " after the " + other;
                  default -> "See you in " + place + " soon";
                }));
      }
      Scope scope = a % 2 == 0 ? Scope.user("alice") : Scope.user("bob");
      adds.add(acme.add(turns, scope).stream().map(MemoryEvent::id).toList());
      clock.advance(java.time.Duration.ofSeconds(1));
    }
    String query = "every single day kayak lessons with friends";
    Map<String, Double> own = new java.util.HashMap<>();
    for (Hit h : acme.search(query, Search.everywhere().limit(100))) {
      own.put(h.memory().id(), h.score());
    }
    assertThat(own).hasSize(60);
    Map<String, Double> expected = new java.util.HashMap<>();
    for (List<String> add : adds) {
      for (int i = 0; i < add.size(); i++) {
        double best = 0;
        for (int j = Math.max(0, i - 2); j <= Math.min(add.size() - 1, i + 2); j++) {
          if (j != i) {
            best = Math.max(best, own.get(add.get(j)));
          }
        }
        expected.put(add.get(i), (own.get(add.get(i)) + 0.2 * best) / 1.2);
      }
    }

    mnemo.close();
    mnemo = openTuned(SearchTuning.defaults().withNeighbourWeight(0.2));
    acme = mnemo.tenant("acme");
    List<Hit> all = acme.search(query, Search.everywhere().limit(100));
    List<Hit> three = acme.search(query, Search.everywhere().limit(3));
    List<Hit> alice = acme.search(query, Search.in(Scope.user("alice")).limit(4));
    Instant later = Instant.parse("2026-01-01T00:00:04Z");
    List<Hit> recent =
        acme.search(
            query,
            Search.everywhere()
                .limit(4)
                .filter(
                    io.mnemo4j.filter.FilterParser.parse(
                        "{\"created_at\": {\"gte\": \"" + later + "\"}}")));

    for (List<Hit> hits : List.of(all, three, alice, recent)) {
      for (Hit h : hits) {
        assertThat(h.score())
            .as(h.memory().text())
            .isCloseTo(expected.get(h.memory().id()), within(1e-9));
      }
    }
    assertThat(all).hasSize(60);
    assertThat(three).containsExactlyElementsOf(all.subList(0, 3));
    assertThat(alice)
        .containsExactlyElementsOf(
            all.stream()
                .filter(h -> h.memory().scope().equals(Scope.user("alice")))
                .limit(4)
                .toList());
    assertThat(recent)
        .containsExactlyElementsOf(
            all.stream().filter(h -> !h.memory().createdAt().isBefore(later)).limit(4).toList());
  }

  /**
   * Issue 15, neighbours on by default: a memory its add stored alone (a chat app adding one
   * message per call) is its own conversation, so it scores exactly its own relevance, as with
   * neighbours off, while a memory stored in a conversation scores {@code (own + 0.2·best) / 1.2}.
   * Both kinds share one list, ranked by those scores at any limit: the walk over candidates must
   * not stop before a memory stored alone that belongs in the list.
   */
  @Test
  void search_withNeighboursOn_aMemoryStoredAloneScoresItsOwnRelevance_inOneListWithLiftedOnes() {
    assertThat(SearchTuning.defaults().neighbourWeight()).isEqualTo(0.2);
    mnemo.close();
    mnemo = openTuned(SearchTuning.defaults().withNeighbourWeight(0));
    TenantMemory acme = mnemo.tenant("acme");
    String[] hobbies = {"kayak", "bread", "garden", "guitar", "chess", "marathon", "pottery"};
    java.util.Set<String> alone = new java.util.HashSet<>();
    List<List<String>> adds = new java.util.ArrayList<>();
    for (int a = 0; a < 28; a++) {
      String hobby = hobbies[a % hobbies.length];
      Scope scope = a % 2 == 0 ? Scope.user("alice") : Scope.user("bob");
      if (a % 4 == 3) {
        adds.add(
            acme
                .add(
                    say(
                        "Did you practise " + hobby + " this week, number " + a + "?",
                        "Yes, every single day, answer " + a,
                        "The weather was fine for " + hobbies[(a + 2) % hobbies.length] + ", " + a),
                    scope)
                .stream()
                .map(MemoryEvent::id)
                .toList());
      } else {
        String text =
            a % 3 == 0
                ? "I practised " + hobby + " every single day, entry " + a
                : "A note about " + hobby + " and nothing else, entry " + a;
        alone.add(acme.add(say(text), scope).get(0).id());
      }
      // Memories of one add share their creation time; separate adds must not.
      clock.advance(Duration.ofSeconds(1));
    }
    String query = "kayak practise every single day";
    Map<String, Double> own = new java.util.HashMap<>();
    for (Hit h : acme.search(query, Search.everywhere().limit(100))) {
      own.put(h.memory().id(), h.score());
    }
    assertThat(own).hasSize(alone.size() + 3 * adds.size());
    Map<String, Double> expected = new java.util.HashMap<>();
    for (String id : alone) {
      expected.put(id, own.get(id));
    }
    for (List<String> add : adds) {
      for (int i = 0; i < add.size(); i++) {
        double best = 0;
        for (int j = 0; j < add.size(); j++) {
          if (j != i) {
            best = Math.max(best, own.get(add.get(j)));
          }
        }
        expected.put(add.get(i), (own.get(add.get(i)) + 0.2 * best) / 1.2);
      }
    }

    mnemo.close();
    mnemo = openTuned(SearchTuning.defaults());
    acme = mnemo.tenant("acme");
    List<Hit> all = acme.search(query, Search.everywhere().limit(100));
    assertThat(all).hasSize(expected.size());
    for (Hit h : all) {
      assertThat(h.score())
          .as(h.memory().text())
          .isCloseTo(expected.get(h.memory().id()), within(1e-9));
    }
    List<String> ranked =
        expected.entrySet().stream()
            .sorted(
                Map.Entry.<String, Double>comparingByValue()
                    .reversed()
                    .thenComparing(Map.Entry.comparingByKey()))
            .map(Map.Entry::getKey)
            .toList();
    assertThat(all.stream().map(h -> h.memory().id()).toList()).containsExactlyElementsOf(ranked);
    for (int limit : new int[] {1, 3, 10, 25}) {
      assertThat(acme.search(query, Search.everywhere().limit(limit)))
          .as("limit %d", limit)
          .containsExactlyElementsOf(all.subList(0, limit));
    }
    // Some memory stored alone and some stored in a conversation share the first places.
    assertThat(all.subList(0, 10)).anyMatch(h -> alone.contains(h.memory().id()));
    assertThat(all.subList(0, 10)).anyMatch(h -> !alone.contains(h.memory().id()));
  }

  /**
   * Issue 15, neighbours on by default: in a collection whose memories were all stored alone (a
   * chat app adding one message per call) every memory scores its own relevance, so a search finds
   * the list and the scores it finds with neighbours off, at any limit, also with lists cut short
   * (few candidates per ranker). Scoring a memory stored alone as {@code own / 1.2} fails this.
   */
  @Test
  void search_withNeighboursOn_memoriesAllStoredAlone_getTheListAndScoresOfNeighboursOff() {
    mnemo.close();
    // Few candidates per ranker: lists are cut, so bounds are loose.
    mnemo = openTuned(SearchTuning.defaults().withCandidates(12).withNeighbourWeight(0));
    TenantMemory acme = mnemo.tenant("acme");
    String[] words = {"kayak", "practise", "every", "single", "day", "fjord", "paddle", "river"};
    java.util.Random random = new java.util.Random(15);
    for (int a = 0; a < 80; a++) {
      StringBuilder text = new StringBuilder("entry" + a);
      for (int k = 0; k < 2 + random.nextInt(5); k++) {
        text.append(' ').append(words[random.nextInt(words.length)]);
      }
      for (int k = 0; k < random.nextInt(4); k++) {
        text.append(" filler").append(random.nextInt(1000));
      }
      acme.add(say(text.toString()), Scope.user("u" + (a % 3)));
      clock.advance(Duration.ofSeconds(1));
    }
    List<String> queries =
        List.of("kayak practise every single day", "paddle the river", "fjord day", "single kayak");
    Map<String, List<Hit>> off = new java.util.HashMap<>();
    for (String q : queries) {
      for (int limit : new int[] {1, 3, 10, 30}) {
        off.put(q + "#" + limit, acme.search(q, Search.everywhere().limit(limit)));
      }
    }

    mnemo.close();
    mnemo = openTuned(SearchTuning.defaults().withCandidates(12));
    acme = mnemo.tenant("acme");
    for (String q : queries) {
      for (int limit : new int[] {1, 3, 10, 30}) {
        List<Hit> on = acme.search(q, Search.everywhere().limit(limit));
        List<Hit> expected = off.get(q + "#" + limit);
        assertThat(on).as("%s, limit %d", q, limit).hasSameSizeAs(expected);
        for (int i = 0; i < on.size(); i++) {
          assertThat(on.get(i).memory().id()).isEqualTo(expected.get(i).memory().id());
          assertThat(on.get(i).score()).isCloseTo(expected.get(i).score(), within(1e-12));
        }
      }
    }
  }

  /** This instance over the same data, with another search tuning and no conversation context. */
  private Mnemo openTuned(SearchTuning tuning) {
    return configured().contextWindow(0).contextAfter(0).searchTuning(tuning).build();
  }

  private static double hitScore(List<Hit> hits, String id) {
    return hits.stream()
        .filter(h -> h.memory().id().equals(id))
        .mapToDouble(Hit::score)
        .findFirst()
        .orElseThrow();
  }

  private static StoredMemory saidAt(String id, String user, String text, Instant at) {
    return TestMemories.at(said(id, user, text, "t"), at);
  }

  private static StoredMemory said(String id, String user, String text, String topic) {
    Memory m =
        new Memory(
            id,
            text,
            io.mnemo4j.internal.util.TextHash.of(text),
            Scope.user(user),
            Map.of("topic", topic),
            List.of(),
            io.mnemo4j.Role.USER,
            null,
            Instant.parse("2026-01-01T00:00:00Z"),
            Instant.parse("2026-01-01T00:00:00Z"),
            null,
            null,
            null,
            new Memory.Provenance(Memory.Provenance.VERBATIM, List.of()),
            "test-hashing-256",
            MemoryType.EPISODIC);
    return new StoredMemory(m, new HashingEmbedder().embed(text, Embedder.Purpose.DOCUMENT));
  }

  private static double scoreOf(List<ScoredId> hits, String id) {
    return hits.stream()
        .filter(h -> h.id().equals(id))
        .mapToDouble(ScoredId::score)
        .findFirst()
        .orElseThrow(() -> new AssertionError(id + " not in " + hits));
  }

  /**
   * The text-score contract of {@link TenantStore#textSearch}: in [0, 1], and for one memory and
   * one query the same whatever {@code k}, the scope or filter that narrows the other matches away,
   * and the same again from {@link TenantStore#textScores}; more of the query's words score higher.
   */
  @Test
  void textSearch_scoresAreInZeroToOne_andTheSameWhateverKScopeOrFilter() {
    TenantStore store = rawStore(backend(), "acme");
    String both = "0190f000-0000-7000-8000-000000000011";
    String one = "0190f000-0000-7000-8000-000000000012";
    String other = "0190f000-0000-7000-8000-000000000013";
    String none = "0190f000-0000-7000-8000-000000000014";
    store.write(
        new WriteBatch(
            List.of(
                new Change.Put(
                    said(both, "alice", "Our kayak trip to the fjords was cold", "trip")),
                new Change.Put(said(one, "alice", "The kayak needs a new paddle", "gear")),
                new Change.Put(said(other, "bob", "Bob paddles his kayak on Sundays", "trip")),
                new Change.Put(said(none, "alice", "Invoices are due on Friday", "work"))),
            List.of(),
            List.of()));
    String query = "kayak trip fjords";
    ScopeFilter alice = Selection.in(Scope.user("alice")).scopeFilter();
    ScopeFilter everyone = Selection.everywhere().scopeFilter();
    FilterExpr gearOnly = FilterParser.parse(Map.of("metadata", Map.of("topic", "gear")));

    List<ScoredId> wide = store.textSearch(query, everyone, new FilterExpr.All(), 10);
    assertThat(wide).extracting(ScoredId::id).containsExactly(both, one, other);
    assertThat(wide).allSatisfy(h -> assertThat(h.score()).isBetween(0.0, 1.0));
    assertThat(scoreOf(wide, both)).isGreaterThan(scoreOf(wide, one));

    assertThat(store.textSearch(query, everyone, new FilterExpr.All(), 1))
        .containsExactly(new ScoredId(both, scoreOf(wide, both)));
    List<ScoredId> narrowed = store.textSearch(query, alice, gearOnly, 10);
    assertThat(narrowed).containsExactly(new ScoredId(one, scoreOf(wide, one)));
    assertThat(
            store.textScores(
                query, List.of(other, none, both, "0190f000-0000-7000-8000-0000000000ff")))
        .containsExactlyInAnyOrder(
            new ScoredId(other, scoreOf(wide, other)), new ScoredId(both, scoreOf(wide, both)));
    assertThat(store.textScores("", List.of(both))).isEmpty();
  }

  /**
   * Issue 9, "score means relevance": the score used to be min-max normalised over the result list,
   * so the top hit always scored 1, the last 0, and a lone strong hit 0.4; apps that cut at a score
   * lost the right answer. Now a hit's score is its own relevance: the same for any limit, for a
   * filter that narrows the other hits away, and when another tenant fills up; in [0, 1]; and the
   * list is ordered by it.
   */
  @Test
  void search_scoreIsTheMemorysOwnRelevance_whateverTheLimitFilterOrOtherHits() {
    TenantMemory acme = mnemo.tenant("acme");
    String atlas =
        idOf(
            acme.add(
                say("Our CRM is called Atlas"),
                Scope.user("alice"),
                AddOptions.none().withMetadata(Map.of("topic", "crm"))));
    acme.add(say("The CRM migration slipped to May"), Scope.user("alice"));
    acme.add(say("Lunch is served at noon"), Scope.user("alice"));
    String query = "which CRM is called Atlas";
    Search alice = Search.in(Scope.user("alice"));

    List<Hit> all = acme.search(query, alice.limit(10));
    assertThat(all).isNotEmpty();
    assertThat(all.get(0).memory().id()).isEqualTo(atlas);
    assertThat(all).allSatisfy(h -> assertThat(h.score()).isBetween(0.0, 1.0));
    assertThat(all).extracting(Hit::score).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    double score = all.get(0).score();
    assertThat(score).isLessThan(1.0); // no longer the list's maximum by construction

    assertThat(acme.search(query, alice.limit(1)).get(0).score()).isEqualTo(score);
    Hit alone =
        acme.search(
                query, alice.filter(FilterParser.parse(Map.of("metadata", Map.of("topic", "crm")))))
            .get(0);
    assertThat(alone.memory().id()).isEqualTo(atlas);
    assertThat(alone.score()).isEqualTo(score);

    TenantMemory globex = mnemo.tenant("globex");
    globex.add(say("Atlas is the CRM of Globex too", "Which CRM? Atlas!"), Scope.user("carol"));
    assertThat(acme.search(query, alice).get(0).score()).isEqualTo(score);

    for (Search.Mode mode : Search.Mode.values()) {
      assertThat(acme.search(query, alice.mode(mode)))
          .allSatisfy(h -> assertThat(h.score()).isBetween(0.0, 1.0))
          .extracting(Hit::score)
          .isSortedAccordingTo(java.util.Comparator.reverseOrder());
    }
  }

  @Test
  void add_sameTextInAnotherScope_isStoredAgain() {
    TenantMemory acme = mnemo.tenant("acme");
    acme.add(say("standup is at nine"), Scope.user("alice"));

    assertThat(acme.add(say("standup is at nine"), Scope.user("bob")))
        .extracting(MemoryEvent::event)
        .containsExactly(EventType.ADD);
    assertThat(acme.add(say("standup is at nine"), new Scope("alice", "bot", null)))
        .extracting(MemoryEvent::event)
        .containsExactly(EventType.ADD);
    assertThat(acme.count(Selection.everywhere())).isEqualTo(3);
  }

  @Test
  void add_duplicatesWithinOneCall_storeOnce() {
    TenantMemory acme = mnemo.tenant("acme");

    List<MemoryEvent> events =
        acme.add(say("same line", "Same line!", "other line"), Scope.user("alice"));

    assertThat(events)
        .extracting(MemoryEvent::event)
        .containsExactly(EventType.ADD, EventType.NONE, EventType.ADD);
    assertThat(events.get(1).id()).isEqualTo(events.get(0).id());
  }

  @Test
  void add_keepsRoleActorAndMetadata() {
    TenantMemory acme = mnemo.tenant("acme");
    String id =
        idOf(
            acme.add(
                List.of(new Message(io.mnemo4j.Role.ASSISTANT, "I booked the table", "concierge")),
                Scope.user("alice"),
                AddOptions.none()
                    .withMetadata(Map.of("topic", "dinner", "party", 4))
                    .withCategories(List.of("plans"))));

    Memory m = acme.get(id).orElseThrow();

    assertThat(m.role()).isEqualTo(io.mnemo4j.Role.ASSISTANT);
    assertThat(m.actor()).isEqualTo("concierge");
    assertThat(m.metadata()).containsEntry("topic", "dinner").containsEntry("party", 4L);
    assertThat(m.categories()).containsExactly("plans");
    assertThat(m.embeddingModel()).isEqualTo("test-hashing-256");
    assertThat(m.provenance().source()).isEqualTo("verbatim");
    assertThat(m.createdAt()).isEqualTo(clock.instant());
  }

  @Test
  void add_perMessageMetadata_mergesOverTheCallsMetadata() {
    TenantMemory acme = mnemo.tenant("acme");
    List<MemoryEvent> events =
        acme.add(
            List.of(
                Message.user("first turn of the session").withMetadata(Map.of("turn", "D1:1")),
                Message.user("second turn, other words")
                    .withMetadata(Map.of("turn", "D1:2", "session", "override"))),
            Scope.user("alice"),
            AddOptions.none().withMetadata(Map.of("session", "s1")));

    assertThat(acme.get(events.get(0).id()).orElseThrow().metadata())
        .isEqualTo(Map.of("turn", "D1:1", "session", "s1"));
    assertThat(acme.get(events.get(1).id()).orElseThrow().metadata())
        .isEqualTo(Map.of("turn", "D1:2", "session", "override"));
    assertThatThrownBy(() -> Message.user("x").withMetadata(Map.of("user_id", "bob")))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void add_concurrentIdenticalAdds_storeOneMemory() throws Exception {
    TenantMemory acme = mnemo.tenant("acme");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<List<MemoryEvent>>> tasks = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        tasks.add(() -> acme.add(say("the deploy freeze starts on friday"), Scope.user("alice")));
      }
      List<EventType> events = new ArrayList<>();
      for (Future<List<MemoryEvent>> f : pool.invokeAll(tasks)) {
        events.addAll(f.get().stream().map(MemoryEvent::event).toList());
      }
      assertThat(events).filteredOn(e -> e == EventType.ADD).hasSize(1);
      assertThat(acme.count(Selection.everywhere())).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void expiredMemories_areHiddenFromSearchAndList() {
    TenantMemory acme = mnemo.tenant("acme");
    acme.add(
        say("temporary door code 1234"),
        Scope.user("alice"),
        AddOptions.none().withExpiry(clock.instant().plus(Duration.ofHours(1))));
    acme.add(say("permanent door policy"), Scope.user("alice"));
    assertThat(acme.search("door", Search.in(Scope.user("alice")))).hasSize(2);

    clock.advance(Duration.ofHours(2));

    assertThat(texts(acme.search("door", Search.in(Scope.user("alice")))))
        .containsExactly("permanent door policy");
    assertThat(acme.getAll(Selection.in(Scope.user("alice")), PageRequest.first(10)).items())
        .extracting(Memory::text)
        .containsExactly("permanent door policy");
  }

  // ---------------------------------------------------------------- update, delete, history

  @Test
  void update_appendsHistoryWithOldAndNewText() {
    TenantMemory acme = mnemo.tenant("acme");
    String id = idOf(acme.add(say("lives in Paris"), Scope.user("alice")));
    clock.advance(Duration.ofMinutes(1));

    MemoryEvent event = acme.update(id, "lives in Berlin");

    assertThat(event).isEqualTo(new MemoryEvent.Updated(id, "lives in Berlin", "lives in Paris"));
    Memory m = acme.get(id).orElseThrow();
    assertThat(m.updatedAt()).isAfter(m.createdAt());
    assertThat(acme.history(id))
        .satisfiesExactly(
            h ->
                assertThat(h)
                    .extracting(HistoryEntry::event, HistoryEntry::oldText, HistoryEntry::newText)
                    .containsExactly(EventType.ADD, null, "lives in Paris"),
            h ->
                assertThat(h)
                    .extracting(HistoryEntry::event, HistoryEntry::oldText, HistoryEntry::newText)
                    .containsExactly(EventType.UPDATE, "lives in Paris", "lives in Berlin"));
    assertThat(texts(acme.search("Berlin", Search.in(Scope.user("alice")).mode(Search.Mode.TEXT))))
        .containsExactly("lives in Berlin");
    assertThat(acme.search("Paris", Search.in(Scope.user("alice")).mode(Search.Mode.TEXT)))
        .isEmpty();
  }

  @Test
  void versions_afterTwoUpdates_areTheClosedCopiesOldestFirst_listedOnlyWhenAskedFor() {
    TenantMemory acme = mnemo.tenant("acme");
    String id = idOf(acme.add(say("lives in Paris"), Scope.user("alice")));
    Instant added = clock.instant();
    assertThat(acme.versions(id, Selection.everywhere())).isEmpty();
    clock.advance(Duration.ofMinutes(1));
    acme.update(id, "lives in Berlin");
    Instant firstUpdate = clock.instant();
    clock.advance(Duration.ofMinutes(1));
    acme.update(id, "lives in Rome");

    List<Memory> versions = acme.versions(id, Selection.in(Scope.user("alice")));

    assertThat(versions)
        .extracting(Memory::text)
        .containsExactly("lives in Paris", "lives in Berlin");
    assertThat(versions.get(0).createdAt()).isEqualTo(added);
    assertThat(versions.get(0).validTo()).isEqualTo(firstUpdate);
    assertThat(versions.get(1).validFrom()).isEqualTo(firstUpdate);
    assertThat(versions.get(1).validTo()).isEqualTo(clock.instant());
    assertThat(versions).allSatisfy(v -> assertThat(v.scope()).isEqualTo(Scope.user("alice")));
    assertThatThrownBy(() -> acme.versions(id, Selection.in(Scope.user("bob"))))
        .isInstanceOf(NotFoundException.class);

    Selection alice = Selection.in(Scope.user("alice"));
    assertThat(acme.getAll(alice, PageRequest.first(10)).items())
        .extracting(Memory::text)
        .containsExactly("lives in Rome");
    assertThat(acme.getAll(alice.includingClosed(true), PageRequest.first(10)).items())
        .extracting(Memory::text)
        .containsExactlyInAnyOrder("lives in Rome", "lives in Paris", "lives in Berlin");
    assertThat(acme.count(alice)).isEqualTo(1);
    assertThat(acme.count(alice.includingClosed(true))).isEqualTo(3);
    assertThat(
            texts(
                acme.search(
                    "Paris", new Search(alice.includingClosed(true), 10, 0, Search.Mode.TEXT))))
        .containsExactly("lives in Paris");
  }

  @Test
  void includingClosed_andIncludingExpired_areIndependent_andBothShowEveryVersion() {
    TenantMemory acme = mnemo.tenant("acme");
    String id = idOf(acme.add(say("badge colour is red"), Scope.user("alice")));
    acme.add(
        say("visitor pass 42 expires soon"),
        Scope.user("alice"),
        AddOptions.none().withExpiry(clock.instant().plus(Duration.ofHours(1))));
    clock.advance(Duration.ofMinutes(1));
    acme.update(id, "badge colour is blue");
    clock.advance(Duration.ofHours(2));
    Selection alice = Selection.in(Scope.user("alice"));

    assertThat(acme.getAll(alice, PageRequest.first(10)).items())
        .extracting(Memory::text)
        .containsExactly("badge colour is blue");
    assertThat(acme.getAll(alice.includingExpired(true), PageRequest.first(10)).items())
        .extracting(Memory::text)
        .containsExactlyInAnyOrder("badge colour is blue", "visitor pass 42 expires soon");
    assertThat(acme.getAll(alice.includingClosed(true), PageRequest.first(10)).items())
        .extracting(Memory::text)
        .containsExactlyInAnyOrder("badge colour is blue", "badge colour is red");
    assertThat(acme.count(alice.includingClosed(true).includingExpired(true))).isEqualTo(3);
    // Delete-all removes all three but counts memories (expired ones too), not closed versions.
    assertThat(acme.count(alice.includingExpired(true))).isEqualTo(2);
    assertThat(acme.deleteAll(Scope.user("alice"))).isEqualTo(2);
    assertThat(acme.count(alice.includingClosed(true).includingExpired(true))).isZero();
  }

  @Test
  void entities_countEachUserAgentAndRun_inCodePointOrder_acrossPages() {
    TenantMemory acme = mnemo.tenant("acme");
    acme.add(say("alpha one", "alpha two"), Scope.user("alice"));
    acme.add(say("alpha with agent"), new Scope("alice", "crm", null));
    acme.add(say("bob run fact"), new Scope("bob", null, "run-1"));
    acme.add(say("zed fact"), Scope.user("Zed"));
    // U+E000 sorts before U+1F600 by code point but after it in UTF-16 units: stores agree on
    // code points.
    acme.add(say("private use fact"), Scope.user("\uE000"));
    acme.add(say("emoji fact"), Scope.user("\uD83D\uDE00"));
    acme.add(say("agent only fact"), Scope.agent("crm"));
    acme.add(say("organisation fact"), Scope.tenantWide());

    List<EntityCount> users = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Page<EntityCount> page =
          acme.entities(EntityType.USER, Selection.everywhere(), new PageRequest(cursor, 2));
      assertThat(page.items()).hasSizeLessThanOrEqualTo(2);
      users.addAll(page.items());
      cursor = page.nextCursor();
      pages++;
    } while (cursor != null && pages < 10);

    assertThat(users)
        .containsExactly(
            new EntityCount(EntityType.USER, "Zed", 1),
            new EntityCount(EntityType.USER, "alice", 3),
            new EntityCount(EntityType.USER, "bob", 1),
            new EntityCount(EntityType.USER, "\uE000", 1),
            new EntityCount(EntityType.USER, "\uD83D\uDE00", 1));
    assertThat(
            acme.entities(EntityType.AGENT, Selection.everywhere(), PageRequest.first(10)).items())
        .containsExactly(new EntityCount(EntityType.AGENT, "crm", 2));
    assertThat(acme.entities(EntityType.RUN, Selection.everywhere(), PageRequest.first(10)))
        .isEqualTo(new Page<>(List.of(new EntityCount(EntityType.RUN, "run-1", 1)), null));
    assertThatThrownBy(
            () ->
                acme.entities(
                    EntityType.USER, Selection.everywhere(), new PageRequest("bad\u0001", 10)))
        .isInstanceOfSatisfying(
            InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("cursor"));
  }

  @Test
  void entities_followTheSelection_scopeFilterClosedAndExpired() {
    TenantMemory acme = mnemo.tenant("acme");
    acme.add(say("alice crm note"), new Scope("alice", "crm", null));
    acme.add(
        List.of(Message.user("alice billing note")),
        new Scope("alice", "billing", null),
        AddOptions.none().withMetadata(Map.of("topic", "money")));
    acme.add(say("bob support note"), new Scope("bob", "support", null));
    String closing = idOf(acme.add(say("carol old note"), Scope.user("carol")));
    acme.add(
        say("dave short note"),
        Scope.user("dave"),
        AddOptions.none().withExpiry(clock.instant().plus(Duration.ofMinutes(5))));
    clock.advance(Duration.ofMinutes(1));
    acme.update(closing, "carol new note");
    clock.advance(Duration.ofMinutes(10));

    assertThat(
            acme.entities(
                    EntityType.AGENT, Selection.in(Scope.user("alice")), PageRequest.first(10))
                .items())
        .extracting(EntityCount::id)
        .containsExactly("billing", "crm");
    assertThat(
            acme.entities(
                    EntityType.AGENT,
                    Selection.everywhere()
                        .filter(FilterParser.parse("{\"metadata\":{\"topic\":\"money\"}}")),
                    PageRequest.first(10))
                .items())
        .containsExactly(new EntityCount(EntityType.AGENT, "billing", 1));
    assertThat(
            acme.entities(EntityType.USER, Selection.everywhere(), PageRequest.first(10)).items())
        .containsExactly(
            new EntityCount(EntityType.USER, "alice", 2),
            new EntityCount(EntityType.USER, "bob", 1),
            new EntityCount(EntityType.USER, "carol", 1));
    assertThat(
            acme.entities(
                    EntityType.USER,
                    Selection.everywhere().includingClosed(true).includingExpired(true),
                    PageRequest.first(10))
                .items())
        .containsExactly(
            new EntityCount(EntityType.USER, "alice", 2),
            new EntityCount(EntityType.USER, "bob", 1),
            new EntityCount(EntityType.USER, "carol", 2),
            new EntityCount(EntityType.USER, "dave", 1));
  }

  @Test
  void deleteAll_tenantWideScope_isRefused() {
    TenantMemory acme = mnemo.tenant("acme");
    acme.add(say("keep me"), Scope.user("alice"));

    assertThatThrownBy(() -> acme.deleteAll(Scope.tenantWide()))
        .isInstanceOf(InvalidRequestException.class);
    assertThat(acme.count(Selection.everywhere())).isEqualTo(1);
  }

  @Test
  void deleteAll_byUser_thenWildcard_deletesExactlyWhatWasAsked() {
    TenantMemory acme = mnemo.tenant("acme");
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 620; i++) {
      // Several distinct tokens per text, so no two are near duplicates even under hash collisions.
      many.add(
          "fact "
              + i
              + " "
              + Integer.toString(i * 7919, 36)
              + " "
              + Integer.toString(i * 104729 + 7, 36)
              + " "
              + Integer.toString(i * 15485863 + 11, 36));
    }
    acme.add(many.stream().map(Message::user).toList(), Scope.user("alice"));
    acme.add(say("bob fact"), Scope.user("bob"));
    acme.add(say("org fact"), Scope.tenantWide());

    assertThat(acme.deleteAll(Scope.user("alice"))).isEqualTo(620);
    assertThat(acme.count(Selection.everywhere())).isEqualTo(2);
    assertThat(acme.deleteAll(TenantMemory.Wildcard.ALL)).isEqualTo(2);
    assertThat(acme.count(Selection.everywhere())).isZero();
  }

  @Test
  void getAll_paginates_inStableCreationOrder_withoutGapsOrRepeats() {
    TenantMemory acme = mnemo.tenant("acme");
    List<String> added = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      added.add(
          idOf(
              acme.add(
                  say("note " + i + " " + Integer.toString(i * 31, 36)), Scope.user("alice"))));
      clock.advance(Duration.ofMillis(3));
    }
    acme.add(say("someone else's note"), Scope.user("bob"));

    List<String> seen = new ArrayList<>();
    PageRequest page = PageRequest.first(5);
    int pages = 0;
    while (true) {
      Page<Memory> p = acme.getAll(Selection.in(Scope.user("alice")), page);
      seen.addAll(p.items().stream().map(Memory::id).toList());
      pages++;
      if (p.next().isEmpty()) {
        break;
      }
      page = PageRequest.after(p.next().get(), 5);
    }

    assertThat(seen).containsExactlyElementsOf(added);
    assertThat(pages).isEqualTo(5);
  }

  // ---------------------------------------------------------------- filters

  @Test
  void search_withMetadataFilter_prefiltersCandidates() {
    TenantMemory acme = mnemo.tenant("acme");
    for (int i = 0; i < 40; i++) {
      acme.add(
          say("meeting notes about the roadmap, item " + i),
          Scope.user("alice"),
          AddOptions.none().withMetadata(Map.of("project", i == 37 ? "apollo" : "zeus", "n", i)));
    }
    FilterExpr apollo = FilterParser.parse("{\"metadata.project\": \"apollo\"}");

    List<Hit> hits =
        acme.search(
            "meeting notes roadmap", Search.in(Scope.user("alice")).filter(apollo).limit(3));

    assertThat(texts(hits)).containsExactly("meeting notes about the roadmap, item 37");
  }

  @Test
  void filters_onEveryBackend_agreeWithTheReferenceEvaluator() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    TenantMemory acme = mnemo.tenant("acme");
    String[] colours = {"red", "Green", "blue", "light blue"};
    String[] users = {"alice", "bob", "carol"};
    for (int i = 0; i < 60; i++) {
      Map<String, Object> md = new java.util.HashMap<>();
      if (random.nextInt(4) > 0) {
        md.put("colour", colours[random.nextInt(colours.length)]);
      }
      if (random.nextBoolean()) {
        md.put("size", random.nextInt(10));
      }
      if (random.nextInt(3) == 0) {
        md.put("tags", List.of(colours[random.nextInt(colours.length)], "t" + random.nextInt(3)));
      }
      if (random.nextInt(5) == 0) {
        md.put("flag", random.nextBoolean());
      }
      acme.add(
          say("memory number " + i + " " + Long.toString(random.nextLong(), 36)),
          Scope.user(users[random.nextInt(users.length)]),
          AddOptions.none()
              .withMetadata(md)
              .withCategories(random.nextBoolean() ? List.of("work") : List.of()));
      clock.advance(Duration.ofMinutes(1));
    }
    List<Memory> all = acme.getAll(Selection.everywhere(), PageRequest.first(1000)).items();
    String[] filters = {
      "{\"metadata.colour\": \"red\"}",
      "{\"metadata.colour\": {\"ne\": \"red\"}}",
      "{\"metadata.colour\": {\"in\": [\"red\", \"blue\"]}}",
      "{\"metadata.colour\": {\"nin\": [\"red\", \"blue\"]}}",
      "{\"metadata.colour\": {\"contains\": \"blue\"}}",
      "{\"metadata.colour\": {\"icontains\": \"GREEN\"}}",
      "{\"metadata.colour\": \"*\"}",
      "{\"metadata.size\": {\"gte\": 3, \"lt\": 7}}",
      "{\"metadata.size\": {\"gt\": 8}}",
      "{\"metadata.size\": {\"lte\": 0}}",
      "{\"metadata.tags\": \"t1\"}",
      "{\"metadata.tags\": {\"contains\": \"blue\"}}",
      "{\"metadata.flag\": true}",
      "{\"categories\": \"work\"}",
      "{\"categories\": {\"in\": [\"work\", \"play\"]}}",
      "{\"user_id\": \"alice\"}",
      "{\"user_id\": {\"ne\": \"alice\"}}",
      "{\"created_at\": {\"gte\": \"2026-01-01T00:30:00Z\"}}",
      "{\"OR\": [{\"user_id\": \"bob\"}, {\"metadata.size\": {\"gt\": 5}}]}",
      "{\"AND\": [{\"metadata.colour\": \"*\"}, {\"NOT\": [{\"metadata.size\": {\"in\": [1, 2, 3]}}]}]}",
      "{\"NOT\": [{\"OR\": [{\"categories\": \"work\"}, {\"metadata.tags\": \"*\"}]}]}",
    };
    for (String json : filters) {
      FilterExpr f = FilterParser.parse(json);
      Set<String> expected =
          all.stream()
              .filter(m -> FilterEvaluator.matches(f, m))
              .map(Memory::id)
              .collect(Collectors.toSet());
      Set<String> listed =
          new HashSet<>(
              acme
                  .getAll(Selection.everywhere().filter(f), PageRequest.first(1000))
                  .items()
                  .stream()
                  .map(Memory::id)
                  .toList());
      assertThat(listed).as("list with %s (seed %d)", json, seed).isEqualTo(expected);
      assertThat(acme.count(Selection.everywhere().filter(f)))
          .as("count with %s (seed %d)", json, seed)
          .isEqualTo(expected.size());
      Set<String> found =
          new HashSet<>(
              acme
                  .search(
                      "memory number",
                      Search.everywhere().filter(f).limit(1000).mode(Search.Mode.DENSE))
                  .stream()
                  .map(h -> h.memory().id())
                  .toList());
      assertThat(found).as("dense search with %s (seed %d)", json, seed).isEqualTo(expected);
    }
  }

  // ---------------------------------------------------------------- SPI: events, world time, types

  /** The tenant's store, opened straight from the backend (SPI-level checks). */
  private TenantStore rawStore(Backend backend, String tenant) {
    MemoryStore region = backend.openRegion("eu", dataDir);
    openedRegions.add(region);
    return region.open(TenantId.of(tenant));
  }

  private final List<MemoryStore> openedRegions = new ArrayList<>();

  @AfterEach
  void closeRegions() {
    openedRegions.forEach(MemoryStore::close);
  }

  private static StoredMemory memory(
      String id,
      String text,
      MemoryType type,
      Instant created,
      @Nullable Instant validFrom,
      @Nullable Instant validTo,
      @Nullable Instant expiresAt) {
    Memory m =
        new Memory(
            id,
            text,
            io.mnemo4j.internal.util.TextHash.of(text),
            Scope.user("alice"),
            Map.of("n", 1),
            List.of("facts"),
            null,
            null,
            created,
            created,
            expiresAt,
            validFrom,
            validTo,
            new Memory.Provenance(Memory.Provenance.INFERRED, List.of("m1", "m2")),
            "test-hashing-256",
            type);
    return new StoredMemory(m, new HashingEmbedder().embed(text, Embedder.Purpose.DOCUMENT));
  }

  @Test
  void store_keepsWorldTimeTypeProvenanceAndHistoryReasons() {
    Backend backend = backend();
    TenantStore store = rawStore(backend, "acme");
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    StoredMemory closed =
        memory(
            "0190f000-0000-7000-8000-000000000001",
            "Alice lives in Paris",
            MemoryType.SEMANTIC,
            t0,
            Instant.parse("2020-05-01T00:00:00Z"),
            Instant.parse("2026-01-01T10:00:00Z"),
            null);
    StoredMemory open =
        memory(
            "0190f000-0000-7000-8000-000000000002",
            "To deploy: run the build, then push the image",
            MemoryType.PROCEDURAL,
            t0,
            null,
            null,
            Instant.parse("2027-01-01T00:00:00Z"));
    HistoryEntry why =
        new HistoryEntry(
            "0190f000-0000-7000-8000-0000000000a1",
            closed.id(),
            EventType.DELETE,
            "Alice lives in Paris",
            null,
            "system",
            t0,
            "contradicted by: Alice moved to Berlin");
    store.write(
        new WriteBatch(
            List.of(new Change.Put(closed), new Change.Put(open)), List.of(why), List.of()));

    assertThat(store.get(closed.id()).orElseThrow().memory()).isEqualTo(closed.memory());
    assertThat(store.get(open.id()).orElseThrow().memory()).isEqualTo(open.memory());
    assertThat(store.history(closed.id())).containsExactly(why);

    List<Memory> all = List.of(closed.memory(), open.memory());
    String[] filters = {
      "{\"memory_type\": \"procedural\"}",
      "{\"memory_type\": {\"in\": [\"semantic\", \"episodic\"]}}",
      "{\"valid_to\": \"*\"}",
      "{\"NOT\": [{\"valid_to\": \"*\"}]}",
      "{\"valid_to\": {\"gt\": \"2026-01-01T12:00:00Z\"}}",
      "{\"valid_from\": {\"lte\": \"2021-01-01\"}}",
      "{\"expires_at\": {\"gte\": \"2026-06-01\"}}",
      "{\"OR\": [{\"NOT\": [{\"valid_to\": \"*\"}]}, {\"valid_to\": {\"gt\": \"2026-01-01T09:00:00Z\"}}]}",
    };
    for (String json : filters) {
      FilterExpr f = FilterParser.parse(json);
      Set<String> expected =
          all.stream()
              .filter(m -> FilterEvaluator.matches(f, m))
              .map(Memory::id)
              .collect(Collectors.toSet());
      Set<String> listed =
          store.list(new ScopeFilter.Everything(), f, PageRequest.first(10)).items().stream()
              .map(StoredMemory::id)
              .collect(Collectors.toSet());
      assertThat(listed).as("list with %s", json).isEqualTo(expected);
      assertThat(store.count(new ScopeFilter.Everything(), f))
          .as("count with %s", json)
          .isEqualTo(expected.size());
      Set<String> found =
          store
              .vectorSearch(
                  "test-hashing-256", open.embedding(), new ScopeFilter.Everything(), f, 10)
              .stream()
              .map(ScoredId::id)
              .collect(Collectors.toSet());
      assertThat(found).as("vector search with %s", json).isEqualTo(expected);
    }
    store.close();
  }

  @Test
  void store_keepsOperationRecords_andRefusesAReusedIdempotencyKeyAtomically() {
    Backend backend = backend();
    TenantStore store = rawStore(backend, "acme");
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    StoredEvent first =
        new StoredEvent(
            "0190f000-0000-7000-8000-0000000000e1",
            "key-1",
            EventStatus.PENDING,
            "{\"messages\":[]}",
            null,
            t0,
            t0);
    StoredEvent second =
        new StoredEvent(
            "0190f000-0000-7000-8000-0000000000e2",
            null,
            EventStatus.RUNNING,
            "{}",
            null,
            t0.plusSeconds(1),
            t0.plusSeconds(1));
    store.write(WriteBatch.ofEvents(List.of(first, second)));

    assertThat(store.event(first.id())).contains(first);
    assertThat(store.eventByIdempotencyKey("key-1")).contains(first);
    assertThat(store.eventByIdempotencyKey("key-2")).isEmpty();
    assertThat(store.events(Set.of(EventStatus.PENDING, EventStatus.RUNNING), 10))
        .containsExactly(first, second);

    StoredEvent done =
        first.withStatus(EventStatus.SUCCEEDED, "{\"results\":[]}", t0.plusSeconds(5));
    store.write(WriteBatch.ofEvents(List.of(done)));
    assertThat(store.event(first.id())).contains(done);
    assertThat(store.events(Set.of(EventStatus.PENDING, EventStatus.RUNNING), 10))
        .containsExactly(second);

    StoredEvent thief =
        new StoredEvent(
            "0190f000-0000-7000-8000-0000000000e3",
            "key-1",
            EventStatus.PENDING,
            "{}",
            null,
            t0,
            t0);
    StoredMemory canary =
        memory(
            "0190f000-0000-7000-8000-000000000009",
            "must not be written",
            MemoryType.EPISODIC,
            t0,
            null,
            null,
            null);
    assertThatThrownBy(
            () ->
                store.write(
                    new WriteBatch(
                        List.of(new Change.Put(canary)), List.of(), List.of(), List.of(thief))))
        .isInstanceOf(ConflictException.class);
    assertThat(store.get(canary.id())).isEmpty();
    assertThat(store.event(thief.id())).isEmpty();

    // Records are the tenant's: another tenant sees none of them.
    TenantStore other = rawStore(backend, "globex");
    assertThat(other.event(first.id())).isEmpty();
    assertThat(other.eventByIdempotencyKey("key-1")).isEmpty();
    assertThat(other.events(EnumSet.allOf(EventStatus.class), 10)).isEmpty();
    other.close();
    store.close();
  }

  @Test
  void lockScope_isReleasedByClose_andAWriteUnderItLands() {
    Backend backend = backend();
    TenantStore store = rawStore(backend, "acme");
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    StoredMemory m =
        memory(
            "0190f000-0000-7000-8000-000000000021",
            "written under the scope lock",
            MemoryType.EPISODIC,
            t0,
            null,
            null,
            null);
    try (ScopeGuard guard = store.lockScope(Scope.user("alice"))) {
      store.write(new WriteBatch(List.of(new Change.Put(m)), List.of(), List.of()));
    }
    assertThat(store.get(m.id())).isPresent();
    // Taken again at once: the first guard released it.
    try (ScopeGuard guard = store.lockScope(Scope.user("alice"))) {
      assertThat(store.count(new ScopeFilter.Everything(), new FilterExpr.All())).isEqualTo(1);
    }
    store.close();
  }

  // ---------------------------------------------------------------- provenance and erasure

  /** The id of the one raw message a verbatim memory came from. */
  private static String sourceOf(Memory m) {
    assertThat(m.provenance().messageIds()).hasSize(1);
    return m.provenance().messageIds().get(0);
  }

  @Test
  void eraseMessage_deletesWhatCameOnlyFromIt_withHistorySayingWhy_andNoTextLeft() {
    TenantMemory acme = mnemo.tenant("acme");
    List<MemoryEvent> added =
        acme.add(say("Alice's doctor is Dr Moreau", "Alice likes hiking"), Scope.user("alice"));
    Memory doctor = acme.get(added.get(0).id()).orElseThrow();
    Memory hiking = acme.get(added.get(1).id()).orElseThrow();
    assertThat(doctor.provenance().source()).isEqualTo(Memory.Provenance.VERBATIM);
    acme.update(doctor.id(), "Alice's doctor is Dr Moreau in Lyon");
    String message = sourceOf(doctor);

    io.mnemo4j.ErasureReceipt receipt = acme.eraseMessage(message);

    assertThat(receipt).isEqualTo(new io.mnemo4j.ErasureReceipt(1, 1, 0));
    assertThat(acme.get(doctor.id())).isEmpty();
    assertThat(acme.get(hiking.id())).isPresent();
    // The closed version the update kept came from the same message: it goes too.
    assertThat(acme.getAll(Selection.everywhere().includingClosed(true), PageRequest.first(10)))
        .extracting(p -> p.items().stream().map(Memory::id).toList())
        .isEqualTo(List.of(hiking.id()));
    List<HistoryEntry> history = acme.history(doctor.id());
    assertThat(history.getLast().event()).isEqualTo(EventType.DELETE);
    assertThat(history.getLast().reason()).isEqualTo(io.mnemo4j.internal.ingest.Erasure.REASON);
    assertThat(history)
        .allSatisfy(
            h -> {
              assertThat(h.oldText()).isNullOrEmpty();
              assertThat(h.newText()).isNullOrEmpty();
            });
    assertThat(texts(acme.search("doctor Moreau", Search.in(Scope.user("alice")))))
        .containsExactly("Alice likes hiking");
    reopen();
    TenantMemory again = mnemo.tenant("acme");
    assertThat(again.get(doctor.id())).isEmpty();
    assertThatThrownBy(() -> again.eraseMessage(message)).isInstanceOf(NotFoundException.class);
  }

  @Test
  void eraseMessage_ofAnotherUserOrTenant_isNotFound_andErasesNothing() {
    TenantMemory acme = mnemo.tenant("acme");
    Memory bobs =
        acme.get(idOf(acme.add(say("Bob's PIN hint is his cat"), Scope.user("bob")))).orElseThrow();
    String message = sourceOf(bobs);

    assertThatThrownBy(() -> acme.eraseMessage(message, Selection.in(Scope.user("alice"))))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> mnemo.tenant("globex").eraseMessage(message))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> acme.eraseMessage("not-a-uuid"))
        .isInstanceOf(InvalidRequestException.class)
        .hasFieldOrPropertyWithValue("field", "message_id");

    assertThat(acme.get(bobs.id())).isPresent();
    assertThat(acme.eraseMessage(message, Selection.in(Scope.user("bob"))).memories()).isEqualTo(1);
  }

  @Test
  void eraseRun_deletesOneConversation_onlyInsideTheSelection() {
    TenantMemory acme = mnemo.tenant("acme");
    acme.add(say("planning a trip to Oslo", "booked the train"), new Scope("alice", null, "r1"));
    acme.add(say("bob plans a trip to Rome"), new Scope("bob", null, "r1"));
    String kept = idOf(acme.add(say("alice another day"), new Scope("alice", null, "r2")));

    io.mnemo4j.ErasureReceipt alices = acme.eraseRun("r1", Selection.in(Scope.user("alice")));

    assertThat(alices).isEqualTo(new io.mnemo4j.ErasureReceipt(2, 2, 0));
    assertThat(acme.count(Selection.in(Scope.run("r1")))).isEqualTo(1);
    assertThat(acme.eraseRun("r1", Selection.in(Scope.user("alice"))))
        .isEqualTo(io.mnemo4j.ErasureReceipt.NONE);
    assertThat(acme.eraseRun("r1")).isEqualTo(new io.mnemo4j.ErasureReceipt(1, 1, 0));
    assertThat(acme.count(Selection.everywhere())).isEqualTo(1);
    assertThat(acme.get(kept)).isPresent();
  }

  @Test
  void eraseMessage_ofAMemoryFromTwoMessages_keepsItWithTheOtherAsProvenance() {
    mnemo.close();
    ScriptedModel model = new ScriptedModel();
    mnemo =
        Mnemo.builder()
            .dataDir(dataDir)
            .clock(clock)
            .embedder(new HashingEmbedder())
            .backend(backend())
            .inference(io.mnemo4j.InferenceSettings.with(model))
            .regions("eu")
            .build();
    TenantMemory acme = mnemo.tenant("acme");
    model.answer(
        "{\"facts\":[{\"text\":\"Alice is vegetarian\",\"categories\":[],"
            + "\"valid_from\":null}]}");
    String id =
        idOf(
            acme.add(
                List.of(Message.user("I stopped eating meat"), Message.assistant("Noted")),
                Scope.user("alice")));
    List<String> sources = acme.get(id).orElseThrow().provenance().messageIds();
    assertThat(sources).hasSize(2);

    assertThat(acme.eraseMessage(sources.get(0))).isEqualTo(new io.mnemo4j.ErasureReceipt(1, 0, 1));
    Memory kept = acme.get(id).orElseThrow();
    assertThat(kept.text()).isEqualTo("Alice is vegetarian");
    assertThat(kept.provenance().messageIds()).containsExactly(sources.get(1));
    assertThat(kept.provenance().source()).isEqualTo(Memory.Provenance.INFERRED);

    assertThat(acme.eraseMessage(sources.get(1))).isEqualTo(new io.mnemo4j.ErasureReceipt(1, 1, 0));
    assertThat(acme.get(id)).isEmpty();
  }

  // ---------------------------------------------------------------- second vector slot, switch

  private static StoredMemory memoryIn(String id, String text, Scope scope) {
    return TestMemories.withScope(
        memory(id, text, MemoryType.EPISODIC, Instant.EPOCH, null, null, null), scope);
  }

  @Test
  void duplicateCandidates_answerWhatFindByHashAndVectorSearchAnswerForEachProbe() {
    TenantStore store = rawStore(backend(), "acme");
    Scope alice = Scope.user("alice");
    Scope bob = Scope.user("bob");
    String model = "test-hashing-256";
    List<StoredMemory> stored =
        List.of(
            memoryIn("0190f000-0000-7000-8000-000000000042", "Alice lives in Paris", alice),
            memoryIn("0190f000-0000-7000-8000-000000000041", "Alice lives in Paris", alice),
            memoryIn("0190f000-0000-7000-8000-000000000043", "Alice likes green tea", alice),
            memoryIn("0190f000-0000-7000-8000-000000000044", "Alice works at a bakery", alice),
            memoryIn("0190f000-0000-7000-8000-000000000045", "Alice plays chess", alice),
            memoryIn("0190f000-0000-7000-8000-000000000046", "Bob likes green tea", bob),
            memoryIn(
                "0190f000-0000-7000-8000-000000000047",
                "Alice drinks tea",
                new Scope("alice", "agent-1", null)));
    store.write(
        new WriteBatch(
            stored.stream().<Change>map(Change.Put::new).toList(), List.of(), List.of()));
    HashingEmbedder embedder = new HashingEmbedder();
    List<String> texts =
        List.of(
            "Alice lives in Paris", // two copies in the scope: the lower id answers
            "Bob likes green tea", // only in another scope
            "Alice drinks tea", // only in a narrower scope
            "Something never said",
            "Alice likes green tea");
    List<DuplicateProbe> probes = probesOf(embedder, texts);

    List<DuplicateCandidates> batched = store.duplicateCandidates(alice, model, probes, 3);

    assertThat(batched).hasSize(probes.size());
    ScopeFilter exact = new ScopeFilter.Exact(alice);
    for (int i = 0; i < probes.size(); i++) {
      DuplicateProbe p = probes.get(i);
      DuplicateCandidates got = batched.get(i);
      assertThat(got.sameHash().map(StoredMemory::memory))
          .as("hash of %s", texts.get(i))
          .isEqualTo(store.findByHash(alice, p.hash()).map(StoredMemory::memory));
      assertThat(got.nearest())
          .as("nearest to %s", texts.get(i))
          .isEqualTo(store.vectorSearch(model, p.vector(), exact, new FilterExpr.All(), 3));
    }
    assertThat(batched.get(0).sameHash().orElseThrow().id())
        .isEqualTo("0190f000-0000-7000-8000-000000000041");
    assertThat(batched.get(1).sameHash()).isEmpty();
    assertThat(batched.get(2).sameHash()).isEmpty();
    assertThat(batched.get(4).nearest()).hasSize(3);
    assertThat(batched.get(4).nearest().get(0).id())
        .isEqualTo("0190f000-0000-7000-8000-000000000043");
    assertThat(batched.stream().flatMap(b -> b.nearest().stream()).map(ScoredId::id))
        .doesNotContain(
            "0190f000-0000-7000-8000-000000000046", "0190f000-0000-7000-8000-000000000047");
    assertThat(store.duplicateCandidates(alice, "another-model", probes, 3))
        .allSatisfy(b -> assertThat(b.nearest()).isEmpty());
    store.close();
  }

  /**
   * Asked for candidates scoring at least a floor, a store answers the prefix of its full answer
   * that scores at least the floor: with every score of the full answer as the floor (the bound is
   * inclusive), just above each, and beyond both ends.
   */
  @Test
  void duplicateCandidates_withAMinimumScore_answerTheFullAnswersCandidatesAtOrAboveIt() {
    TenantStore store = rawStore(backend(), "acme");
    Scope alice = Scope.user("alice");
    String model = "test-hashing-256";
    List<String> said =
        List.of(
            "Alice lives in Paris",
            "Alice lives in Paris with her cat",
            "Alice lived in Lyon before Paris",
            "Alice likes green tea",
            "Alice likes green tea in the morning",
            "Bob plays chess on Sundays");
    List<StoredMemory> stored = new ArrayList<>();
    for (int i = 0; i < said.size(); i++) {
      stored.add(
          memoryIn(String.format("0190f000-0000-7000-8000-0000000001%02d", i), said.get(i), alice));
    }
    store.write(
        new WriteBatch(
            stored.stream().<Change>map(Change.Put::new).toList(), List.of(), List.of()));
    HashingEmbedder embedder = new HashingEmbedder();
    List<DuplicateProbe> probes =
        probesOf(
            embedder, List.of("Alice lives in Paris", "Alice likes tea", "Nothing alike at all"));
    List<DuplicateCandidates> full = store.duplicateCandidates(alice, model, probes, 4);
    java.util.TreeSet<Double> floors =
        new java.util.TreeSet<>(List.of(-2.0, 0.0, 1e-9, 0.5, 1.0, 2.0));
    for (DuplicateCandidates c : full) {
      for (ScoredId n : c.nearest()) {
        floors.add(n.score());
        floors.add(Math.nextUp(n.score()));
      }
    }
    assertThat(full.get(0).nearest()).hasSize(4);

    for (double floor : floors) {
      List<DuplicateCandidates> above = store.duplicateCandidates(alice, model, probes, 4, floor);
      // Stored rows compare by their memory: a record's float[] compares by reference.
      assertThat(above.stream().map(c -> c.sameHash().map(StoredMemory::memory)).toList())
          .as("hashes, floor %s", floor)
          .isEqualTo(full.stream().map(c -> c.sameHash().map(StoredMemory::memory)).toList());
      assertThat(above.stream().map(DuplicateCandidates::nearest).toList())
          .as("nearest, floor %s", floor)
          .isEqualTo(full.stream().map(c -> c.scoringAtLeast(floor).nearest()).toList());
    }
    assertThat(full.get(0).scoringAtLeast(full.get(0).nearest().get(1).score()).nearest())
        .hasSizeBetween(2, 4);
    store.close();
  }

  /** The duplicate probes an add of {@code texts} makes: each text's hash and vector. */
  private static List<DuplicateProbe> probesOf(HashingEmbedder embedder, List<String> texts) {
    return texts.stream()
        .map(
            t ->
                new DuplicateProbe(
                    io.mnemo4j.internal.util.TextHash.of(t),
                    embedder.embed(t, Embedder.Purpose.DOCUMENT)))
        .toList();
  }

  /** A unit vector of {@code dimension} pointing along axis {@code axis}. */
  private static float[] axis(int dimension, int axis) {
    float[] v = new float[dimension];
    v[axis] = 1;
    return v;
  }

  @Test
  void secondSlot_isNeverSearched_untilTheSwitchMakesItTheOnlyVectors() {
    TenantStore store = rawStore(backend(), "acme");
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    StoredMemory a =
        memory(
            "0190f000-0000-7000-8000-000000000031",
            "alpha fact",
            MemoryType.EPISODIC,
            t0,
            null,
            null,
            null);
    StoredMemory b =
        memory(
            "0190f000-0000-7000-8000-000000000032",
            "beta fact",
            MemoryType.SEMANTIC,
            t0,
            null,
            null,
            null);
    StoredMemory late =
        memory(
            "0190f000-0000-7000-8000-000000000033",
            "written after the vectors",
            MemoryType.EPISODIC,
            t0,
            null,
            null,
            null);
    store.write(
        new WriteBatch(List.of(new Change.Put(a), new Change.Put(b)), List.of(), List.of()));
    String old = a.memory().embeddingModel();
    ScopeFilter all = new ScopeFilter.Everything();
    FilterExpr any = new FilterExpr.All();

    store.putVectors(
        "next-8",
        Map.of(
            a.id(),
            axis(8, 0),
            b.id(),
            axis(8, 1),
            "0190f000-0000-7000-8000-0000000000ff",
            axis(8, 2)));
    store.write(new WriteBatch(List.of(new Change.Put(late)), List.of(), List.of()));

    assertThat(store.countVectors("next-8")).isEqualTo(2);
    assertThat(store.vectorSearch("next-8", axis(8, 0), all, any, 10)).isEmpty();
    assertThat(store.vectorSearch(old, a.embedding(), all, any, 10)).hasSize(3);

    assertThat(store.switchModel("next-8")).isEqualTo(2);

    List<ScoredId> found = store.vectorSearch("next-8", axis(8, 1), all, any, 10);
    assertThat(found).extracting(ScoredId::id).containsExactly(b.id(), a.id());
    assertThat(found.get(0).score()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    assertThat(store.vectorSearch(old, a.embedding(), all, any, 10))
        .extracting(ScoredId::id)
        .containsExactly(late.id());
    Memory switched = store.get(b.id()).orElseThrow().memory();
    assertThat(switched.embeddingModel()).isEqualTo("next-8");
    assertThat(switched.text()).isEqualTo(b.memory().text());
    assertThat(switched.updatedAt()).isEqualTo(b.memory().updatedAt());
    assertThat(switched.provenance()).isEqualTo(b.memory().provenance());
    assertThat(store.get(b.id()).orElseThrow().embedding()).isEqualTo(axis(8, 1));
    assertThat(store.countVectors("next-8")).isZero();
    assertThat(store.dimensions()).containsEntry("next-8", 8);
    assertThat(store.switchModel("next-8")).isZero();
    store.close();

    TenantStore again = rawStore(backend(), "acme");
    assertThat(again.vectorSearch("next-8", axis(8, 0), all, any, 10))
        .extracting(ScoredId::id)
        .containsExactly(a.id(), b.id());
    assertThat(again.dimensions()).containsEntry("next-8", 8);
    again.close();
  }

  // ---------------------------------------------------------------- changing the embedding model

  /** The instance under test reopened over the same data with another embedder. */
  private Mnemo openWith(Embedder embedder) {
    return Mnemo.builder()
        .dataDir(dataDir)
        .clock(clock)
        .embedder(embedder)
        .backend(backend())
        .nearDuplicateThreshold(0.95)
        .regions("eu")
        .build();
  }

  private static List<String> denseHits(TenantMemory t, String query) {
    return t.search(query, Search.everywhere().mode(Search.Mode.DENSE).limit(50)).stream()
        .map(h -> h.memory().text())
        .toList();
  }

  /** An embedder that fails after {@code calls} batches: a crash in the middle of a run. */
  private static Embedder failingAfter(Embedder e, int calls) {
    int[] left = {calls};
    return new Embedder() {
      @Override
      public String modelId() {
        return e.modelId();
      }

      @Override
      public int dimension() {
        return e.dimension();
      }

      @Override
      public float[] embed(String text, Purpose purpose) {
        return e.embed(text, purpose);
      }

      @Override
      public List<float[]> embedAll(List<String> texts, Purpose purpose) {
        if (left[0]-- <= 0) {
          throw new io.mnemo4j.StoreUnavailableException("killed in the middle of re-embedding");
        }
        return e.embedAll(texts, purpose);
      }

      @Override
      public void close() {}
    };
  }

  @Test
  void reembed_preparesTenantByTenant_resumesAfterACrash_thenSwitchesSearchesAndTheDataDir() {
    TenantMemory acme = mnemo.tenant("acme");
    TenantMemory globex = mnemo.tenant("globex");
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      texts.add("acme fact number " + i + " about " + (i % 7 == 0 ? "rockets" : "gardens"));
    }
    for (int i = 0; i < texts.size(); i += 100) {
      acme.add(texts.subList(i, i + 100).stream().map(Message::user).toList(), Scope.user("u"));
    }
    globex.add(say("globex keeps the vault key under the mat"), Scope.user("g"));
    HashingEmbedder next = new HashingEmbedder(32, "hash-32");

    // A crash after the first page: the catalog remembers where it stopped.
    assertThatThrownBy(() -> mnemo.admin().reembed(List.of("acme"), failingAfter(next, 1), s -> {}))
        .isInstanceOf(io.mnemo4j.StoreUnavailableException.class);
    io.mnemo4j.ReembedStatus stopped = mnemo.admin().reembedStatus().orElseThrow();
    assertThat(stopped.phase()).isEqualTo("embedding");
    assertThat(stopped.tenant()).isEqualTo("acme");
    reopen();

    io.mnemo4j.ReembedStatus prepared = mnemo.admin().reembed(List.of("acme"), next, s -> {});
    assertThat(prepared.phase()).isEqualTo("embedding");
    assertThat(prepared.prepared()).containsExactly("acme");
    assertThat(prepared.waiting()).containsExactly("globex");
    assertThat(prepared.embedded()).isEqualTo(600 - 256);
    // Still the old model: searches find everything, and a write now is embedded by the last pass.
    assertThat(mnemo.operations().embedder().modelId()).isNotEqualTo("hash-32");
    assertThat(denseHits(mnemo.tenant("acme"), "rockets")).hasSize(50);
    mnemo.tenant("acme").add(say("a late acme fact about rockets"), Scope.user("u"));

    io.mnemo4j.ReembedStatus done = mnemo.admin().reembedAll(next, s -> {});

    assertThat(done.phase()).isEqualTo("done");
    assertThat(done.switched()).isEqualTo(602);
    assertThat(mnemo.admin().reembedStatus()).isEmpty();
    assertThat(mnemo.operations().embedder().modelId()).isEqualTo("hash-32");
    assertThat(denseHits(mnemo.tenant("acme"), "a late acme fact about rockets").getFirst())
        .isEqualTo("a late acme fact about rockets");
    assertThat(denseHits(mnemo.tenant("globex"), "vault key"))
        .containsExactly("globex keeps the vault key under the mat");

    mnemo.close();
    assertThatThrownBy(this::open).isInstanceOf(InvalidRequestException.class);
    mnemo = openWith(new HashingEmbedder(32, "hash-32"));
    assertThat(mnemo.tenant("acme").count(Selection.everywhere())).isEqualTo(601);
    assertThat(denseHits(mnemo.tenant("acme"), "acme fact number 12 about gardens").getFirst())
        .isEqualTo("acme fact number 12 about gardens");
  }

  /**
   * Changing the model re-embeds each memory as ingest embedded it: a verbatim turn after up to two
   * earlier messages of its add, one per line (the default context window), so a reply such as
   * "Yes, every single day" keeps the question it answers. Re-embedding the text alone lost it.
   */
  @Test
  void reembed_embedsEachTurnAfterItsAddsEarlierTurns_asIngestDid() {
    List<String> turns =
        List.of(
            "Did you go kayaking in the Norwegian fjords?",
            "Yes, every single day",
            "What did you eat there?",
            "Fish, mostly, and brown cheese");
    mnemo.tenant("acme").add(say(turns.toArray(String[]::new)), Scope.user("u"));
    // Another add: the memories of one add share their creation time.
    clock.advance(Duration.ofSeconds(1));
    mnemo.tenant("acme").add(say("A note on its own about kayaking"), Scope.user("u"));
    HashingEmbedder next = new HashingEmbedder(32, "hash-32");

    mnemo.admin().reembedAll(next, s -> {});

    Map<String, String> inputs = new java.util.HashMap<>();
    for (int i = 0; i < turns.size(); i++) {
      inputs.put(turns.get(i), String.join("\n", turns.subList(Math.max(0, i - 2), i + 1)));
    }
    inputs.put("A note on its own about kayaking", "A note on its own about kayaking");
    String query = "kayaking every single day";
    float[] q = next.embed(query, io.mnemo4j.spi.Embedder.Purpose.QUERY);
    List<Hit> hits =
        mnemo.tenant("acme").search(query, Search.everywhere().mode(Search.Mode.DENSE).limit(10));
    assertThat(hits).hasSize(5);
    for (Hit h : hits) {
      float[] d =
          next.embed(inputs.get(h.memory().text()), io.mnemo4j.spi.Embedder.Purpose.DOCUMENT);
      assertThat(h.similarity())
          .as(h.memory().text())
          .isCloseTo(io.mnemo4j.spi.Vectors.dot(q, d), within(1e-5));
    }
  }

  @Test
  void reembed_interruptedWhileSwitching_isFinishedByTheNextOpen() {
    mnemo.tenant("acme").add(say("acme prefers tea"), Scope.user("u"));
    mnemo.tenant("globex").add(say("globex prefers coffee"), Scope.user("g"));
    HashingEmbedder next = new HashingEmbedder(32, "hash-32");
    assertThat(mnemo.admin().reembed(List.of("acme"), next, s -> {}).waiting())
        .containsExactly("globex");
    mnemo.close();
    // As a crash leaves it: every tenant counted as prepared, the switch begun, not finished.
    try (io.mnemo4j.spi.Catalog catalog = backend().openCatalog(dataDir)) {
      catalog.replaceSetting(
          "reembed",
          "{\"model\":\"hash-32\",\"phase\":\"switching\",\"prepared\":[\"acme\",\"globex\"]}");
    }

    mnemo = openWith(new HashingEmbedder(32, "hash-32"));

    assertThat(mnemo.admin().reembedStatus()).isEmpty();
    assertThat(denseHits(mnemo.tenant("acme"), "tea")).containsExactly("acme prefers tea");
    assertThat(denseHits(mnemo.tenant("globex"), "coffee"))
        .containsExactly("globex prefers coffee");
    assertThat(mnemo.tenant("globex").getAll(Selection.everywhere(), PageRequest.first(5)).items())
        .extracting(Memory::embeddingModel)
        .containsExactly("hash-32");
  }
}
