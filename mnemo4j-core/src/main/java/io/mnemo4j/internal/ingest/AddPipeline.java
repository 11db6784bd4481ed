package io.mnemo4j.internal.ingest;

import io.mnemo4j.AddOptions;
import io.mnemo4j.AddResult;
import io.mnemo4j.ConflictException;
import io.mnemo4j.InferenceMode;
import io.mnemo4j.InferenceSettings;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Message;
import io.mnemo4j.Scope;
import io.mnemo4j.TenantInfo;
import io.mnemo4j.TenantLog;
import io.mnemo4j.internal.Context;
import io.mnemo4j.internal.TenantHandles;
import io.mnemo4j.internal.ingest.ModelCalls.Failed;
import io.mnemo4j.llm.LanguageModel;
import io.mnemo4j.llm.TokenUsage;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMessage;
import io.mnemo4j.spi.TenantStore;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One {@code add}, start to finish: idempotency, the choice between verbatim and inference, the
 * scope lock, and a single batch holding the memories, their history, the raw messages and the
 * operation record. A model failure falls back to storing what the user said verbatim, so the
 * user's words are never lost. Stateless, thread-safe.
 */
public final class AddPipeline {
  private static final System.Logger LOG = System.getLogger(AddPipeline.class.getName());

  /** Why an add asked to infer stored the user's words instead, when no model exists. */
  static final String NO_MODEL =
      "no language model is configured for this tenant: the user's messages were stored verbatim";

  private final Context context;
  private final VerbatimIngest verbatim;
  private final Extraction extraction;
  private final Consolidation consolidation;

  public AddPipeline(Context context) {
    this.context = context;
    this.verbatim = new VerbatimIngest(context);
    this.extraction = new Extraction(context);
    this.consolidation = new Consolidation(context);
  }

  /** How an add stores what it is given. */
  private enum Route {
    /** A model extracts facts. */
    INFER,
    /** Every message becomes a memory ({@code infer=false}, or no model and no preference). */
    VERBATIM,
    /** Inference was asked for but no model exists: what a person said becomes memories. */
    PEOPLE
  }

  /** Checks what can be checked before any work: the messages, and procedural's needs. */
  void check(TenantInfo tenant, List<Message> messages, AddOptions options) {
    VerbatimIngest.checkMessages(messages);
    boolean hasModel = context.inference(tenant.id()).model() != null;
    if (options.procedural() && (!hasModel || options.infer() == AddOptions.Infer.OFF)) {
      throw new InvalidRequestException(
          "memory_type", "procedural memory needs a language model and infer not false");
    }
  }

  private static Route route(InferenceSettings settings, AddOptions options) {
    if (options.infer() == AddOptions.Infer.OFF) {
      return Route.VERBATIM;
    }
    if (settings.model() != null) {
      return Route.INFER;
    }
    return options.infer() == AddOptions.Infer.ON ? Route.PEOPLE : Route.VERBATIM;
  }

  /**
   * One add's fixed inputs, gathered once so the steps below take one argument, not ten.
   *
   * @param tenant the tenant
   * @param store its open store
   * @param messages the messages
   * @param scope where they go
   * @param options the add's options
   * @param settings the tenant's inference settings
   * @param record the operation record of an asynchronous add being run, or null
   * @param fingerprint what the add's idempotency key is bound to
   * @param calls the model-call policy, reporting usage to the tenant's listener
   */
  private record Call(
      TenantInfo tenant,
      TenantStore store,
      List<Message> messages,
      Scope scope,
      AddOptions options,
      InferenceSettings settings,
      @Nullable StoredEvent record,
      String fingerprint,
      ModelCalls calls) {
    @Nullable String key() {
      return options.idempotencyKey();
    }
  }

  /**
   * The slow work done before the scope lock, so parallel adds overlap on the CPU and the model.
   *
   * @param route how the add stores what it is given (PEOPLE after a failed extraction)
   * @param facts the extracted facts, when inferring facts
   * @param procedure the procedure text, when inferring a procedural memory
   * @param vectors the messages' vectors, when they are stored verbatim
   * @param failure why inference fell back to verbatim, or null
   * @param usage the model tokens spent so far
   */
  private record Prepared(
      Route route,
      Extraction.@Nullable Extracted facts,
      @Nullable String procedure,
      @Nullable List<float[]> vectors,
      @Nullable String failure,
      TokenUsage usage) {}

