package io.mnemo4j.internal.ingest;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether two texts carry the same information: the lexical half of near-duplicate detection. A
 * vector says two texts are about the same thing; only their words can say they state the same
 * thing ("My phone number is 555-0100" and "...555-0199" embed almost identically). Stateless but
 * for {@link Memo}.
 *
 * <p>Both texts become token sequences: NFKC, lower case, punctuation dropped except inside numbers
 * ({@code 555-0100}, {@code 3.5}, {@code 12:30} and a leading sign stay one token), letters and
 * digits split ({@code 5km} → {@code 5 km}), currency, percent, degree and math symbols kept as
 * tokens. Then:
 *
 * <ul>
 *   <li>{@link Memo#sameText}: the sequences are equal: the texts differ only in case, whitespace
 *       and punctuation.
 *   <li>{@link Memo#sameInformation}: the sequences are equal once contractions are spelled out
 *       ("don't" → "do not", so a negation is always a word) and articles, interjections and
 *       courtesy words are dropped. Every number, symbol, name, negation and other word must match
 *       exactly and in the same order ("Alice owes Bob" is not "Bob owes Alice").
 * </ul>
 *
 * <p>Misspellings are deliberately not forgiven: a one-letter change is as often another word
 * (house/horse, later/latter, trail/trial) as a typo, and storing a repeated fact twice loses
 * nothing while merging two facts loses one.
 */
final class SameInformation {
  private SameInformation() {}

  /**
   * Words that carry no information of their own: articles, interjections, courtesy. Deliberately
   * tiny: an adverb such as "really" or "not", a pronoun or a preposition can change what a
   * sentence says, so they must match.
   */
  private static final Set<String> FILLERS =
      Set.of(
          "a", "an", "the", "um", "umm", "uh", "uhm", "er", "erm", "hmm", "hm", "oh", "ah",
          "please", "thanks", "ok", "okay");

  private static final Pattern APOSTROPHES = Pattern.compile("[\u2018\u2019\u02bc`\u00b4]");
  private static final Pattern CANNOT = Pattern.compile("(?i)\\bcannot\\b");
  private static final Pattern CANT = Pattern.compile("(?i)\\bcan't\\b");
  private static final Pattern WONT = Pattern.compile("(?i)\\bwon't\\b");
  private static final Pattern SHANT = Pattern.compile("(?i)\\bshan't\\b");
  private static final Pattern NT = Pattern.compile("(?i)n't\\b");
  private static final Pattern AM = Pattern.compile("(?i)(?<=\\p{L})'m\\b");
  private static final Pattern ARE = Pattern.compile("(?i)(?<=\\p{L})'re\\b");
  private static final Pattern HAVE = Pattern.compile("(?i)(?<=\\p{L})'ve\\b");
  private static final Pattern WILL = Pattern.compile("(?i)(?<=\\p{L})'ll\\b");
  private static final Pattern WOULD = Pattern.compile("(?i)(?<=\\p{L})'d\\b");

  /**
   * One token: a number (digits with inner separators, optionally signed), a run of letters, or one
   * symbol that carries meaning (currency, math, percent, degree, #, &amp;, @).
   */
  private static final Pattern TOKEN =
      Pattern.compile(
          "(?<number>(?:(?<![\\p{L}\\p{N}])[+\\-\u2212])?\\p{N}+(?:[.,:/\\-]\\p{N}+)*)"
              + "|(?<word>[\\p{L}\\p{M}]+)"
              + "|(?<symbol>[\\p{Sc}\\p{Sm}%\u00b0#&@])");

  /**
   * A token of a text.
   *
   * @param text the token, lower case
   * @param kind what it is
   */
  record Token(String text, Kind kind) {}

  /** What a token is. */
  enum Kind {
    /** Digits, possibly with inner separators and a sign. */
    NUMBER,
    /** A run of letters. */
    WORD,
    /** A meaningful symbol. */
    SYMBOL
  }

  /** The tokens of {@code text}, in order; contractions spelled out if {@code expand}. */
  static List<Token> tokens(String text, boolean expand) {
    return tokens(text, expand, false);
  }

  /**
   * {@link #tokens(String, boolean)}; {@code everyPattern} runs every contraction pattern even on a
   * text none can match (the reference the shortcut is tested against).
   */
  static List<Token> tokens(String text, boolean expand, boolean everyPattern) {
    String s = Normalizer.normalize(text, Normalizer.Form.NFKC);
    s = APOSTROPHES.matcher(s).replaceAll("'");
    // Every contraction but "cannot" holds an apostrophe: without either, the ten passes (each a
    // scan and a new string) cannot change the text.
    if (expand && (everyPattern || mayContract(s))) {
      s = expandContractions(s);
    }
    List<Token> out = new ArrayList<>();
    Matcher m = TOKEN.matcher(s);
    while (m.find()) {
      if (m.group("number") != null) {
        out.add(new Token(m.group("number").replace('\u2212', '-'), Kind.NUMBER));
      } else if (m.group("word") != null) {
        out.add(new Token(m.group("word").toLowerCase(Locale.ROOT), Kind.WORD));
      } else {
        out.add(new Token(m.group("symbol"), Kind.SYMBOL));
      }
    }
    return out;
  }

  /**
   * Whether a contraction pattern may match: an apostrophe, or "cannot" in any ASCII case (lower
   * casing keeps an ASCII run as it is, whatever it does to the characters around it).
   */
  private static boolean mayContract(String s) {
    return s.indexOf('\'') >= 0 || s.toLowerCase(Locale.ROOT).contains("cannot");
  }

  private static String expandContractions(String text) {
    String s = CANNOT.matcher(text).replaceAll("can not");
    s = CANT.matcher(s).replaceAll("can not");
    s = WONT.matcher(s).replaceAll("will not");
    s = SHANT.matcher(s).replaceAll("shall not");
    s = NT.matcher(s).replaceAll(" not");
    s = AM.matcher(s).replaceAll(" am");
    s = ARE.matcher(s).replaceAll(" are");
    s = HAVE.matcher(s).replaceAll(" have");
    s = WILL.matcher(s).replaceAll(" will");
    s = WOULD.matcher(s).replaceAll(" would");
    return s;
  }

  /**
   * The two comparisons of the class comment. Each text is tokenised once however often it is
   * compared: an add compares each new text with every earlier one of the call that its vector
   * nominates, and with context windows (neighbouring turns share context) most are nominated. One
   * per add; not thread-safe.
   */
  static final class Memo {
    private final Map<String, List<Token>> plain = new HashMap<>();
    private final Map<String, List<Token>> content = new HashMap<>();

    /** Whether the texts differ only in case, whitespace and punctuation. */
    boolean sameText(String a, String b) {
      List<Token> x = plain(a);
      return !x.isEmpty() && x.equals(plain(b));
    }

    /**
     * Whether the texts state the same thing: equal token sequences once contractions are spelled
     * out and articles, interjections and courtesy words dropped (see the class comment).
     */
    boolean sameInformation(String a, String b) {
      List<Token> x = content(a);
      return !x.isEmpty() && x.equals(content(b));
    }

    private List<Token> plain(String text) {
      return plain.computeIfAbsent(text, t -> tokens(t, false));
    }

    private List<Token> content(String text) {
      return content.computeIfAbsent(text, t -> SameInformation.content(tokens(t, true)));
    }
  }

  private static List<Token> content(List<Token> tokens) {
    List<Token> out = new ArrayList<>(tokens.size());
    for (Token t : tokens) {
      if (t.kind() != Kind.WORD || !FILLERS.contains(t.text())) {
        out.add(t);
      }
    }
    return out;
  }
}
