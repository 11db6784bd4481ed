package io.mnemo4j.langchain4j;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.query.Query;
import io.mnemo4j.Hit;
import io.mnemo4j.Memory;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.TenantMemory;
import io.mnemo4j.filter.FilterExpr;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A LangChain4j {@link ContentRetriever} over one tenant's long-term memory: each query is searched
 * in the scope its chat memory id maps to ({@link ScopeMapping}, by default the id is the user id),
 * and each hit becomes a {@link Content} whose text is the memory's text. Thread-safe and
 * immutable.
 *
 * <pre>{@code
 * Assistant assistant = AiServices.builder(Assistant.class)
 *     .chatModel(model)
 *     .contentRetriever(MnemoContentRetriever.builder(mnemo.tenant("acme")).limit(5).build())
 *     .build();
 * assistant.chat("alice", "what do I like?");   // String chat(@MemoryId String user, @UserMessage String text)
 * }</pre>
 *
 * <p>Every content carries {@link ContentMetadata#SCORE} (the fused score ordering the list) and
 * {@link ContentMetadata#EMBEDDING_ID} (the memory id); its text segment's metadata holds {@value
 * #MEMORY_ID}, {@value #SCORE}, {@value #SIMILARITY} (query-to-memory cosine), {@value #CREATED_AT}
 * (ISO-8601), {@value #MEMORY_TYPE}, {@value #ORIGIN} ({@code scope} or {@code tenant_wide}), the
 * memory's scope ids ({@value #USER_ID}, {@value #AGENT_ID}, {@value #RUN_ID}) when set, and each
 * scalar entry of its metadata as {@code metadata.<key>}. A {@code DefaultContentInjector} with
 * {@code metadataKeysToInclude} can show any of them to the model.
 */
public final class MnemoContentRetriever implements ContentRetriever {
  /** Segment metadata key: the memory id. */
  public static final String MEMORY_ID = "memory_id";

  /** Segment metadata key: the fused score ordering the list (higher is better). */
  public static final String SCORE = "score";

  /** Segment metadata key: the query-to-memory cosine similarity, what minScore compares. */
  public static final String SIMILARITY = "similarity";

  /** Segment metadata key: when the memory was first stored, ISO-8601 UTC. */
  public static final String CREATED_AT = "created_at";

  /** Segment metadata key: {@code episodic}, {@code semantic} or {@code procedural}. */
  public static final String MEMORY_TYPE = "memory_type";

  /** Segment metadata key: {@code scope} or {@code tenant_wide}. */
  public static final String ORIGIN = "origin";

  /** Segment metadata key: the memory's user id, when set. */
  public static final String USER_ID = "user_id";

  /** Segment metadata key: the memory's agent id, when set. */
  public static final String AGENT_ID = "agent_id";

  /** Segment metadata key: the memory's run id, when set. */
  public static final String RUN_ID = "run_id";

  private final TenantMemory tenant;
  private final ScopeMapping scopes;
  private final int limit;
  private final double minScore;
  private final boolean tenantWide;
  private final Function<Query, FilterExpr> filter;
  private final Search.Mode mode;

  private MnemoContentRetriever(Builder b) {
    this.tenant = b.tenant;
    this.scopes = b.scopes;
    this.limit = b.limit;
    this.minScore = b.minScore;
    this.tenantWide = b.tenantWide;
    this.filter = b.filter;
    this.mode = b.mode;
  }

  /** A builder over {@code tenant} with the documented defaults. */
  public static Builder builder(TenantMemory tenant) {
    return new Builder(tenant);
  }

  /**
   * Searches the query's scope; an empty list when nothing passes. A query without a chat memory id
   * (one not made by an AI service) is an {@link IllegalArgumentException}: there is no scope to
   * search.
   */
  @Override
  public List<Content> retrieve(Query query) {
    Scope scope = scopes.scopeOf(chatMemoryId(query));
    Search search = Search.in(scope).limit(limit).threshold(minScore).mode(mode);
    if (tenantWide) {
      search = search.withTenantWide();
    }
    FilterExpr f = filter.apply(query);
    if (!(f instanceof FilterExpr.All)) {
      search = search.filter(f);
    }
    List<Content> out = new ArrayList<>();
    for (Hit hit : tenant.search(query.text(), search)) {
      out.add(content(hit));
    }
    return out;
  }

  private static Object chatMemoryId(Query query) {
    if (query.metadata() == null || query.metadata().chatMemoryId() == null) {
      throw new IllegalArgumentException(
          "the query carries no chat memory id, so there is no scope to search; use the retriever"
              + " in an AI service, or build the Query with Metadata naming one");
    }
    return query.metadata().chatMemoryId();
  }

  /** The content of one hit, with the metadata the class documents. */
  static Content content(Hit hit) {
    Memory m = hit.memory();
    dev.langchain4j.data.document.Metadata md = new dev.langchain4j.data.document.Metadata();
    md.put(MEMORY_ID, m.id());
    md.put(SCORE, hit.score());
    md.put(SIMILARITY, hit.similarity());
    md.put(CREATED_AT, m.createdAt().toString());
    md.put(MEMORY_TYPE, m.type().wireName());
    md.put(ORIGIN, hit.origin() == Hit.Origin.SCOPE ? "scope" : "tenant_wide");
    m.scope().user().ifPresent(u -> md.put(USER_ID, u));
    m.scope().agent().ifPresent(a -> md.put(AGENT_ID, a));
    m.scope().run().ifPresent(r -> md.put(RUN_ID, r));
    for (Map.Entry<String, Object> e : m.metadata().entrySet()) {
      putScalar(md, "metadata." + e.getKey(), e.getValue());
    }
    return Content.from(
        TextSegment.from(m.text(), md),
        Map.of(ContentMetadata.SCORE, hit.score(), ContentMetadata.EMBEDDING_ID, m.id()));
  }

  /** LangChain4j metadata holds strings and numbers only; lists and objects are left out. */
  private static void putScalar(
      dev.langchain4j.data.document.Metadata md, String key, Object value) {
    switch (value) {
      case String s -> md.put(key, s);
      case Integer i -> md.put(key, i);
      case Long l -> md.put(key, l);
      case Double d -> md.put(key, d);
      case Float f -> md.put(key, f);
      case BigInteger i when i.bitLength() < 64 -> md.put(key, i.longValue());
      case BigDecimal d -> md.put(key, d.doubleValue());
      case Boolean b -> md.put(key, b.toString());
      default -> {}
    }
  }

  /** Configures a {@link MnemoContentRetriever}; each setting is validated where set. */
  public static final class Builder {
    private final TenantMemory tenant;
    private ScopeMapping scopes = ScopeMapping.userId();
    private int limit = 5;
    private double minScore;
    private boolean tenantWide;
    private Function<Query, FilterExpr> filter = q -> new FilterExpr.All();
    private Search.Mode mode = Search.Mode.HYBRID;

    private Builder(TenantMemory tenant) {
      this.tenant = Objects.requireNonNull(tenant, "tenant");
    }

    /** How a chat memory id maps to a scope (default {@link ScopeMapping#userId()}). */
    public Builder scopeMapping(ScopeMapping mapping) {
      this.scopes = Objects.requireNonNull(mapping, "scopeMapping");
      return this;
    }

    /** Most memories per query, 1 to 1000 (default 5). */
    public Builder limit(int n) {
      if (n < 1 || n > Search.MAX_LIMIT) {
        throw new IllegalArgumentException("limit must be 1 to " + Search.MAX_LIMIT + ", got " + n);
      }
      this.limit = n;
      return this;
    }

    /**
     * The query-to-memory cosine similarity a memory needs, 0 to 1 (default 0: no minimum). The
     * similarity, not the fused score, because it means the same in every query.
     */
    public Builder minScore(double score) {
      if (!(score >= 0 && score <= 1)) {
        throw new IllegalArgumentException("minScore must be within [0, 1], got " + score);
      }
      this.minScore = score;
      return this;
    }

    /** Whether tenant-wide (organisation) memories are searched too (default false). */
    public Builder includeTenantWide(boolean on) {
      this.tenantWide = on;
      return this;
    }

    /** Narrows every search by this filter (see {@code FilterParser} for Mem0's JSON syntax). */
    public Builder filter(FilterExpr f) {
      Objects.requireNonNull(f, "filter");
      this.filter = q -> f;
      return this;
    }

    /** Narrows each search by a filter computed from its query (its text, metadata, user). */
    public Builder dynamicFilter(Function<Query, FilterExpr> f) {
      this.filter = Objects.requireNonNull(f, "dynamicFilter");
      return this;
    }

    /** Which rankers run (default hybrid: dense and BM25). */
    public Builder mode(Search.Mode m) {
      this.mode = Objects.requireNonNull(m, "mode");
      return this;
    }

    /** Builds the retriever. */
    public MnemoContentRetriever build() {
      return new MnemoContentRetriever(this);
    }
  }
}
