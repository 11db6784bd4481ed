package io.mnemo4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.internal.util.TextHash;
import io.mnemo4j.internal.util.Uuid7;
import io.mnemo4j.testing.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ValuesTest {
  @Test
  void tenantId_validAndInvalid() {
    assertThat(TenantId.of("acme-01_x").value()).isEqualTo("acme-01_x");
    assertThat(TenantId.of("a".repeat(63)).value()).hasSize(63);
    for (String bad :
        new String[] {"", "A", "-a", "_a", "a".repeat(64), "a/b", "../x", "a b", "é", "a\n"}) {
      assertThatThrownBy(() -> TenantId.of(bad))
          .as(bad)
          .isInstanceOf(InvalidRequestException.class)
          .satisfies(e -> assertThat(((InvalidRequestException) e).field()).isEqualTo("tenant"));
    }
  }

  @Test
  void tenantId_errorMessage_escapesControlCharactersAndTruncates() {
    assertThatThrownBy(() -> TenantId.of("x\u0000" + "y".repeat(200)))
        .hasMessageContaining("\\u0000")
        .hasMessageContaining("...");
  }

  @Test
  void scope_containsFollowsEachSetId() {
    Scope alice = Scope.user("alice");
    assertThat(alice.contains(new Scope("alice", "bot", "r1"))).isTrue();
    assertThat(alice.contains(Scope.user("bob"))).isFalse();
    assertThat(alice.contains(Scope.tenantWide())).isFalse();
    assertThat(new Scope("alice", "bot", null).contains(Scope.user("alice"))).isFalse();
    assertThat(Scope.of("", null, "")).isEqualTo(Scope.tenantWide());
  }

  @Test
  void scope_refusesWildcardBlankAndControlCharacters() {
    assertThatThrownBy(() -> Scope.user("*")).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> Scope.user(" ")).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> Scope.agent("a\tb"))
        .isInstanceOf(InvalidRequestException.class)
        .satisfies(e -> assertThat(((InvalidRequestException) e).field()).isEqualTo("agent_id"));
    assertThatThrownBy(() -> Scope.run("r".repeat(256)))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void metadata_copiesDeeplyAndRejectsNonJsonValues() {
    List<Object> list = new ArrayList<>(List.of("a", 1));
    Map<String, Object> md = Metadata.validate(Map.of("k", list, "n", 3, "f", 1.5f));
    list.add("changed later");
    assertThat(md.get("k")).isEqualTo(List.of("a", 1L));
    assertThat(md.get("n")).isEqualTo(3L);
    assertThatThrownBy(() -> Metadata.validate(Map.of("k", new Object())))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> Metadata.validate(Map.of("k", Double.NaN)))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> Metadata.validate(Map.of("", 1)))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void textHash_normalisesCaseWhitespaceAndEdgePunctuation() {
    assertThat(TextHash.of("I like tea.")).isEqualTo(TextHash.of("  i LIKE   tea "));
    assertThat(TextHash.of("I like tea")).isNotEqualTo(TextHash.of("I like teas"));
    assertThat(TextHash.normalise("\"Hello,  World!\"")).isEqualTo("hello, world");
  }

  @Test
  void uuid7_isVersion7_unique_andOrderedEvenWhenTheClockStandsStill() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    Uuid7 ids = new Uuid7(clock);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      out.add(ids.get());
    }
    assertThat(new HashSet<>(out)).hasSize(out.size());
    assertThat(out).isSorted();
    UUID first = UUID.fromString(out.get(0));
    assertThat(first.version()).isEqualTo(7);
    assertThat(first.variant()).isEqualTo(2);
    assertThat(first.getMostSignificantBits() >>> 16).isEqualTo(clock.millis());
  }

  @Test
  void search_andPage_validateTheirNumbers() {
    assertThatThrownBy(() -> Search.in(Scope.user("u")).limit(0))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> Search.in(Scope.user("u")).threshold(Double.NaN))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> PageRequest.first(1001))
        .isInstanceOf(InvalidRequestException.class)
        .satisfies(e -> assertThat(((InvalidRequestException) e).field()).isEqualTo("page_size"));
  }
}
