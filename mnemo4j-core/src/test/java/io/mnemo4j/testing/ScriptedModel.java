package io.mnemo4j.testing;

import io.mnemo4j.llm.Completion;
import io.mnemo4j.llm.CompletionRequest;
import io.mnemo4j.llm.LanguageModel;
import io.mnemo4j.llm.LanguageModelException;
import io.mnemo4j.llm.TokenUsage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * An in-process language model that answers from a script and records every request: for tests of
 * the pipeline's logic without HTTP. Answers are taken in order; a {@link #respond} function, if
 * set, answers when the script is empty. Thread-safe.
 */
public final class ScriptedModel implements LanguageModel {
  private final Deque<Object> script = new ArrayDeque<>();
  private final List<CompletionRequest> requests = new ArrayList<>();
  private Function<CompletionRequest, String> respond;

  /** Queues an answer costing 100 input and 20 output tokens. */
  public synchronized ScriptedModel answer(String json) {
    script.add(json);
    return this;
  }

  /** Queues a failure. */
  public synchronized ScriptedModel fail(LanguageModelException e) {
    script.add(e);
    return this;
  }

  /** Answers with {@code f} whenever the script is empty. */
  public synchronized ScriptedModel otherwise(Function<CompletionRequest, String> f) {
    this.respond = f;
    return this;
  }

  /** Every request received, in order. */
  public synchronized List<CompletionRequest> requests() {
    return List.copyOf(requests);
  }

  @Override
  public String modelId() {
    return "scripted";
  }

  @Override
  public Completion complete(CompletionRequest request) {
    Object next;
    Function<CompletionRequest, String> f;
    synchronized (this) {
      requests.add(request);
      next = script.poll();
      f = respond;
    }
    if (next == null) {
      if (f == null) {
        throw new AssertionError("the model was called more often than scripted");
      }
      next = f.apply(request);
    }
    if (next instanceof LanguageModelException e) {
      throw e;
    }
    return new Completion((String) next, TokenUsage.ofCall(100, 20));
  }
}
