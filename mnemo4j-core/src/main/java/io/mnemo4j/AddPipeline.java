package io.mnemo4j;

import io.mnemo4j.ModelCalls.Failed;
import io.mnemo4j.llm.LanguageModel;
import io.mnemo4j.llm.TokenUsage;
import io.mnemo4j.spi.EventStatus;
import io.mnemo4j.spi.StoredEvent;
import io.mnemo4j.spi.StoredMessage;
import io.mnemo4j.spi.TenantStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One {@code add}, start to finish: idempotency, the choice between verbatim and inference, the
 * scope lock, and a single batch holding the memories, their history, the raw messages and the
 * operation record. A model failure falls back to storing the messages verbatim, so the user's
 * words are never lost. Stateless, thread-safe.
 */
final class AddPipeline {
  private static final System.Logger LOG = System.getLogger(AddPipeline.class.getName());

  private final Mnemo mnemo;
  private final VerbatimIngest verbatim;
  private final InferenceIngest inference;

  AddPipeline(Mnemo mnemo) {
    this.mnemo = mnemo;
    this.verbatim = new VerbatimIngest(mnemo);
    this.inference = new InferenceIngest(mnemo, verbatim);
  }

  /** Checks what can be checked before any work: the messages, and that a model exists if asked. */
  void check(TenantInfo tenant, List<Message> messages, AddOptions options) {
    VerbatimIngest.checkMessages(messages);
    boolean hasModel = mnemo.inference(tenant.id()).model() != null;
    if (Boolean.TRUE.equals(options.infer()) && !hasModel) {
      throw new InvalidRequestException(
          "infer", "infer is true but no language model is configured for this tenant");
    }
    if (options.procedural() && (!hasModel || Boolean.FALSE.equals(options.infer()))) {
      throw new InvalidRequestException(
          "memory_type", "procedural memory needs a language model and infer not false");
    }
  }

