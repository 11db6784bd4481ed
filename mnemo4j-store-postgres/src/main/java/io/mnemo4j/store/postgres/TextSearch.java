package io.mnemo4j.store.postgres;

import io.mnemo4j.filter.FilterExpr;
import io.mnemo4j.internal.store.JdbcRows;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.store.postgres.SqlFilter.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Full-text search in one tenant's schema: any query term matches (the terms are OR-ed), scored by
 * {@link #scoreExpression}: the share of the query's words the memory holds, its own words (weight
 * A) counting fully and its conversation context (weight D) {@link #CONTEXT_WEIGHT}. Runs as the
 * search role, whose restrictive policy holds the match condition (see {@link TenantSql#create}):
 * {@code mnemo.tsquery}, set in front of each statement, carries the query, so the GIN index serves
 * it despite row-level security. Each text of statements is one round trip with its settings, in
 * auto-commit mode ({@link TenantContext#inOneTrips}): a search takes two round trips, the parse of
 * its query and all its passes ({@link #rank}), and one once the parse is known.
 *
 * <p>Scoring is what costs: a common word can match most of a large tenant (measured 116 ms to rank
 * every match of an OR query at 100,000 memories). So the memories holding every term are scored
 * first (few, and the best); only when they are fewer than {@code k} do the wider passes run (see
 * {@link #passes(String, String)}), each scoring a bounded number of its matches. A score does not
 * depend on the pass that found the memory. Thread-safe.
 */
final class TextSearch {
  /** Most matches one pass of full-text search ranks (or {@code k}, when more). */
  static final int TEXT_CANDIDATES = 5_000;

  /**
   * Most matches the passes for two terms and for any term rank (or {@code k}, when more): by then
   * the rows holding more terms have been ranked, and the rows these passes add score nearly alike
   * (see {@link #passes(String, String)}).
   */
  static final int WIDE_CANDIDATES = 2_000;

  /** Weight of a query word found only in a memory's conversation context (tsvector label D). */
  static final double CONTEXT_WEIGHT = 0.6;

  /** {@link #CONTEXT_WEIGHT} in tenths, so that scores are summed in integers. */
  private static final int CONTEXT_TENTHS = (int) Math.round(CONTEXT_WEIGHT * 10);

  private static final Pattern LEXEME = Pattern.compile("'(?:[^']|'')*'");

  /** Queries whose parse is kept ({@link #parsed}). */
  static final int PARSES_KEPT = 64;

  private final TenantContext tenant;
  private final TenantSql sql;
  private final TableStatistics statistics;

  /**
   * The latest queries' parses, least recently used first. A hybrid search asks for text scores of
   * its query after searching it: the parse, which depends on the query text only, is then known,
   * sparing a round trip. Guarded by itself.
   */
  private final Map<String, Optional<TextQuery>> parses =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Optional<TextQuery>> eldest) {
          return size() > PARSES_KEPT;
        }
      };

  TextSearch(TenantContext tenant, TableStatistics statistics) {
    this.tenant = tenant;
    this.sql = tenant.sql();
    this.statistics = statistics;
  }

  /** The {@code k} best memories matching a query term and passing both filters, best first. */
  List<ScoredId> search(String query, ScopeFilter scope, FilterExpr filter, int k) {
    Sql where = matchCondition(scope, filter);
    if (where.isFalse() || query.isBlank()) {
      tenant.ensureOpen();
      return List.of();
    }
    return tenant.inOneTrips(
        "textSearch",
        c -> {
          boolean small = statistics.knownSmallerThan(TEXT_CANDIDATES);
          Optional<TextQuery> parsed = parsed(c, query);
          if (parsed.isEmpty()) {
            return List.of(); // only stop words
          }
          Ranking ranking = new Ranking(parsed.get(), where, k, new HashMap<>());
          rank(c, passes(ranking.query(), small), ranking);
          return ranking.best();
        });
  }

  /**
   * The condition on a {@code memory_text} row (alias {@code t}) for a memory passing both filters.
   * The scope is in that row; any other filter reads the memory's row, by id (inside the {@code
   * EXISTS}, the filter's unqualified columns are the memory's).
   */
  private Sql matchCondition(ScopeFilter scope, FilterExpr filter) {
    Sql inScope = SqlFilter.scope(scope);
    Sql passing = tenant.filters().filter(filter);
    if (passing.isTrue() || passing.isFalse()) {
      return SqlFilter.and(List.of(inScope, passing));
    }
    return SqlFilter.and(
        List.of(
            inScope,
            new Sql(
                "EXISTS (SELECT 1 FROM "
                    + sql.memories
                    + " m WHERE m.id = t.id AND "
                    + passing.text()
                    + ")",
                passing.params())));
  }

  /**
   * The match queries to rank in turn. A table known to be small is scored whole in one pass: the
   * narrow passes would only add round trips.
   */
  private static List<Pass> passes(TextQuery q, boolean small) {
    return small ? List.of(new Pass(q.any(), TEXT_CANDIDATES)) : passes(q.all(), q.any());
  }

  /**
   * One pass of full-text search: the memories matching {@code match}, of which at most {@code
   * limit} are ranked.
   */
  record Pass(String match, int limit) {}

  /**
   * One ranking in progress: the parsed query, the filters' condition, how many to keep, and the
   * scores found so far by memory id.
   */
  private record Ranking(TextQuery query, Sql where, int k, Map<String, Double> scores) {
    /** The best {@code k} scored so far, best first, ties by id. */
    List<ScoredId> best() {
      List<ScoredId> out = new ArrayList<>(scores.size());
      scores.forEach((id, score) -> out.add(new ScoredId(id, score)));
      out.sort(Comparator.comparingDouble(ScoredId::score).reversed().thenComparing(ScoredId::id));
      return out.size() > k ? List.copyOf(out.subList(0, k)) : out;
    }
  }

  /** The text scores of those of {@code ids} that match a query term, in no particular order. */
  List<ScoredId> scores(String query, Collection<String> ids) {
    Set<String> wanted = new LinkedHashSet<>(ids);
    if (wanted.isEmpty() || query.isBlank()) {
      tenant.ensureOpen();
      return List.of();
    }
    return tenant.inOneTrips(
        "textScores",
        c -> {
          Optional<TextQuery> parsed = parsed(c, query);
          if (parsed.isEmpty()) {
            return List.of();
          }
          TextQuery q = parsed.get();
          // The policy shows the search role only rows matching mnemo.tsquery: the others score 0.
          try (PreparedStatement ps =
              c.prepareStatement(
                  SEARCH_SETTINGS
                      + ";\nSELECT id, "
                      + scoreExpression(q.lexemes().size())
                      + " FROM "
                      + sql.memories
                      + " WHERE id = ANY(?)")) {
            int i = bindSearchSettings(ps, q.any());
            i = bindLexemes(ps, i, q);
            ps.setArray(i, c.createArrayOf("text", wanted.toArray()));
            return Statements.readLast(
                ps, 2, rs -> JdbcRows.all(rs, r -> new ScoredId(r.getString(1), r.getDouble(2))));
          }
        });
  }

  /**
   * A query as full-text search uses it.
   *
   * @param all every term ({@code &})
   * @param any any term ({@code |})
   * @param lexemes its distinct lexemes, quoted as in a tsquery
   */
  record TextQuery(String all, String any, List<String> lexemes) {}

  /**
   * The settings a full-text statement runs under, sent in front of it in its round trip (the
   * connection is in auto-commit mode: they hold for that statement text only): the tenant, the
   * search role, custom plans and the match condition ({@code mnemo.tsquery}), which the search
   * role's restrictive policy applies, so the GIN index serves it despite row-level security. Binds
   * three parameters ({@link #bindSearchSettings}).
   */
  private static final String SEARCH_SETTINGS =
      Pg.ENTER_TENANT + ", set_config('mnemo.tsquery', ?, true)";

  /**
   * Binds {@link #SEARCH_SETTINGS} for the match condition {@code match}; returns the next index.
   */
  private int bindSearchSettings(PreparedStatement ps, String match) throws SQLException {
    ps.setString(Pg.bindEnterTenant(ps, 1, tenant.tenantId(), tenant.searchRole()), match);
    return 4;
  }

  /** {@link #parse}, or what it answered for the same query lately ({@link #parses}). */
  private Optional<TextQuery> parsed(Connection c, String query) throws SQLException {
    synchronized (parses) {
      Optional<TextQuery> known = parses.get(query);
      if (known != null) {
        return known;
      }
    }
    Optional<TextQuery> parsed = parse(c, query);
    synchronized (parses) {
      parses.put(query, parsed);
    }
    return parsed;
  }

  /**
   * Parses the query with {@code plainto_tsquery} (no tenant data: no settings needed); empty when
   * the query holds only stop words.
   */
  private static Optional<TextQuery> parse(Connection c, String query) throws SQLException {
    String all;
    String anyTerm;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT q::text, replace(q::text, ' & ', ' | ') FROM plainto_tsquery('"
                + TenantSql.TEXT_CONFIG
                + "', ?) q")) {
      ps.setString(1, query);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        all = rs.getString(1);
        anyTerm = rs.getString(2);
      }
    }
    if (anyTerm == null || anyTerm.isBlank()) {
      return Optional.empty();
    }
    Set<String> lexemes = new LinkedHashSet<>();
    Matcher m = LEXEME.matcher(all);
    while (m.find()) {
      lexemes.add(m.group());
    }
    if (lexemes.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new TextQuery(all, anyTerm, List.copyOf(lexemes)));
  }

  /**
   * The text score of a row for a query of {@code n} lexemes, in [0, 1]: for each lexeme, 1 when
   * the memory's own text holds it plus {@link #CONTEXT_WEIGHT} when its context does, summed and
   * divided by {@code n × (1 + CONTEXT_WEIGHT)}. It depends on the query and the row only, so it is
   * the same in every pass and every call. Unlike the embedded store's BM25 it weighs every query
   * word alike (PostgreSQL keeps no document frequencies a query could read cheaply); its longer
   * stop-word list drops most of the words that would then weigh too much. Binds two tsqueries per
   * lexeme ({@link #bindLexemes}).
   */
  static String scoreExpression(int n) {
    // Summed in integers and divided once in float8: numeric arithmetic (a decimal constant such as
    // 0.6 makes the sum numeric) cost a third of the ranking (measured 25 ms against 15 ms for
    // 3,245 matches), and an integer sum gives equal scores to equal word counts, as before.
    StringBuilder b = new StringBuilder("((0");
    for (int i = 0; i < n; i++) {
      b.append(
              " + CASE WHEN tsv @@ ?::tsquery THEN 10 ELSE 0 END + CASE WHEN tsv @@ ?::tsquery THEN ")
          .append(CONTEXT_TENTHS)
          .append(" ELSE 0 END");
    }
    return b.append(")::float8 / ").append(n * (10 + CONTEXT_TENTHS)).append(")").toString();
  }

  /** Binds {@link #scoreExpression}'s parameters from {@code from}; returns the next index. */
  private static int bindLexemes(PreparedStatement ps, int from, TextQuery q) throws SQLException {
    int i = from;
    for (String lexeme : q.lexemes()) {
      ps.setString(i++, lexeme + ":A");
      ps.setString(i++, lexeme + ":D");
    }
    return i;
  }

  /**
   * The passes of full-text search, narrowest first: every term; then, of the first eight terms, at
   * least three (for four terms or more) and at least two (for three or more); then any term.
   * Measured on 100,000 memories for a four-term question: 63, 391 and 8,717 matches for every
   * term, two and any; ranking the 8,717 took 28 ms.
   *
   * <p>The narrow passes rank up to {@link #TEXT_CANDIDATES} matches, the passes for two terms and
   * for any term up to {@link #WIDE_CANDIDATES}. Those run only when the narrower ones found fewer
   * than {@code k} memories, so every memory holding three terms or more has been ranked by then,
   * and the memories they add hold two terms (one, for any term): their scores differ only by where
   * the terms are (own text or context), and ties go to the lowest ids, which the first rows of the
   * table mostly hold. Ranking fewer of them costs less and changes little: over 300 LoCoMo
   * questions on 100,000 memories, these passes took 5.0 ms at the median (p90 9.0 ms) where
   * ranking up to 5,000 matches for two terms, without the three-term pass, took 5.9 ms (12.6 ms),
   * and 98 % of the 200 memories nominated were the same (ranking up to 1,000 or 500 gave 98 % as
   * well, 4.4 and 4.0 ms, but no gain a hybrid search could measure). A pass ranks at least {@code
   * k} matches, so that it can always fill the list (a search may ask for up to 10,000).
   */
  static List<Pass> passes(String all, String any) {
    if (all.equals(any)) {
      return List.of(new Pass(any, TEXT_CANDIDATES));
    }
    List<String> terms = List.of(all.split(" & "));
    List<String> first = terms.subList(0, Math.min(8, terms.size()));
    List<Pass> out = new ArrayList<>(List.of(new Pass(all, TEXT_CANDIDATES)));
    if (first.size() >= 4) {
      out.add(new Pass(atLeast(3, first), TEXT_CANDIDATES));
    }
    if (first.size() >= 3) {
      out.add(new Pass(atLeast(2, first), WIDE_CANDIDATES));
    }
    out.add(new Pass(any, WIDE_CANDIDATES));
    return out;
  }

  /**
   * A tsquery matching the rows holding at least {@code t} of {@code terms} ({@code 1 <= t <=
   * terms.size()}): "the first term and {@code t - 1} of the rest, or {@code t} of the rest". The
   * same rows as the OR of every {@code t} terms' AND, in a far smaller query: GIN evaluates it for
   * every row a term of it matches, and for two of seven terms (21 pairs) the pairs' form cost half
   * as much again (measured: 16.2 ms against 10.6 ms to count 5,166 such rows of 100,000).
   */
  static String atLeast(int t, List<String> terms) {
    int n = terms.size();
    if (t < 1 || t > n) {
      throw new IllegalArgumentException("need 1 <= t <= " + n + ", got " + t);
    }
    if (t == 1) {
      return n == 1 ? terms.get(0) : "(" + String.join(" | ", terms) + ")";
    }
    if (t == n) {
      return "(" + String.join(" & ", terms) + ")";
    }
    return "(("
        + terms.get(0)
        + " & "
        + atLeast(t - 1, terms.subList(1, n))
        + ") | "
        + atLeast(t, terms.subList(1, n))
        + ")";
  }

  /**
   * Scores the memories matching each pass's query (the policy's condition), at most the pass's
   * limit of them, keeping the best {@code k} of the ranking's scores; a memory an earlier pass
   * scored keeps its score (the same). The passes go in one round trip, behind the settings: one
   * multi-statement text in which each pass sets its match condition ({@code mnemo.tsquery}) and
   * ranks only while {@code mnemo.more} says the passes before it found fewer than {@code k}
   * memories (a condition without columns, which the planner makes a one-time filter: a pass not
   * needed reads nothing). Each ranking statement records whether it returned fewer than {@code k}
   * rows. That is the same stop as one round trip per pass, which stopped once the passes together
   * had found {@code k}: each pass's matches hold every earlier pass's (see {@link #passes(String,
   * String)}), and a pass ranks at least {@code k} of them, so it returns {@code k} rows exactly
   * when the passes so far found at least {@code k} memories: the rows and scores are those of one
   * round trip per pass. Measured on 100,000 memories, 300 LoCoMo questions as text-only searches
   * (2.8 passes per search): through a proxy adding 0.25 ms each way, p50 15.3-15.9 ms pass by pass
   * against 13.9-14.9 ms in one trip; on this host's own loopback the difference was within noise
   * (a pass not needed is still planned, about 0.2 ms of server time, and runs in under 0.05 ms).
   */
  private void rank(Connection c, List<Pass> passes, Ranking ranking) throws SQLException {
    TextQuery q = ranking.query();
    Sql where = ranking.where();
    int k = ranking.k();
    StringBuilder text =
        new StringBuilder(SEARCH_SETTINGS).append(", set_config('mnemo.more', 'y', true)");
    for (int p = 0; p < passes.size(); p++) {
      if (p > 0) {
        text.append(";\nSELECT set_config('mnemo.tsquery', ?, true)");
      }
      text.append(";\nSELECT id, score, set_config('mnemo.more', CASE WHEN count(*) OVER () < ")
          .append(k)
          .append(" THEN 'y' ELSE 'n' END, true) FROM (SELECT id, ")
          .append(scoreExpression(q.lexemes().size()))
          .append(" AS score FROM (SELECT t.id, t.tsv FROM ")
          .append(sql.memoryText)
          .append(" t WHERE current_setting('mnemo.more', true) = 'y' AND ")
          .append(where.text())
          .append(" LIMIT ")
          .append(Math.max(passes.get(p).limit(), k))
          .append(") m ORDER BY score DESC, id LIMIT ")
          .append(k)
          .append(") r");
    }
    try (PreparedStatement ps = c.prepareStatement(text.toString())) {
      int i = bindSearchSettings(ps, passes.get(0).match());
      for (int p = 0; p < passes.size(); p++) {
        if (p > 0) {
          ps.setString(i++, passes.get(p).match());
        }
        i = bindLexemes(ps, i, q);
        i = where.bind(ps, i);
      }
      ps.execute();
      for (int p = 0; p < passes.size(); p++) {
        // The settings' result set, or the pass's match condition's, comes before each ranking.
        ps.getMoreResults();
        try (ResultSet rs = ps.getResultSet()) {
          while (rs.next()) {
            ranking.scores().putIfAbsent(rs.getString(1), rs.getDouble(2));
          }
        }
        if (p + 1 < passes.size()) {
          ps.getMoreResults();
        }
      }
    }
  }
}
