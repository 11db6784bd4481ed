package io.mnemo4j.filter;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A parsed filter: a closed tree that every backend compiles with an exhaustive {@code switch}.
 * Built by {@link FilterParser} from JSON, or directly in Java. Records are immutable and
 * thread-safe.
 *
 * <p>Semantics, identical on every backend (the contract suite checks each against {@link
 * FilterEvaluator}):
 *
 * <ul>
 *   <li>A field holding a list (categories, a metadata array) matches {@code eq}/{@code in}/{@code
 *       contains} and the order comparisons when any element does.
 *   <li>{@code ne} and {@code nin} are the negation of {@code eq} and {@code in}: a memory without
 *       the field matches.
 *   <li>Order comparisons compare numbers with numbers, times with times, and text with text (by
 *       UTF-16 code units); a value of another type never matches.
 * </ul>
 */
public sealed interface FilterExpr {
  /** Matches every memory: the empty filter. */
  record All() implements FilterExpr {}

  /**
   * Matches when every operand does.
   *
   * @param operands at least one
   */
  record And(List<FilterExpr> operands) implements FilterExpr {
    /** Copies the operands. */
    public And {
      operands = List.copyOf(operands);
    }
  }

  /**
   * Matches when any operand does.
   *
   * @param operands at least one
   */
  record Or(List<FilterExpr> operands) implements FilterExpr {
    /** Copies the operands. */
    public Or {
      operands = List.copyOf(operands);
    }
  }

  /**
   * Matches when the operand does not.
   *
   * @param operand the negated filter
   */
  record Not(FilterExpr operand) implements FilterExpr {}

  /**
   * {@code field op value} for {@code eq ne gt gte lt lte}.
   *
   * @param field the field
   * @param op the operator
   * @param value the value
   */
  record Compare(Field field, Op op, Value value) implements FilterExpr {
    /** Checks nulls. */
    public Compare {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(op, "op");
      Objects.requireNonNull(value, "value");
    }
  }

  /**
   * {@code in} (or {@code nin} when negated).
   *
   * @param field the field
   * @param values candidates, at least one
   * @param negated true for {@code nin}
   */
  record In(Field field, List<Value> values, boolean negated) implements FilterExpr {
    /** Copies the values. */
    public In {
      values = List.copyOf(values);
    }
  }

  /**
   * Substring match on text ({@code contains}, or {@code icontains} when ignoring case, by Unicode
   * lower case).
   *
   * @param field the field
   * @param text the substring
   * @param ignoreCase true for {@code icontains}
   */
  record Contains(Field field, String text, boolean ignoreCase) implements FilterExpr {}

  /**
   * The field is present ({@code "*"}).
   *
   * @param field the field
   */
  record Present(Field field) implements FilterExpr {}

  /** Comparison operators. */
  enum Op {
    /** Equal. */
    EQ,
    /** Not equal (a missing field matches). */
    NE,
    /** Greater than. */
    GT,
    /** Greater than or equal. */
    GTE,
    /** Less than. */
    LT,
    /** Less than or equal. */
    LTE
  }

  /**
   * A filterable field.
   *
   * @param kind which field
   * @param key the metadata key for {@link Kind#METADATA} (a top-level key of the metadata object),
   *     else empty
   */
  record Field(Kind kind, String key) {
    /** Checks that only metadata fields carry a key. */
    public Field {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(key, "key");
      if ((kind == Kind.METADATA) == key.isEmpty()) {
        throw new IllegalArgumentException(
            "a metadata field needs a key, other fields must not have one");
      }
    }

    /** A built-in field. */
    public static Field of(Kind kind) {
      return new Field(kind, "");
    }

    /** A top-level metadata key. */
    public static Field metadata(String key) {
      return new Field(Kind.METADATA, key);
    }
  }

  /** The fields a filter may name. */
  enum Kind {
    /** {@code user_id}: narrows within the tenant, never widens. */
    USER_ID,
    /** {@code agent_id}. */
    AGENT_ID,
    /** {@code run_id}. */
    RUN_ID,
    /** {@code created_at} (time). */
    CREATED_AT,
    /** {@code updated_at} (time). */
    UPDATED_AT,
    /** {@code valid_from}: when the fact started to hold (time; absent when unknown). */
    VALID_FROM,
    /** {@code valid_to}: when the fact stopped holding (time; absent while it holds). */
    VALID_TO,
    /** {@code expires_at} (time; absent when it never expires). */
    EXPIRES_AT,
    /** {@code memory_type}: {@code episodic}, {@code semantic} or {@code procedural}. */
    MEMORY_TYPE,
    /** {@code categories} (list of text). */
    CATEGORIES,
    /** {@code role} of the source message ({@code user}, {@code assistant}...). */
    ROLE,
    /** {@code actor}: the speaker's or agent's name. */
    ACTOR,
    /** A metadata key: {@code metadata.<key>} or {@code {"metadata": {"<key>": ...}}}. */
    METADATA;

    /** Whether the field holds an instant. */
    public boolean isTime() {
      return this == CREATED_AT
          || this == UPDATED_AT
          || this == VALID_FROM
          || this == VALID_TO
          || this == EXPIRES_AT;
    }
  }

  /** A literal in a filter. */
  sealed interface Value {
    /**
     * Text.
     *
     * @param value the text
     */
    record Text(String value) implements Value {}

    /**
     * A finite number.
     *
     * @param value the number
     */
    // The filter language's own name for the type, in the public API since the first release.
    @SuppressWarnings("AvoidCommonTypeNames")
    record Number(double value) implements Value {}

    /**
     * A boolean.
     *
     * @param value the boolean
     */
    record Bool(boolean value) implements Value {}

    /**
     * An instant (for the time fields).
     *
     * @param value the instant
     */
    record Time(Instant value) implements Value {}
  }
}