  /**
   * Runs an add. {@code record} is the operation record of an asynchronous add (it is finished in
   * the same batch); otherwise a new one is written with the add, so its event id can be polled.
   */
  public AddResult add(
      TenantInfo tenant,
      List<Message> messages,
      Scope scope,
      AddOptions options,
      @Nullable StoredEvent record) {
    check(tenant, messages, options);
    InferenceSettings settings = context.inference(tenant.id());
    String fingerprint = AddCodec.fingerprint(messages, scope, options);
    try (TenantHandles.Lease lease = context.lease(tenant)) {
      Call call =
          new Call(
              tenant,
              lease.store(),
              messages,
              scope,
              options,
              settings,
              record,
              fingerprint,
              new ModelCalls(u -> context.reportUsage(tenant.id(), u)));
      if (record == null && call.key() != null) {
        Optional<StoredEvent> earlier = call.store().eventByIdempotencyKey(call.key());
        if (earlier.isPresent()) {
          Optional<AddResult> replayed = replay(earlier.get(), call);
          if (replayed.isPresent()) {
            return replayed.get();
          }
        }
      }
      Prepared prepared = prepare(call, route(settings, options));
      return context
          .locks()
          .locked(tenant.id(), call.store(), scope, () -> applyLocked(call, prepared));
    }
  }

  /** The model's extraction call and the verbatim embeddings, outside the lock. */
  private Prepared prepare(Call call, Route route) {
    Extraction.Extracted facts = null;
    String procedure = null;
    String failure = null;
    TokenUsage usage = TokenUsage.NONE;
    if (route == Route.INFER) {
      LanguageModel model =
          Objects.requireNonNull(call.settings().model(), "the INFER route needs a model");
      try {
        if (call.options().procedural()) {
          ModelCalls.Answer<String> answer =
              extraction.procedure(
                  model, call.calls(), call.settings(), call.messages(), call.options());
          procedure = answer.value();
          usage = answer.usage();
        } else {
          facts =
              extraction.extract(
                  model, call.calls(), call.settings(), call.messages(), call.options());
          usage = facts.usage();
        }
      } catch (Failed f) {
        failure = failed(call, f);
        usage = usage.plus(f.usage);
        route = Route.PEOPLE;
      }
    } else if (route == Route.PEOPLE) {
      failure = NO_MODEL;
    }
    List<float[]> vectors =
        route == Route.INFER ? null : verbatim.embed(call.messages(), route == Route.PEOPLE);
    return new Prepared(route, facts, procedure, vectors, failure, usage);
  }

  /** Everything under the scope lock: idempotency re-check, decisions, one batch. */
  private AddResult applyLocked(Call call, Prepared prepared) {
    TenantStore store = call.store();
    // Re-checked under the lock: a concurrent add with the same key may have won. What is left
    // after this is nothing, or a failed add to retry under its old record.
    StoredEvent prior =
        call.record() == null && call.key() != null
            ? store.eventByIdempotencyKey(call.key()).orElse(null)
            : null;
    if (prior != null) {
      Optional<AddResult> earlier = replay(prior, call);
      if (earlier.isPresent()) {
        return earlier.get();
      }
    }
    Instant now = context.now();
    List<StoredMessage> raw = verbatim.rawMessages(call.messages(), call.scope(), now);
    VerbatimIngest.Plan plan = null;
    TokenUsage usage = prepared.usage();
    String failure = prepared.failure();
    AddResult.Truncation truncation = AddResult.Truncation.NONE;
    List<float[]> vectors = prepared.vectors();
    boolean peopleOnly = prepared.route() == Route.PEOPLE;
    if (prepared.route() == Route.INFER) {
      try {
        Consolidation.Plan p = infer(call, prepared, raw);
        plan = p.plan();
        usage = usage.plus(p.usage());
        truncation = p.truncation();
      } catch (Failed f) {
        failure = failed(call, f);
        usage = usage.plus(f.usage);
        peopleOnly = true;
        vectors = verbatim.embed(call.messages(), true);
      }
    }
    if (plan == null) {
      // Not inferred (or inference failed, which embedded the messages): the vectors are there.
      List<float[]> embedded =
          Objects.requireNonNull(vectors, "a verbatim add has its messages' vectors");
      plan =
          verbatim.plan(
              store,
              new VerbatimIngest.Input(
                  call.messages(), raw, embedded, call.scope(), call.options(), peopleOnly),
              context.embedder().modelId());
    }
    // A failed add retried with its key reuses its record.
    StoredEvent base = call.record() != null ? call.record() : prior;
    String eventId = base != null ? base.id() : context.newId();
    AddResult result =
        new AddResult(
            plan.events(),
            failure == null && prepared.route() == Route.INFER,
            failure,
            usage,
            eventId,
            false,
            truncation);
    Instant created = base != null ? base.createdAt() : now;
    String request =
        base != null ? base.request() : AddCodec.summary(call.scope(), call.fingerprint());
    StoredEvent finished =
        new StoredEvent(
            eventId,
            call.key(),
            EventStatus.SUCCEEDED,
            request,
            AddCodec.result(result),
            created,
            context.now());
    try {
      store.write(plan.batch(List.of(finished)));
    } catch (ConflictException raced) {
      // Another process recorded the key first; its result is the answer.
      if (call.key() == null) {
        throw raced;
      }
      return store
          .eventByIdempotencyKey(call.key())
          .flatMap(e -> replay(e, call))
          .orElseThrow(() -> raced);
    }
    return result;
  }

