package io.mnemo4j.spring.ai;

import io.mnemo4j.AddOptions;
import io.mnemo4j.Hit;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.OverloadedException;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.TenantMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.client.ChatClientMessageAggregator;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.Advisor;
import org.springframework.ai.chat.client.advisor.api.AdvisorChain;
import org.springframework.ai.chat.client.advisor.api.BaseAdvisor;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A Spring AI advisor giving a chat client long-term memory. Before the call it searches the
 * memories of the scope named by the request's advisor parameters ({@value #TENANT}, {@value
 * #USER_ID}, {@value #AGENT_ID}, {@value #RUN_ID}) for the user's message and appends the hits to
 * the system message through a template; after the call it adds the exchange (the user's message
 * and the answer) to that scope, queued by default ({@link TenantMemory#addAsync}: durable, resumed
 * after a restart) so the answer is not held up. With a language model configured the exchange is
 * turned into facts; without one it is stored verbatim. Thread-safe and immutable.
 *
 * <pre>{@code
 * String answer = chatClient.prompt()
 *     .advisors(memoryAdvisor)
 *     .advisors(a -> a.param(MnemoMemoryAdvisor.USER_ID, "alice"))
 *     .user("what should I cook tonight?")
 *     .call()
 *     .content();
 * }</pre>
 *
 * <p>A request naming no user, agent or run is passed through untouched: there is no scope to read
 * or write, and writing to tenant-wide memory must be deliberate. The tenant parameter, when given,
 * picks the tenant (multi-tenant applications set it per request); otherwise the advisor's default
 * tenant is used. The system message is augmented rather than the user's message, so a chat memory
 * advisor keeps what the user actually said.
 */
public final class MnemoMemoryAdvisor implements BaseAdvisor {
  /** Advisor parameter: the tenant id (default: the advisor's tenant). */
  public static final String TENANT = "mnemo_tenant";

  /** Advisor parameter: the user id. */
  public static final String USER_ID = "mnemo_user_id";

  /** Advisor parameter: the agent id. */
  public static final String AGENT_ID = "mnemo_agent_id";

  /** Advisor parameter: the run (session) id. */
  public static final String RUN_ID = "mnemo_run_id";

  /** The placeholder the template's memories replace. */
  public static final String MEMORIES = "{memories}";

  /** The default template, appended to the system message when memories are found. */
  public static final String DEFAULT_TEMPLATE =
      "Long-term memory about this user (most relevant first). Use it when it helps answer,"
          + " ignore it otherwise:\n---------------------\n{memories}\n---------------------";

  /** Default order: right after Spring AI's chat memory advisors. */
  public static final int DEFAULT_ORDER = Advisor.DEFAULT_CHAT_MEMORY_PRECEDENCE_ORDER + 10;

  private static final System.Logger LOG = System.getLogger(MnemoMemoryAdvisor.class.getName());

  /** Context key under which before() hands its scope and the user's text to after(). */
  private static final String TURN = MnemoMemoryAdvisor.class.getName() + ".turn";

  private final Mnemo mnemo;
  private final String defaultTenant;
  private final int limit;
  private final double minScore;
  private final boolean includeTenantWide;
  private final String template;
  private final boolean async;
  private final boolean rememberAnswers;
  private final int order;

  private MnemoMemoryAdvisor(Builder b) {
    this.mnemo = b.mnemo;
    this.defaultTenant = b.tenant;
    this.limit = b.limit;
    this.minScore = b.minScore;
    this.includeTenantWide = b.includeTenantWide;
    this.template = b.template;
    this.async = b.async;
    this.rememberAnswers = b.rememberAnswers;
    this.order = b.order;
  }

  /** A builder over {@code mnemo} with the documented defaults, default tenant {@code default}. */
  public static Builder builder(Mnemo mnemo) {
    return new Builder(mnemo);
  }

  @Override
  public int getOrder() {
    return order;
  }

  @Override
  public String getName() {
    return "MnemoMemoryAdvisor";
  }

  /** What before() found out about a request, for after(). */
  private record Turn(String tenant, Scope scope, String userText) {}

  @Override
  public ChatClientRequest before(ChatClientRequest request, AdvisorChain chain) {
    Optional<Scope> scope = scope(request.context());
    UserMessage user = request.prompt().getUserMessage();
    String text = user == null || user.getText() == null ? "" : user.getText().strip();
    if (scope.isEmpty() || text.isEmpty()) {
      LOG.log(System.Logger.Level.DEBUG, "no memory scope or no user text: request passed through");
      return request;
    }
    String tenantId = tenantOf(request.context());
    TenantMemory tenant = mnemo.tenant(tenantId);
    Search search = Search.in(scope.get()).limit(limit).threshold(minScore);
    if (includeTenantWide) {
      search = search.withTenantWide();
    }
    List<Hit> hits = tenant.search(text, search);
    Prompt prompt = request.prompt();
    if (!hits.isEmpty()) {
      StringBuilder lines = new StringBuilder();
      for (Hit h : hits) {
        lines.append(lines.isEmpty() ? "" : "\n").append("- ").append(h.memory().text());
      }
      String memories = template.replace(MEMORIES, lines);
      prompt =
          prompt.augmentSystemMessage(
              (SystemMessage s) ->
                  s.mutate()
                      .text(
                          s.getText() == null || s.getText().isBlank()
                              ? memories
                              : s.getText() + "\n\n" + memories)
                      .build());
    }
    return request
        .mutate()
        .prompt(prompt)
        .context(TURN, new Turn(tenantId, scope.get(), text))
        .build();
  }

  @Override
  public ChatClientResponse after(ChatClientResponse response, AdvisorChain chain) {
    if (!(response.context().get(TURN) instanceof Turn turn)) {
      return response;
    }
    List<Message> exchange = new ArrayList<>();
    try {
      exchange.add(Message.user(turn.userText()));
      if (rememberAnswers && response.chatResponse() != null) {
        for (Generation g : response.chatResponse().getResults()) {
          String answer = g.getOutput().getText();
          if (answer != null && !answer.isBlank()) {
            exchange.add(Message.assistant(answer.strip()));
          }
        }
      }
    } catch (InvalidRequestException e) {
      // An oversized message: the answer stands, the exchange is not remembered.
      LOG.log(
          System.Logger.Level.WARNING,
          "tenant {0}: exchange not remembered ({1}: {2})",
          turn.tenant(),
          e.field(),
          e.getMessage());
      return response;
    }
    TenantMemory tenant = mnemo.tenant(turn.tenant());
    if (!async) {
      tenant.add(exchange, turn.scope(), AddOptions.none());
      return response;
    }
    try {
      tenant.addAsync(exchange, turn.scope(), AddOptions.none());
    } catch (OverloadedException e) {
      // The answer is delivered; only its long-term copy is missing. Never the text in the log.
      LOG.log(
          System.Logger.Level.WARNING,
          "tenant {0}: asynchronous add queue full, an exchange was not remembered",
          turn.tenant());
    }
    return response;
  }

  /** Streams: the exchange is added once, from the aggregated answer. */
  @Override
  public Flux<ChatClientResponse> adviseStream(
      ChatClientRequest request, StreamAdvisorChain chain) {
    return Mono.just(request)
        .publishOn(getScheduler())
        .map(r -> before(r, chain))
        .flatMapMany(chain::nextStream)
        .transform(
            flux ->
                new ChatClientMessageAggregator()
                    .aggregateChatClientResponse(flux, r -> after(r, chain)));
  }

  private String tenantOf(Map<String, ? extends @Nullable Object> context) {
    Object t = context.get(TENANT);
    return t == null || t.toString().isBlank() ? defaultTenant : t.toString();
  }

  /** The scope the parameters name, empty when they name no user, agent or run. */
  static Optional<Scope> scope(Map<String, ? extends @Nullable Object> context) {
    Scope s =
        Scope.of(
            text(context.get(USER_ID)), text(context.get(AGENT_ID)), text(context.get(RUN_ID)));
    return s.isTenantWide() ? Optional.empty() : Optional.of(s);
  }

  private static @Nullable String text(@Nullable Object value) {
    return value == null ? null : value.toString();
  }

  /** Configures a {@link MnemoMemoryAdvisor}; each setting is validated where set. */
  public static final class Builder {
    private final Mnemo mnemo;
    private String tenant = "default";
    private int limit = 5;
    private double minScore;
    private boolean includeTenantWide;
    private String template = DEFAULT_TEMPLATE;
    private boolean async = true;
    private boolean rememberAnswers = true;
    private int order = DEFAULT_ORDER;

    private Builder(Mnemo mnemo) {
      this.mnemo = Objects.requireNonNull(mnemo, "mnemo");
    }

    /** The tenant used when a request names none (default {@code default}). */
    public Builder tenant(String id) {
      this.tenant = io.mnemo4j.TenantId.of(id).value();
      return this;
    }

    /** Most memories added to a prompt, 1 to 1000 (default 5). */
    public Builder limit(int n) {
      if (n < 1 || n > Search.MAX_LIMIT) {
        throw new IllegalArgumentException(
            "mnemo.advisor.limit must be 1 to " + Search.MAX_LIMIT + ", got " + n);
      }
      this.limit = n;
      return this;
    }

    /** The query-to-memory cosine similarity a memory needs, 0 to 1 (default 0). */
    public Builder minScore(double score) {
      if (!(score >= 0 && score <= 1)) {
        throw new IllegalArgumentException(
            "mnemo.advisor.min-score must be within [0, 1], got " + score);
      }
      this.minScore = score;
      return this;
    }

    /** Whether tenant-wide (organisation) memories are searched too (default false). */
    public Builder includeTenantWide(boolean on) {
      this.includeTenantWide = on;
      return this;
    }

    /** The text appended to the system message; must contain {@value #MEMORIES}. */
    public Builder template(String t) {
      if (t == null || !t.contains(MEMORIES)) {
        throw new IllegalArgumentException(
            "mnemo.advisor.template must contain the placeholder " + MEMORIES);
      }
      this.template = t;
      return this;
    }

    /** Whether the exchange is added in the background (default true). */
    public Builder async(boolean on) {
      this.async = on;
      return this;
    }

    /** Whether the answer is added with the user's message (default true) or only the latter. */
    public Builder rememberAnswers(boolean on) {
      this.rememberAnswers = on;
      return this;
    }

    /** The advisor's order (default {@link #DEFAULT_ORDER}). */
    public Builder order(int o) {
      this.order = o;
      return this;
    }

    /** Builds the advisor. */
    public MnemoMemoryAdvisor build() {
      return new MnemoMemoryAdvisor(this);
    }
  }
}
