package io.mnemo4j.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.TenantId;
import java.time.Duration;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Names, keys, options and encodings that need no database. */
class NamesAndOptionsTest {
  @Test
  void tenantSchema_fitsIn63Bytes_staysReadable_andIsStable() {
    assertThat(Names.tenantSchema("mnemo_t_", TenantId.of("acme-corp")))
        .isEqualTo("mnemo_t_acme-corp");
    String longId = "a".repeat(63);
    String name = Names.tenantSchema("mnemo_t_", TenantId.of(longId));
    assertThat(name).hasSize(63).startsWith("mnemo_t_aaaa").matches(".*_[0-9a-f]{10}");
    assertThat(Names.tenantSchema("mnemo_t_", TenantId.of(longId))).isEqualTo(name);
    assertThat(Names.tenantSchema("mnemo_t_", TenantId.of("a".repeat(62) + "b")))
        .isNotEqualTo(name);
    // 55 characters still fit whole.
    assertThat(Names.tenantSchema("mnemo_t_", TenantId.of("b".repeat(55))))
        .isEqualTo("mnemo_t_" + "b".repeat(55));
  }

  @Test
  void quoteAndLiteral_escape() {
    assertThat(Names.quote("a\"b")).isEqualTo("\"a\"\"b\"");
    assertThat(Names.literal("it's \\ fine")).isEqualTo("'it''s \\ fine'");
    assertThatThrownBy(() -> Names.literal("nul\0")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void lockKey_isStableAcrossRunsAndDistinguishesAbsentFromEmpty() {
    // Pinned: processes of different versions must agree on the key of a scope.
    assertThat(Names.lockKey("scope", "mnemo_t_", "acme", "alice", null, null))
        .isEqualTo(Names.lockKey("scope", "mnemo_t_", "acme", "alice", null, null));
    assertThat(Names.lockKey("bootstrap")).isEqualTo(6566531880083911997L);
    assertThat(Names.lockKey("a", null)).isNotEqualTo(Names.lockKey("a", ""));
    assertThat(Names.lockKey("a", "b", null)).isNotEqualTo(Names.lockKey("a", null, "b"));
  }

  @Test
  void exactNanos_roundTripEveryInstant() {
    for (Instant t :
        new Instant[] {
          Instant.parse("1500-01-01T00:00:00.000000001Z"),
          Instant.EPOCH.minusNanos(1),
          Instant.EPOCH,
          Instant.parse("3000-01-01T00:00:00.999999999Z"),
          Instant.MIN,
          Instant.MAX
        }) {
      assertThat(Pg.instant(Pg.nanos(t))).isEqualTo(t);
    }
  }

  @Test
  void options_defaultsUserFromUrlAndValidation() {
    PostgresOptions o =
        PostgresOptions.of("jdbc:postgresql://db:5432/mnemo?user=app&password=s3cret");
    assertThat(o.user()).isEqualTo("app");
    assertThat(o.poolSize()).isEqualTo(8);
    assertThat(o.schemaPrefix()).isEqualTo("mnemo_t_");
    assertThat(o.rlsRole()).isEqualTo("mnemo_rls");
    assertThat(o.searchRole()).isEqualTo("mnemo_rls_search");
    assertThat(o.toString()).doesNotContain("s3cret");
    assertThat(o.withPassword(() -> "pw").toString()).doesNotContain("pw]").contains("(supplied)");
    assertThat(PostgresOptions.of("jdbc:postgresql://db/mnemo").user()).isEqualTo("postgres");

    assertThatThrownBy(() -> PostgresOptions.of("jdbc:mysql://db/x"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("jdbcUrl");
    assertThatThrownBy(() -> o.withPoolSize(1)).hasMessageContaining("poolSize");
    assertThatThrownBy(() -> o.withSchemaPrefix("Bad-Prefix")).hasMessageContaining("schemaPrefix");
    assertThatThrownBy(() -> o.withSchemaPrefix("mnemo_")).hasMessageContaining("mnemo_catalog");
    assertThatThrownBy(() -> o.withRlsRole("x".repeat(57))).hasMessageContaining("rlsRole");
    assertThatThrownBy(() -> o.withConnectTimeout(Duration.ofMillis(5)))
        .hasMessageContaining("connectTimeout");
    assertThatThrownBy(() -> o.withPasswordFromEnv("MNEMO_SURELY_UNSET_VARIABLE").password().get())
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("MNEMO_SURELY_UNSET_VARIABLE");
  }

  @Test
  void pgvectorVersion_comparison() {
    assertThat(Bootstrap.atLeast("0.8.0", Bootstrap.MIN_PGVECTOR)).isTrue();
    assertThat(Bootstrap.atLeast("0.10.1", Bootstrap.MIN_PGVECTOR)).isTrue();
    assertThat(Bootstrap.atLeast("0.7.4", Bootstrap.MIN_PGVECTOR)).isFalse();
    assertThat(Bootstrap.atLeast("1.0", Bootstrap.MIN_PGVECTOR)).isTrue();
  }

  /** The sort key's code point order is Java's UTF-16 order, whatever the characters. */
  @Property(tries = 2000)
  void u16Key_ordersByCodePointAsJavaOrdersByCodeUnit(
      @ForAll("texts") String a, @ForAll("texts") String b) {
    int java = Integer.signum(a.compareTo(b));
    int key = Integer.signum(compareCodePoints(SqlFilter.u16Key(a), SqlFilter.u16Key(b)));
    assertThat(key).as("%s vs %s", a, b).isEqualTo(java);
  }

  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> ch =
        Arbitraries.of(
            "a",
            "z",
            "\u00e9",
            "\uD7FF",
            "\uE000",
            "\uE001",
            "\uFFFD",
            "\uFFFF",
            "\uD800\uDC00",
            "\uD834\uDD1E",
            "\uDBFF\uDFFF",
            "\u0001",
            "\u1000",
            "\u2FFF");
    return ch.list().ofMaxSize(5).map(l -> String.join("", l));
  }

  private static int compareCodePoints(String a, String b) {
    int[] x = a.codePoints().toArray();
    int[] y = b.codePoints().toArray();
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      if (x[i] != y[i]) {
        return Integer.compare(x[i], y[i]);
      }
    }
    return Integer.compare(x.length, y.length);
  }
}
