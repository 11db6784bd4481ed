package io.mnemo4j.testing;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Near misses of valid text for parser property tests: a valid string cut short, or with one
 * character dropped, inserted or replaced, which is where hand-written parsers go wrong.
 */
public final class NearMisses {
  private NearMisses() {}

  /** Strings one edit away from {@code valid}, the edited-in character drawn from {@code chars}. */
  public static Arbitrary<String> of(Arbitrary<String> valid, Arbitrary<Character> chars) {
    return Combinators.combine(
            valid, Arbitraries.integers().between(0, 10_000), Arbitraries.of(0, 1, 2, 3), chars)
        .as(
            (text, at, how, c) -> {
              int i = at % (text.length() + 1);
              boolean inside = i < text.length();
              return switch (how) {
                case 0 -> text.substring(0, i);
                case 1 -> inside ? text.substring(0, i) + text.substring(i + 1) : text;
                case 2 -> text.substring(0, i) + c + text.substring(i);
                default -> inside ? text.substring(0, i) + c + text.substring(i + 1) : text + c;
              };
            });
  }
}