  private Consolidation.Plan infer(Call call, Prepared prepared, List<StoredMessage> raw)
      throws Failed {
    Consolidation.Target target =
        new Consolidation.Target(call.store(), call.scope(), call.options(), raw);
    if (prepared.procedure() != null) {
      return consolidation.procedural(target, prepared.procedure());
    }
    Extraction.Extracted facts =
        Objects.requireNonNull(prepared.facts(), "an inferred add without a procedure has facts");
    if (call.settings().mode() == InferenceMode.ADDITIVE) {
      return consolidation.additive(target, facts);
    }
    LanguageModel model =
        Objects.requireNonNull(call.settings().model(), "the INFER route needs a model");
    return consolidation.consolidate(target, model, call.calls(), call.settings(), facts);
  }

  /**
   * Logs a failed inference without anything the model said (its answer may echo the user's words):
   * the failure's code at WARN, the whole reason only to the tenant's debug logger. Returns the
   * reason, which goes back to the caller as {@code fallback_reason}.
   */
  private static String failed(Call call, Failed f) {
    LOG.log(
        System.Logger.Level.WARNING,
        "tenant {0}: inference failed ({1}); the user''s messages were stored verbatim",
        call.tenant().id(),
        f.code);
    TenantLog.debug(call.tenant().id(), () -> "inference failed: " + f.getMessage());
    return f.getMessage();
  }

  /**
   * The first result of the add recorded as {@code e}, if it succeeded and was the same request; a
   * conflict if the key was used for another request (another scope or body) or is still running;
   * empty if it failed (it may be retried with its key: nothing of it was applied).
   */
  private static Optional<AddResult> replay(StoredEvent e, Call call) {
    checkBinding(e, call.scope(), call.fingerprint());
    return switch (e.status()) {
      case SUCCEEDED ->
          Optional.of(
              AddCodec.result(
                      Objects.requireNonNull(e.result(), "a succeeded add has a result"), e.id())
                  .asReplay());
      case PENDING, RUNNING ->
          throw new ConflictException(
              "idempotency_key",
              "an add with this idempotency_key is still running; poll event " + e.id());
      case FAILED -> Optional.empty();
    };
  }

  /**
   * Refuses to answer an add with the record of another: an idempotency key is bound to the scope
   * and the body it was first used with, so a reused key can neither replay someone else's result
   * nor silently swallow a new message. Records made before fingerprints existed are bound by
   * scope.
   *
   * @throws ConflictException naming {@code idempotency_key} when the key was used differently
   */
  static void checkBinding(StoredEvent e, Scope scope, String fingerprint) {
    boolean sameScope = AddCodec.scope(e.request()).equals(scope);
    boolean sameRequest =
        AddCodec.fingerprint(e.request()).map(fingerprint::equals).orElse(sameScope);
    if (!sameScope || !sameRequest) {
      throw new ConflictException(
          "idempotency_key",
          "this idempotency_key was already used for another request (another scope or body);"
              + " use a new key for a new add");
    }
  }
}