  /**
   * Runs an add. {@code record} is the operation record of an asynchronous add (it is finished in
   * the same batch); otherwise one is made when the options carry an idempotency key.
   */
  AddResult add(
      TenantInfo tenant,
      List<Message> messages,
      Scope scope,
      AddOptions options,
      @Nullable StoredEvent record) {
    check(tenant, messages, options);
    InferenceSettings settings = mnemo.inference(tenant.id());
    boolean infer = settings.model() != null && !Boolean.FALSE.equals(options.infer());
    String key = options.idempotencyKey();
    try (TenantHandles.Lease lease = mnemo.lease(tenant)) {
      TenantStore store = lease.store();
      if (record == null && key != null) {
        Optional<AddResult> earlier = store.eventByIdempotencyKey(key).flatMap(AddPipeline::replay);
        if (earlier.isPresent()) {
          return earlier.get();
        }
      }
      ModelCalls calls = new ModelCalls(u -> mnemo.reportUsage(tenant.id(), u));
      LanguageModel model = settings.model();
      // The slow parts (the extraction call, embeddings) run before the scope lock.
      InferenceIngest.Extracted extracted = null;
      String procedure = null;
      String fallback = null;
      TokenUsage usage = TokenUsage.NONE;
      if (infer) {
        try {
          if (options.procedural()) {
            ModelCalls.Answer<String> answer =
                inference.procedure(model, calls, settings, messages, options);
            procedure = answer.value();
            usage = answer.usage();
          } else {
            extracted = inference.extract(model, calls, settings, messages, options);
            usage = extracted.usage();
          }
        } catch (Failed f) {
          fallback = f.getMessage();
          usage = usage.plus(f.usage);
        }
      }
      List<float[]> vectors = infer && fallback == null ? null : verbatim.embed(messages);
      final InferenceIngest.Extracted facts = extracted;
      final String procedureText = procedure;
      final String extractFailure = fallback;
      final TokenUsage extractUsage = usage;
      return mnemo
          .scopeLocks()
          .locked(
              tenant.id(),
              store,
              scope,
              () -> {
                // Re-checked under the lock: a concurrent add with the same key may have won. What
                // is left after this is nothing, or a failed asynchronous add to retry.
                StoredEvent prior =
                    record == null && key != null
                        ? store.eventByIdempotencyKey(key).orElse(null)
                        : null;
                if (prior != null) {
                  Optional<AddResult> earlier = replay(prior);
                  if (earlier.isPresent()) {
                    return earlier.get();
                  }
                }
                Instant now = mnemo.clock().instant();
                List<StoredMessage> raw = verbatim.rawMessages(messages, scope, now);
                VerbatimIngest.Plan plan;
                TokenUsage total = extractUsage;
                String failure = extractFailure;
                boolean inferred = false;
                if (infer && failure == null) {
                  try {
                    InferenceIngest.Plan p;
                    if (procedureText != null) {
                      p = inference.procedural(store, procedureText, scope, options, raw);
                    } else if (settings.mode() == InferenceMode.ADDITIVE) {
                      p = inference.additive(store, facts, scope, options, raw);
                    } else {
                      p =
                          inference.consolidate(
                              store, model, calls, settings, facts, scope, options, raw);
                    }
                    plan = p.plan();
                    total = total.plus(p.usage());
                    inferred = true;
                  } catch (Failed f) {
                    failure = f.getMessage();
                    total = total.plus(f.usage);
                    plan = null;
                  }
                } else {
                  plan = null;
                }
                if (plan == null) {
                  List<float[]> v = vectors != null ? vectors : verbatim.embed(messages);
                  plan =
                      verbatim.plan(
                          store, messages, raw, v, scope, options, mnemo.embedder().modelId());
                }
                if (failure != null) {
                  // The reason may quote the model's answer, which may echo the user's words:
                  // it goes to the result and to the tenant's debug logger only.
                  LOG.log(
                      System.Logger.Level.WARNING,
                      "tenant {0}: inference failed, messages stored verbatim"
                          + " (the add result's fallback_reason says why)",
                      tenant.id());
                  System.getLogger("io.mnemo4j.tenant." + tenant.id())
                      .log(
                          System.Logger.Level.DEBUG,
                          "inference failed, messages stored verbatim: {0}",
                          failure);
                }
                // A failed asynchronous add retried with its key reuses its record.
                StoredEvent base = record != null ? record : prior;
                String eventId = base != null ? base.id() : key != null ? mnemo.newId() : null;
                AddResult result =
                    new AddResult(plan.events(), inferred, failure, total, eventId, false);
                List<StoredEvent> records = List.of();
                if (eventId != null) {
                  Instant created = base != null ? base.createdAt() : now;
                  String request =
                      base != null ? base.request() : AddCodec.request(messages, scope, options);
                  records =
                      List.of(
                          new StoredEvent(
                              eventId,
                              key,
                              EventStatus.SUCCEEDED,
                              request,
                              AddCodec.result(result),
                              created,
                              mnemo.clock().instant()));
                }
                try {
                  store.write(plan.batch(records));
                } catch (ConflictException raced) {
                  // Another process recorded the key first; its result is the answer.
                  return store
                      .eventByIdempotencyKey(key)
                      .flatMap(AddPipeline::replay)
                      .orElseThrow(() -> raced);
                }
                return result;
              });
    }
  }

  /**
   * The first result of the add recorded as {@code e}, if it succeeded; a conflict if it is still
   * running; empty if it failed (it may be retried with its key: nothing of it was applied).
   */
  private static Optional<AddResult> replay(StoredEvent e) {
    return switch (e.status()) {
      case SUCCEEDED -> Optional.of(AddCodec.result(e.result(), e.id()).asReplay());
      case PENDING, RUNNING ->
          throw new ConflictException(
              "an add with this idempotency key is still running; poll event " + e.id());
      case FAILED -> Optional.empty();
    };
  }
}
