package io.mnemo4j.store.embedded;

import io.mnemo4j.Scope;
import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.filter.FilterExpr.Field;
import io.mnemo4j.filter.FilterExpr.Value;
import io.mnemo4j.spi.ScopeFilter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.document.BinaryPoint;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.search.WildcardQuery;
import org.apache.lucene.util.BytesRef;
import org.jspecify.annotations.Nullable;

/**
 * Compiles scope filters and filter expressions into Lucene queries over the fields {@link
 * IndexSchema} writes, following the semantics in {@link FilterExpr}'s Javadoc. A field "has a
 * value" per value it holds (each element of a list); {@code ne}/{@code nin}/{@code not} are
 * complements, so a memory without the field matches them; a comparison against a value of another
 * type matches nothing. Thread-safe (stateless).
 */
final class FilterCompiler {
  private static final Query ALL = MatchAllDocsQuery.INSTANCE;
  private static final Query NONE = MatchNoDocsQuery.INSTANCE;
  private static final byte[] MIN_TIME = IndexSchema.time(Instant.MIN);
  private static final byte[] MAX_TIME = IndexSchema.time(Instant.MAX);

  private FilterCompiler() {}

  /** The query for memories passing both filters. */
  static Query compile(ScopeFilter scope, FilterExpr filter) {
    return and(List.of(scope(scope), filter(filter)));
  }

  static boolean matchesAll(Query query) {
    return query instanceof MatchAllDocsQuery;
  }

  static Query scope(ScopeFilter filter) {
    return switch (filter) {
      case ScopeFilter.Exact exact -> exactScope(exact.scope());
      case ScopeFilter.Within within -> {
        Scope s = within.scope();
        List<Query> clauses = new ArrayList<>();
        if (s.userId() != null) {
          clauses.add(term(IndexSchema.SCOPE_USER, s.userId()));
        }
        if (s.agentId() != null) {
          clauses.add(term(IndexSchema.SCOPE_AGENT, s.agentId()));
        }
        if (s.runId() != null) {
          clauses.add(term(IndexSchema.SCOPE_RUN, s.runId()));
        }
        Query inside = and(clauses);
        yield within.includeTenantWide()
            ? or(List.of(inside, exactScope(Scope.tenantWide())))
            : inside;
      }
      case ScopeFilter.Everything everything -> ALL;
    };
  }

  private static Query exactScope(Scope s) {
    return and(
        List.of(
            term(IndexSchema.SCOPE_USER, orNone(s.userId())),
            term(IndexSchema.SCOPE_AGENT, orNone(s.agentId())),
            term(IndexSchema.SCOPE_RUN, orNone(s.runId()))));
  }

  private static String orNone(@Nullable String id) {
    return id == null ? IndexSchema.NO_ID : id;
  }

  static Query filter(FilterExpr expr) {
    return switch (expr) {
      case FilterExpr.All all -> ALL;
      case FilterExpr.And and -> and(and.operands().stream().map(FilterCompiler::filter).toList());
      case FilterExpr.Or or -> or(or.operands().stream().map(FilterCompiler::filter).toList());
      case FilterExpr.Not not -> not(filter(not.operand()));
      case FilterExpr.Compare c ->
          c.op() == FilterExpr.Op.NE
              ? not(compare(c.field(), FilterExpr.Op.EQ, c.value()))
              : compare(c.field(), c.op(), c.value());
      case FilterExpr.In in -> {
        Query any = in(in.field(), in.values());
        yield in.negated() ? not(any) : any;
      }
      case FilterExpr.Contains c -> contains(c.field(), c.text(), c.ignoreCase());
      case FilterExpr.Present p -> present(p.field());
    };
  }

  private static boolean isTime(Field field) {
    return field.kind().isTime();
  }

