package io.mnemo4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mnemo4j.filter.FilterParser;
import io.mnemo4j.testing.HashingEmbedder;
import io.mnemo4j.testing.InMemoryBackend;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounds the core enforces on what callers hand it (issue 9, "Bad input is a 4xx, never a 500,
 * never silent"), so that the Java API refuses what the server refuses.
 */
class InputBoundsTest {
  @TempDir Path dir;

  /**
   * Regression: {@code Search} accepted a threshold above 1; no cosine similarity reaches it, so
   * every search silently found nothing.
   */
  @Test
  void search_thresholdOutsideZeroToOne_isRefusedNamingThreshold() {
    for (double t : new double[] {1.0000001, 1.5, 7, -0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> Search.in(Scope.user("a")).threshold(t))
          .as("%s", t)
          .isInstanceOf(InvalidRequestException.class)
          .satisfies(e -> assertThat(((InvalidRequestException) e).field()).isEqualTo("threshold"));
    }
    assertThat(Search.in(Scope.user("a")).threshold(1).threshold()).isEqualTo(1);
    assertThat(Search.in(Scope.user("a")).threshold(0).threshold()).isZero();
  }

  /**
   * Regression: a metadata integer beyond 64 bits was narrowed with {@code BigInteger.longValue()},
   * keeping its low 64 bits: 2^64-1 became -1. It is refused naming its path; the 64-bit extremes
   * are kept exactly.
   */
  @Test
  void metadata_integerBeyond64Bits_isRefusedNamingItsPath() {
    BigInteger twoTo64Minus1 = BigInteger.TWO.pow(64).subtract(BigInteger.ONE);
    for (BigInteger n :
        List.of(
            twoTo64Minus1,
            BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE),
            BigInteger.valueOf(Long.MIN_VALUE).subtract(BigInteger.ONE))) {
      assertThatThrownBy(() -> Metadata.validate(Map.of("a", Map.of("n", List.of(n)))))
          .as("%s", n)
          .isInstanceOf(InvalidRequestException.class)
          .satisfies(
              e -> assertThat(((InvalidRequestException) e).field()).isEqualTo("metadata.a.n[0]"));
    }
    Map<String, Object> kept =
        Metadata.validate(
            Map.of(
                "max",
                BigInteger.valueOf(Long.MAX_VALUE),
                "min",
                BigInteger.valueOf(Long.MIN_VALUE)));
    assertThat(kept).containsEntry("max", Long.MAX_VALUE).containsEntry("min", Long.MIN_VALUE);
  }

  /**
   * Regression: a filter time such as {@code +999999999-12-31} parsed and then overflowed in the
   * stores' encodings (a 500). Filter times lie between the years 0001 and 9999.
   */
  @Test
  void filter_timeOutsideYears1To9999_isRefusedNamingThePath() {
    for (String t :
        List.of("+999999999-12-31", "+10000-01-01T00:00:00Z", "-0001-12-31", "-999999999-01-01")) {
      assertThatThrownBy(
              () -> FilterParser.parse("{\"AND\":[{\"created_at\":{\"gte\":\"" + t + "\"}}]}"))
          .as(t)
          .isInstanceOf(InvalidRequestException.class)
          .satisfies(
              e ->
                  assertThat(((InvalidRequestException) e).field())
                      .isEqualTo("filters.AND[0].created_at.gte"));
    }
    FilterParser.parse(
        "{\"created_at\":{\"gte\":\"0001-01-01\",\"lte\":\"9999-12-31T23:59:59Z\"}}");
  }

  @Test
  void timeRange_coversFourDigitYearsOnly() {
    assertThat(TimeRange.contains(TimeRange.MIN)).isTrue();
    assertThat(TimeRange.contains(TimeRange.MAX)).isTrue();
    assertThat(TimeRange.contains(TimeRange.MAX.plusNanos(1))).isFalse();
    assertThat(TimeRange.contains(TimeRange.MIN.minusNanos(1))).isFalse();
    assertThat(TimeRange.contains(Instant.MAX)).isFalse();
    assertThatThrownBy(() -> TimeRange.check("expires_at", Instant.MAX))
        .isInstanceOf(InvalidRequestException.class)
        .satisfies(e -> assertThat(((InvalidRequestException) e).field()).isEqualTo("expires_at"));
  }

  /**
   * {@code rotateAdmin} issues a new admin key and revokes every other admin key, leaving tenant
   * keys alone (the operator's way out of a lost or leaked admin key).
   */
  @Test
  void apiKeys_rotateAdmin_revokesEveryOtherAdminKeyOnly() {
    try (Mnemo mnemo =
        Mnemo.builder()
            .dataDir(dir)
            .embedder(new HashingEmbedder())
            .backend(new InMemoryBackend())
            .build()) {
      ApiKeys keys = mnemo.admin().keys();
      String first = keys.issueAdmin().secret();
      keys.registerAdminSecret("an-operator-chosen-secret");
      mnemo.admin().createTenant("acme");
      String tenantKey = keys.issue(TenantId.of("acme"), null).secret();

      ApiKeys.Issued fresh = keys.rotateAdmin();

      assertThat(keys.listAdmin()).extracting(k -> k.id()).containsExactly(fresh.key().id());
      assertThat(keys.authenticate(fresh.secret())).isPresent();
      assertThat(keys.authenticate(first)).isEmpty();
      assertThat(keys.authenticate("an-operator-chosen-secret")).isEmpty();
      assertThat(keys.authenticate(tenantKey)).isPresent();
    }
  }
}
