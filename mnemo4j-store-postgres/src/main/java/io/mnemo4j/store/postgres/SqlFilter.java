package io.mnemo4j.store.postgres;

import io.mnemo4j.Scope;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.filter.FilterExpr.Field;
import io.mnemo4j.filter.FilterExpr.Value;
import io.mnemo4j.internal.store.StoredJson;
import io.mnemo4j.spi.ScopeFilter;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Compiles scope filters and filter expressions into SQL boolean expressions over a tenant's {@code
 * memories} table, with exactly the semantics of {@link io.mnemo4j.filter.FilterEvaluator}:
 *
 * <ul>
 *   <li>A field has a list of values: none when missing, one for a scalar, the elements of {@code
 *       categories} or of a metadata array. {@code eq}, {@code in}, {@code contains} and the order
 *       operators match when any value does ({@code EXISTS} over the elements).
 *   <li>Every compiled expression is TRUE or FALSE, never NULL ({@code col IS NOT NULL AND ...}),
 *       so {@code NOT}, {@code ne} and {@code nin} are plain negations and match a missing field.
 *   <li>Types are strict: text matches text, numbers compare as {@code float8} as Java compares
 *       doubles (so {@code 1} equals {@code 1.0}, NaN matches nothing), booleans only by equality,
 *       times (exact epoch nanoseconds) only with the time fields. JSON types are tested with
 *       {@code CASE}, which, unlike {@code AND}, guarantees the cast never sees another type.
 *   <li>Text order is Java's {@link String#compareTo} (UTF-16 code units): {@code mnemo_u16} maps a
 *       text to a key whose byte order ({@code COLLATE "C"}) is that order (see {@link #u16Key}).
 *   <li>{@code icontains} lower-cases with ICU's root locale ({@code und-x-icu}), the full Unicode
 *       mapping Java's {@code toLowerCase(Locale.ROOT)} applies; the needle is lowered in Java.
 * </ul>
 *
 * Literals always travel as bind parameters. Thread-safe (immutable).
 */
final class SqlFilter {
  /** Case mapping for {@code icontains}: ICU's root locale, as Java's Locale.ROOT. */
  static final String ICU_COLLATION = "und-x-icu";

  private final String u16; // schema-qualified sort-key function

  /** A compiler for the tenant schema {@code quotedSchema} (which holds {@code mnemo_u16}). */
  SqlFilter(String quotedSchema) {
    this.u16 = quotedSchema + ".mnemo_u16";
  }

  /** A SQL boolean expression and its parameters in order. */
  record Sql(String text, List<Object> params) {
    static final Sql TRUE = new Sql("TRUE", List.of());
    static final Sql FALSE = new Sql("FALSE", List.of());

    Sql {
      params = Collections.unmodifiableList(new ArrayList<>(params));
    }

    static Sql of(String text, Object... params) {
      return new Sql(text, List.of(params));
    }

    boolean isTrue() {
      return this == TRUE;
    }

    boolean isFalse() {
      return this == FALSE;
    }

    /** Binds the parameters from position {@code first}; returns the next free position. */
    int bind(PreparedStatement ps, int first) throws SQLException {
      int i = first;
      for (Object p : params) {
        switch (p) {
          case String s -> ps.setString(i, s);
          case BigDecimal d -> ps.setBigDecimal(i, d);
          case Double d -> ps.setDouble(i, d);
          case Boolean b -> ps.setBoolean(i, b);
          default -> throw new IllegalStateException("unexpected parameter type " + p.getClass());
        }
        i++;
      }
      return i;
    }
  }

  /** The expression for memories passing both filters. */
  Sql compile(ScopeFilter scope, FilterExpr filter) {
    return and(List.of(scope(scope), filter(filter)));
  }

  // ------------------------------------------------------------------------------ scope

  /** Scope filters use plain column equality, which B-tree indexes serve even under RLS. */
  static Sql scope(ScopeFilter filter) {
    return switch (filter) {
      case ScopeFilter.Exact exact -> exactScope(exact.scope());
      case ScopeFilter.Within within -> {
        Scope s = within.scope();
        List<Sql> parts = new ArrayList<>();
        if (s.userId() != null) {
          parts.add(Sql.of("user_id = ?", s.userId()));
        }
        if (s.agentId() != null) {
          parts.add(Sql.of("agent_id = ?", s.agentId()));
        }
        if (s.runId() != null) {
          parts.add(Sql.of("run_id = ?", s.runId()));
        }
        Sql inside = and(parts);
        yield within.includeTenantWide()
            ? or(List.of(inside, exactScope(Scope.tenantWide())))
            : inside;
      }
      case ScopeFilter.Everything everything -> Sql.TRUE;
    };
  }

  static Sql exactScope(Scope s) {
    return and(
        List.of(
            idEquals("user_id", s.userId()),
            idEquals("agent_id", s.agentId()),
            idEquals("run_id", s.runId())));
  }

  private static Sql idEquals(String column, @Nullable String id) {
    return id == null ? new Sql(column + " IS NULL", List.of()) : Sql.of(column + " = ?", id);
  }

  // ------------------------------------------------------------------------------ filter

  Sql filter(FilterExpr expr) {
    return switch (expr) {
      case FilterExpr.All all -> Sql.TRUE;
      case FilterExpr.And and -> and(and.operands().stream().map(this::filter).toList());
      case FilterExpr.Or or -> or(or.operands().stream().map(this::filter).toList());
      case FilterExpr.Not not -> not(filter(not.operand()));
      case FilterExpr.Compare c ->
          switch (c.op()) {
            case EQ -> anyEqual(c.field(), List.of(c.value()));
            case NE -> not(anyEqual(c.field(), List.of(c.value())));
            case GT -> anyOrder(c.field(), ">", c.value());
            case GTE -> anyOrder(c.field(), ">=", c.value());
            case LT -> anyOrder(c.field(), "<", c.value());
            case LTE -> anyOrder(c.field(), "<=", c.value());
          };
      case FilterExpr.In in -> {
        Sql any = anyEqual(in.field(), in.values());
        yield in.negated() ? not(any) : any;
      }
      case FilterExpr.Contains c -> contains(c.field(), c.text(), c.ignoreCase());
      case FilterExpr.Present p -> present(p.field());
    };
  }

  /** How a field is stored, which decides how its values are reached. */
  private enum Shape {
    /** A nullable text column. */
    TEXT,
    /** A nullable numeric column of epoch nanoseconds. */
    TIME,
    /** The text[] column of categories. */
    CATEGORIES,
    /** A key of the jsonb column {@code meta}. */
    METADATA
  }

  private static Shape shape(Field field) {
    return switch (field.kind()) {
      case USER_ID, AGENT_ID, RUN_ID, ROLE, ACTOR, MEMORY_TYPE -> Shape.TEXT;
      case CREATED_AT, UPDATED_AT, VALID_FROM, VALID_TO, EXPIRES_AT -> Shape.TIME;
      case CATEGORIES -> Shape.CATEGORIES;
      case METADATA -> Shape.METADATA;
    };
  }

  private static String column(Field field) {
    return switch (field.kind()) {
      case USER_ID -> "user_id";
      case AGENT_ID -> "agent_id";
      case RUN_ID -> "run_id";
      case ROLE -> "role";
      case ACTOR -> "actor";
      case MEMORY_TYPE -> "memory_type";
      case CREATED_AT -> "created_at";
      case UPDATED_AT -> "updated_at";
      case VALID_FROM -> "valid_from";
      case VALID_TO -> "valid_to";
      case EXPIRES_AT -> "expires_at";
      case CATEGORIES -> "categories";
      case METADATA -> "meta";
    };
  }

  /** Some value of the field equals one of {@code candidates} (of its own type). */
  private Sql anyEqual(Field field, List<Value> candidates) {
    List<Object> texts = new ArrayList<>();
    List<Object> numbers = new ArrayList<>();
    List<Object> bools = new ArrayList<>();
    List<Object> times = new ArrayList<>();
    for (Value v : candidates) {
      switch (v) {
        case Value.Text t -> texts.add(t.value());
        case Value.Number n -> {
          if (!Double.isNaN(n.value())) { // NaN equals nothing, but NaN = NaN in PostgreSQL
            numbers.add(n.value());
          }
        }
        case Value.Bool b -> bools.add(b.value());
        case Value.Time t -> times.add(Pg.nanos(t.value()));
      }
    }
    String c = column(field);
    return switch (shape(field)) {
      case TEXT ->
          texts.isEmpty()
              ? Sql.FALSE
              : new Sql("(" + c + " IS NOT NULL AND " + c + " IN (" + marks(texts) + "))", texts);
      case TIME ->
          times.isEmpty()
              ? Sql.FALSE
              : new Sql(
                  "(" + c + " IS NOT NULL AND " + c + " IN (" + marks(times, "::numeric") + "))",
                  times);
      case CATEGORIES ->
          texts.isEmpty()
              ? Sql.FALSE
              : new Sql("categories && ARRAY[" + marks(texts, "::text") + "]", texts);
      case METADATA -> {
        StringBuilder branches = new StringBuilder();
        List<Object> params = new ArrayList<>();
        if (!texts.isEmpty()) {
          branches.append(" WHEN 'string' THEN (v #>> '{}') IN (").append(marks(texts)).append(")");
          params.addAll(texts);
        }
        if (!numbers.isEmpty()) {
          branches
              .append(" WHEN 'number' THEN (v)::float8 IN (")
              .append(marks(numbers, "::float8"))
              .append(")");
          params.addAll(numbers);
        }
        if (!bools.isEmpty()) {
          branches
              .append(" WHEN 'boolean' THEN (v)::boolean IN (")
              .append(marks(bools, "::boolean"))
              .append(")");
          params.addAll(bools);
        }
        if (branches.isEmpty()) {
          yield Sql.FALSE;
        }
        Sql exact =
            anyElement(
                field.key(),
                new Sql("CASE jsonb_typeof(v)" + branches + " ELSE FALSE END", params));
        yield containment(field.key(), texts, numbers, bools)
            .map(
                pre -> new Sql("(" + pre.text() + " AND " + exact.text() + ")", concat(pre, exact)))
            .orElse(exact);
      }
    };
  }

  /**
   * A cheap necessary condition for metadata equality, tested before the exact element-wise check:
   * jsonb containment ({@code meta @> {"k": v}} or {@code {"k": [v]}}) costs a fraction of
   * expanding the value per row, which matters because, under row-level security, no index serves
   * jsonb operators and every candidate row is tested. Containment compares numbers as numerics,
   * not as doubles: it is necessary only for numbers below 2^53 in magnitude (where no other long
   * rounds to the same double), so a larger number disables the shortcut.
   */
  private static java.util.Optional<Sql> containment(
      String key, List<Object> texts, List<Object> numbers, List<Object> bools) {
    List<Object> values = new ArrayList<>(texts);
    for (Object n : numbers) {
      if (Math.abs((Double) n) >= 0x1p53) {
        return java.util.Optional.empty();
      }
      values.add(n);
    }
    values.addAll(bools);
    List<String> alternatives = new ArrayList<>();
    List<Object> params = new ArrayList<>();
    for (Object v : values) {
      alternatives.add("meta @> ?::jsonb");
      params.add(StoredJson.write(java.util.Map.of(key, v)));
      alternatives.add("meta @> ?::jsonb");
      params.add(StoredJson.write(java.util.Map.of(key, List.of(v))));
    }
    return java.util.Optional.of(new Sql("(" + String.join(" OR ", alternatives) + ")", params));
  }

  private static List<Object> concat(Sql a, Sql b) {
    List<Object> out = new ArrayList<>(a.params());
    out.addAll(b.params());
    return out;
  }

  /** Some value of the field, of the bound's type, compares with it as {@code op} says. */
  private Sql anyOrder(Field field, String op, Value bound) {
    String c = column(field);
    Shape shape = shape(field);
    return switch (bound) {
      case Value.Text t -> {
        String key = u16Key(t.value());
        yield switch (shape) {
          case TEXT ->
              Sql.of(
                  "(" + c + " IS NOT NULL AND " + u16 + "(" + c + ") COLLATE \"C\" " + op + " ?)",
                  key);
          case TIME -> Sql.FALSE;
          case CATEGORIES ->
              Sql.of(
                  "EXISTS (SELECT 1 FROM unnest(categories) AS e(v) WHERE "
                      + u16
                      + "(v) COLLATE \"C\" "
                      + op
                      + " ?)",
                  key);
          case METADATA ->
              anyElement(
                  field.key(),
                  Sql.of(
                      "CASE WHEN jsonb_typeof(v) = 'string' THEN "
                          + u16
                          + "(v #>> '{}') COLLATE \"C\" "
                          + op
                          + " ? ELSE FALSE END",
                      key));
        };
      }
      case Value.Number n ->
          shape != Shape.METADATA || Double.isNaN(n.value())
              ? Sql.FALSE
              : anyElement(
                  field.key(),
                  Sql.of(
                      "CASE WHEN jsonb_typeof(v) = 'number' THEN (v)::float8 "
                          + op
                          + " ?::float8 ELSE FALSE END",
                      n.value()));
      case Value.Time t ->
          shape != Shape.TIME
              ? Sql.FALSE
              : Sql.of(
                  "(" + c + " IS NOT NULL AND " + c + " " + op + " ?::numeric)",
                  Pg.nanos(t.value()));
      case Value.Bool b -> Sql.FALSE; // booleans have no order
    };
  }

  /** Some text value of the field contains {@code text}. */
  private Sql contains(Field field, String text, boolean ignoreCase) {
    String needle = ignoreCase ? text.toLowerCase(Locale.ROOT) : text;
    String c = column(field);
    return switch (shape(field)) {
      case TEXT ->
          Sql.of("(" + c + " IS NOT NULL AND " + containsExpr(c, ignoreCase) + ")", needle);
      case TIME -> Sql.FALSE;
      case CATEGORIES ->
          Sql.of(
              "EXISTS (SELECT 1 FROM unnest(categories) AS e(v) WHERE "
                  + containsExpr("v", ignoreCase)
                  + ")",
              needle);
      case METADATA ->
          anyElement(
              field.key(),
              Sql.of(
                  "CASE WHEN jsonb_typeof(v) = 'string' THEN "
                      + containsExpr("(v #>> '{}')", ignoreCase)
                      + " ELSE FALSE END",
                  needle));
    };
  }

  private static String containsExpr(String value, boolean ignoreCase) {
    return ignoreCase
        ? "strpos(lower(" + value + " COLLATE \"" + ICU_COLLATION + "\"), ?) > 0"
        : "strpos(" + value + ", ?) > 0";
  }

  private static Sql present(Field field) {
    String c = column(field);
    return switch (shape(field)) {
      case TEXT, TIME -> new Sql(c + " IS NOT NULL", List.of());
      case CATEGORIES -> new Sql("cardinality(categories) > 0", List.of());
      case METADATA -> Sql.of("(meta -> ?::text) IS NOT NULL", field.key());
    };
  }

  /**
   * {@code predicate} (over {@code v}, a jsonb value) holds for some value of a metadata key: the
   * elements of an array, else the value itself. A missing key yields one JSON {@code null}, which
   * every typed predicate rejects.
   */
  private static Sql anyElement(String key, Sql predicate) {
    List<Object> params = new ArrayList<>(List.of(key, key, key));
    params.addAll(predicate.params());
    return new Sql(
        "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(meta -> ?::text) ="
            + " 'array' THEN meta -> ?::text ELSE jsonb_build_array(meta -> ?::text) END) AS e(v)"
            + " WHERE "
            + predicate.text()
            + ")",
        params);
  }

  // ------------------------------------------------------------------------------ combinators

  static Sql and(List<Sql> operands) {
    List<Sql> kept = new ArrayList<>();
    for (Sql s : operands) {
      if (s.isFalse()) {
        return Sql.FALSE;
      }
      if (!s.isTrue()) {
        kept.add(s);
      }
    }
    return join(kept, " AND ", Sql.TRUE);
  }

  static Sql or(List<Sql> operands) {
    List<Sql> kept = new ArrayList<>();
    for (Sql s : operands) {
      if (s.isTrue()) {
        return Sql.TRUE;
      }
      if (!s.isFalse()) {
        kept.add(s);
      }
    }
    return join(kept, " OR ", Sql.FALSE);
  }

  static Sql not(Sql operand) {
    if (operand.isTrue()) {
      return Sql.FALSE;
    }
    if (operand.isFalse()) {
      return Sql.TRUE;
    }
    return new Sql("NOT (" + operand.text() + ")", operand.params());
  }

  private static Sql join(List<Sql> parts, String separator, Sql empty) {
    if (parts.isEmpty()) {
      return empty;
    }
    if (parts.size() == 1) {
      return parts.getFirst();
    }
    StringBuilder text = new StringBuilder();
    List<Object> params = new ArrayList<>();
    for (Sql s : parts) {
      text.append(text.isEmpty() ? "(" : separator).append(s.text());
      params.addAll(s.params());
    }
    return new Sql(text.append(')').toString(), params);
  }

  private static String marks(List<Object> values) {
    return marks(values, "");
  }

  private static String marks(List<Object> values, String cast) {
    return String.join(", ", Collections.nCopies(values.size(), "?" + cast));
  }

  // ------------------------------------------------------------------------------ text order

  /**
   * A key whose code point order (PostgreSQL's {@code COLLATE "C"} on UTF-8) is the UTF-16 code
   * unit order of {@code text}, which is Java's {@link String#compareTo}. The two orders differ
   * only where U+E000..U+FFFF meets a supplementary character: UTF-16 puts the surrogates
   * (U+D800..) first. So each U+E000+k becomes U+10FFFF followed by U+1000+k, above every
   * supplementary character, and a real U+10FFFF becomes U+10FFFF U+0001, below them; the mapping
   * is prefix-free, hence order-preserving. Text without such characters is its own key. The SQL
   * function {@code mnemo_u16} in each tenant schema ({@link TenantSql}) computes the same key.
   */
  static String u16Key(String text) {
    boolean plain = true;
    for (int i = 0; i < text.length() && plain; i++) {
      char ch = text.charAt(i);
      // U+10FFFF is the pair DBFF DFFF.
      plain = ch < 0xE000 && !(ch == 0xDBFF && text.codePointAt(i) == 0x10FFFF);
    }
    if (plain) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 8);
    text.codePoints()
        .forEach(
            cp -> {
              if (cp >= 0xE000 && cp <= 0xFFFF) {
                out.appendCodePoint(0x10FFFF).appendCodePoint(0x1000 + (cp - 0xE000));
              } else if (cp == 0x10FFFF) {
                out.appendCodePoint(0x10FFFF).appendCodePoint(0x0001);
              } else {
                out.appendCodePoint(cp);
              }
            });
    return out.toString();
  }
}