  /** Fields every memory holds, so that presence needs no query. */
  private static boolean alwaysPresent(Field field) {
    return switch (field.kind()) {
      case CREATED_AT, UPDATED_AT, MEMORY_TYPE -> true;
      case USER_ID,
          AGENT_ID,
          RUN_ID,
          VALID_FROM,
          VALID_TO,
          EXPIRES_AT,
          CATEGORIES,
          ROLE,
          ACTOR,
          METADATA ->
          false;
    };
  }

  private static boolean isMetadata(Field field) {
    return field.kind() == FilterExpr.Kind.METADATA;
  }

  /** eq, gt, gte, lt, lte: some value of the field, of the literal's type, compares so. */
  private static Query compare(Field field, FilterExpr.Op op, Value value) {
    String base = IndexSchema.base(field);
    return switch (value) {
      case Value.Text t -> isTime(field) ? NONE : compareText(base, op, t.value());
      case Value.Number n -> isMetadata(field) ? compareNumber(base, op, n.value()) : NONE;
      case Value.Bool b ->
          isMetadata(field) && op == FilterExpr.Op.EQ
              ? term(IndexSchema.bool(base), Boolean.toString(b.value()))
              : NONE;
      case Value.Time t -> isTime(field) ? compareTime(base, op, t.value()) : NONE;
    };
  }

  private static Query compareText(String base, FilterExpr.Op op, String text) {
    String field = IndexSchema.ordered(base);
    BytesRef bytes = IndexSchema.utf16(text);
    return switch (op) {
      case EQ -> term(IndexSchema.exact(base), text);
      case NE -> not(term(IndexSchema.exact(base), text));
      case GT -> new TermRangeQuery(field, bytes, null, false, true);
      case GTE -> new TermRangeQuery(field, bytes, null, true, true);
      case LT -> new TermRangeQuery(field, null, bytes, true, false);
      case LTE -> new TermRangeQuery(field, null, bytes, true, true);
    };
  }

  private static Query compareNumber(String base, FilterExpr.Op op, double raw) {
    if (Double.isNaN(raw)) {
      return op == FilterExpr.Op.NE ? ALL : NONE;
    }
    String field = IndexSchema.number(base);
    double x = IndexSchema.normalize(raw);
    return switch (op) {
      case EQ -> DoublePoint.newExactQuery(field, x);
      case NE -> not(DoublePoint.newExactQuery(field, x));
      case GT ->
          x == Double.POSITIVE_INFINITY
              ? NONE
              : DoublePoint.newRangeQuery(field, Math.nextUp(x), Double.POSITIVE_INFINITY);
      case GTE -> DoublePoint.newRangeQuery(field, x, Double.POSITIVE_INFINITY);
      case LT ->
          x == Double.NEGATIVE_INFINITY
              ? NONE
              : DoublePoint.newRangeQuery(field, Double.NEGATIVE_INFINITY, Math.nextDown(x));
      case LTE -> DoublePoint.newRangeQuery(field, Double.NEGATIVE_INFINITY, x);
    };
  }

  private static Query compareTime(String field, FilterExpr.Op op, Instant t) {
    byte[] x = IndexSchema.time(t);
    return switch (op) {
      case EQ -> BinaryPoint.newExactQuery(field, x);
      case NE -> not(BinaryPoint.newExactQuery(field, x));
      case GT ->
          t.equals(Instant.MAX)
              ? NONE
              : BinaryPoint.newRangeQuery(field, IndexSchema.time(t.plusNanos(1)), MAX_TIME);
      case GTE -> BinaryPoint.newRangeQuery(field, x, MAX_TIME);
      case LT ->
          t.equals(Instant.MIN)
              ? NONE
              : BinaryPoint.newRangeQuery(field, MIN_TIME, IndexSchema.time(t.minusNanos(1)));
      case LTE -> BinaryPoint.newRangeQuery(field, MIN_TIME, x);
    };
  }

  /**
   * Some value of the field equals one of the candidates; set queries keep big lists to one clause
   * per type.
   */
  private static Query in(Field field, List<Value> values) {
    String base = IndexSchema.base(field);
    List<BytesRef> texts = new ArrayList<>();
    List<Double> numbers = new ArrayList<>();
    List<BytesRef> bools = new ArrayList<>();
    List<byte[]> times = new ArrayList<>();
    for (Value value : values) {
      switch (value) {
        case Value.Text t -> {
          if (!isTime(field)) {
            texts.add(new BytesRef(t.value()));
          }
        }
        case Value.Number n -> {
          if (isMetadata(field) && !Double.isNaN(n.value())) {
            numbers.add(IndexSchema.normalize(n.value()));
          }
        }
        case Value.Bool b -> {
          if (isMetadata(field)) {
            bools.add(new BytesRef(Boolean.toString(b.value())));
          }
        }
        case Value.Time t -> {
          if (isTime(field)) {
            times.add(IndexSchema.time(t.value()));
          }
        }
      }
    }
    List<Query> clauses = new ArrayList<>();
    if (!texts.isEmpty()) {
      clauses.add(new TermInSetQuery(IndexSchema.exact(base), texts));
    }
    if (!numbers.isEmpty()) {
      clauses.add(DoublePoint.newSetQuery(IndexSchema.number(base), numbers));
    }
    if (!bools.isEmpty()) {
      clauses.add(new TermInSetQuery(IndexSchema.bool(base), bools));
    }
    if (!times.isEmpty()) {
      clauses.add(BinaryPoint.newSetQuery(base, times.toArray(byte[][]::new)));
    }
    return or(clauses);
  }

  private static Query contains(Field field, String text, boolean ignoreCase) {
    if (isTime(field)) {
      return NONE;
    }
    String base = IndexSchema.base(field);
    String needle = ignoreCase ? IndexSchema.lowerCase(text) : text;
    String name = ignoreCase ? IndexSchema.lower(base) : IndexSchema.exact(base);
    return new WildcardQuery(new Term(name, "*" + escapeWildcard(needle) + "*"));
  }

  static String escapeWildcard(String text) {
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == WildcardQuery.WILDCARD_STRING
          || c == WildcardQuery.WILDCARD_CHAR
          || c == WildcardQuery.WILDCARD_ESCAPE) {
        out.append(WildcardQuery.WILDCARD_ESCAPE);
      }
      out.append(c);
    }
    return out.toString();
  }

  private static Query present(Field field) {
    return alwaysPresent(field) ? ALL : term(IndexSchema.PRESENT, IndexSchema.base(field));
  }

  private static Query term(String field, String value) {
    return new TermQuery(new Term(field, value));
  }

  static Query and(List<Query> operands) {
    List<Query> kept = new ArrayList<>();
    for (Query q : operands) {
      if (q instanceof MatchNoDocsQuery) {
        return NONE;
      }
      if (!(q instanceof MatchAllDocsQuery)) {
        kept.add(q);
      }
    }
    if (kept.isEmpty()) {
      return ALL;
    }
    if (kept.size() == 1) {
      return kept.getFirst();
    }
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    kept.forEach(q -> b.add(q, Occur.FILTER));
    return b.build();
  }

  static Query or(List<Query> operands) {
    List<Query> kept = new ArrayList<>();
    for (Query q : operands) {
      if (q instanceof MatchAllDocsQuery) {
        return ALL;
      }
      if (!(q instanceof MatchNoDocsQuery)) {
        kept.add(q);
      }
    }
    if (kept.isEmpty()) {
      return NONE;
    }
    if (kept.size() == 1) {
      return kept.getFirst();
    }
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    kept.forEach(q -> b.add(q, Occur.SHOULD));
    return b.build();
  }

  /** Lucene cannot match a pure negation: subtract from every document. */
  static Query not(Query q) {
    if (q instanceof MatchAllDocsQuery) {
      return NONE;
    }
    if (q instanceof MatchNoDocsQuery) {
      return ALL;
    }
    return new BooleanQuery.Builder().add(ALL, Occur.FILTER).add(q, Occur.MUST_NOT).build();
  }
}
