package io.mnemo4j.internal.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.AddOptions;
import io.mnemo4j.AddResult;
import io.mnemo4j.EventType;
import io.mnemo4j.HistoryEntry;
import io.mnemo4j.InferenceSettings;
import io.mnemo4j.Memory;
import io.mnemo4j.MemoryEvent;
import io.mnemo4j.MemoryType;
import io.mnemo4j.Scope;
import io.mnemo4j.internal.Context;
import io.mnemo4j.internal.Visibility;
import io.mnemo4j.internal.ingest.ModelCalls.Answer;
import io.mnemo4j.internal.ingest.ModelCalls.Failed;
import io.mnemo4j.internal.ingest.ModelCalls.Invalid;
import io.mnemo4j.internal.util.Json;
import io.mnemo4j.internal.util.TextHash;
import io.mnemo4j.llm.ChatMessage;
import io.mnemo4j.llm.CompletionRequest;
import io.mnemo4j.llm.LanguageModel;
import io.mnemo4j.llm.TokenUsage;
import io.mnemo4j.spi.Change;
import io.mnemo4j.spi.Embedder;
import io.mnemo4j.spi.ScopeFilter;
import io.mnemo4j.spi.ScoredId;
import io.mnemo4j.spi.StoredMemory;
import io.mnemo4j.spi.StoredMessage;
import io.mnemo4j.spi.TenantStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What an add with a language model decides under the scope lock. {@code consolidate} shows the
 * nearest current memories of the scope to the model under small integer aliases and applies its
 * ADD / UPDATE / DELETE / NONE decisions; {@code additive} adds every fact that is not an exact or
 * near duplicate; {@code procedural} stores one procedure. A contradicted memory is closed ({@code
 * valid_to}), never erased; an updated one leaves a closed copy of its old version, so as-of
 * queries see what was true then. Stateless, thread-safe.
 */
final class Consolidation {
  /** Nearest memories fetched per fact for the decision call. */
  static final int NEIGHBOURS_PER_FACT = 5;

  /** Most existing memories shown to the model in one decision call. */
  static final int MAX_SHOWN = 40;

  private final Context context;

  Consolidation(Context context) {
    this.context = context;
  }

  /** One decision the model made, checked. */
  record Decision(
      int fact, EventType event, @Nullable StoredMemory target, @Nullable String text) {}

  /**
   * Where one add's decisions go.
   *
   * @param store the tenant's store
   * @param scope the add's scope
   * @param options the add's options
   * @param raw the add's raw messages (the memories' provenance)
   */
  record Target(TenantStore store, Scope scope, AddOptions options, List<StoredMessage> raw) {}

  /**
   * Plans the consolidation of {@code extracted} into the scope. Calls the model only when the
   * scope holds memories near the facts; with none, every fact is simply new.
   */
  Plan consolidate(
      Target target,
      LanguageModel model,
      ModelCalls calls,
      InferenceSettings settings,
      Extraction.Extracted extracted)
      throws Failed {
    Instant now = context.now();
    String modelId = context.embedder().modelId();
    List<StoredMemory> shown =
        neighbours(target.store(), extracted.vectors(), target.scope(), modelId, now);
    List<Decision> decisions;
    TokenUsage usage = TokenUsage.NONE;
    int shortened = 0;
    if (shown.isEmpty()) {
      decisions = new ArrayList<>();
      for (int i = 0; i < extracted.facts().size(); i++) {
        decisions.add(new Decision(i, EventType.ADD, null, extracted.facts().get(i).text()));
      }
    } else {
      Answer<List<Decision>> answer =
          calls.call(
              model,
              decideRequest(settings, target.options(), extracted.facts(), shown),
              json -> decisions(json, extracted.facts().size(), shown));
      decisions = new ArrayList<>();
      for (Decision d : answer.value()) {
        String original = d.text();
        String text =
            original == null ? null : Extraction.shorten(original, settings.maxFactChars());
        if (original != null && text != null && text.length() < original.length()) {
          shortened++;
        }
        decisions.add(new Decision(d.fact(), d.event(), d.target(), text));
      }
      usage = answer.usage();
    }
    Plan plan = apply(target, decisions, extracted, usage, MemoryType.SEMANTIC);
    return shortened == 0 ? plan : plan.withShortened(shortened);
  }

  private List<StoredMemory> neighbours(
      TenantStore store, List<float[]> vectors, Scope scope, String modelId, Instant now) {
    LinkedHashSet<String> ids = new LinkedHashSet<>();
    ScopeFilter exact = new ScopeFilter.Exact(scope);
    for (float[] v : vectors) {
      for (ScoredId s :
          store.vectorSearch(modelId, v, exact, Visibility.current(now), NEIGHBOURS_PER_FACT)) {
        if (ids.size() < MAX_SHOWN) {
          ids.add(s.id());
        }
      }
    }
    return store.getAll(ids).stream().filter(m -> Visibility.isCurrent(m.memory(), now)).toList();
  }

  private CompletionRequest decideRequest(
      InferenceSettings settings,
      AddOptions options,
      List<Extraction.Fact> facts,
      List<StoredMemory> shown) {
    ObjectNode input = Json.object();
    ArrayNode existing = input.putArray("stored_memories");
    // Aliases are the positions in this list: the model never sees a UUID, so it cannot copy a
    // wrong one, and an id it invents is caught by a range check.
    for (int i = 0; i < shown.size(); i++) {
      existing.addObject().put("id", String.valueOf(i)).put("text", shown.get(i).memory().text());
    }
    ArrayNode fresh = input.putArray("new_facts");
    for (int i = 0; i < facts.size(); i++) {
      fresh.addObject().put("fact", i).put("text", facts.get(i).text());
    }
    String system =
        Prompts.fill(
            Prompts.DECIDE, Map.of("instructions", Extraction.instructions(settings, options)));
    return new CompletionRequest(
        List.of(ChatMessage.system(system), ChatMessage.user(input.toPrettyString())),
        Prompts.DECIDE_SCHEMA,
        "decide");
  }

  static List<Decision> decisions(JsonNode json, int factCount, List<StoredMemory> shown)
      throws Invalid {
    JsonNode array = json.get("decisions");
    if (array == null || !array.isArray()) {
      throw new Invalid("\"decisions\" must be an array");
    }
    List<Decision> out = new ArrayList<>();
    boolean[] covered = new boolean[factCount];
    Set<Integer> changed = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      JsonNode d = array.get(i);
      String where = "decisions[" + i + "]";
      if (!d.isObject()) {
        throw new Invalid(where + " must be an object");
      }
      JsonNode factNode = d.get("fact");
      if (factNode == null || !factNode.canConvertToInt()) {
        throw new Invalid(where + ".fact must be the number of a new fact");
      }
      int fact = factNode.asInt();
      if (fact < 0 || fact >= factCount) {
        throw new Invalid(where + ".fact " + fact + " is not a new fact's number");
      }
      JsonNode eventNode = d.get("event");
      EventType event;
      try {
        event = EventType.valueOf(eventNode == null ? "" : eventNode.asText());
      } catch (IllegalArgumentException e) {
        throw new Invalid(where + ".event must be ADD, UPDATE, DELETE or NONE");
      }
      StoredMemory target = alias(d.get("id"), shown, where);
      JsonNode textNode = d.get("text");
      String text =
          textNode == null || textNode.isNull() || textNode.asText().isBlank()
              ? null
              : textNode.asText().strip();
      switch (event) {
        case ADD -> {
          if (text == null) {
            throw new Invalid(where + ": ADD needs a text");
          }
          target = null;
        }
        case UPDATE -> {
          if (target == null || text == null) {
            throw new Invalid(where + ": UPDATE needs the id of a stored memory and a text");
          }
        }
        case DELETE -> {
          if (target == null) {
            throw new Invalid(where + ": DELETE needs the id of a stored memory");
          }
        }
        case NONE -> {}
      }
      if ((event == EventType.UPDATE || event == EventType.DELETE)
          && !changed.add(shown.indexOf(target))) {
        throw new Invalid(where + ": memory " + d.get("id").asText() + " is changed twice");
      }
      covered[fact] = true;
      out.add(new Decision(fact, event, target, text));
    }
    for (int f = 0; f < factCount; f++) {
      if (!covered[f]) {
        throw new Invalid("new fact " + f + " has no decision; every fact needs one");
      }
    }
    return out;
  }

  private static @Nullable StoredMemory alias(
      @Nullable JsonNode id, List<StoredMemory> shown, String where) throws Invalid {
    if (id == null || id.isNull() || (id.isTextual() && id.asText().isBlank())) {
      return null;
    }
    String s = id.asText().strip();
    int index;
    try {
      index = Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new Invalid(where + ".id \"" + Extraction.clip(s) + "\" is not one of the ids shown");
    }
    if (index < 0 || index >= shown.size()) {
      throw new Invalid(where + ".id " + index + " is not one of the ids shown");
    }
    return shown.get(index);
  }

  /** Plans the additive mode: every fact not already known is added. */
  Plan additive(Target target, Extraction.Extracted extracted) {
    List<Decision> decisions = new ArrayList<>();
    for (int i = 0; i < extracted.facts().size(); i++) {
      decisions.add(new Decision(i, EventType.ADD, null, extracted.facts().get(i).text()));
    }
    return apply(target, decisions, extracted, TokenUsage.NONE, MemoryType.SEMANTIC);
  }

  /** Plans one procedural memory. */
  Plan procedural(Target target, String text) {
    float[] vector = context.embedder().embed(text, Embedder.Purpose.DOCUMENT);
    Extraction.Extracted one =
        new Extraction.Extracted(
            List.of(new Extraction.Fact(text, List.of(), null)),
            List.of(vector),
            TokenUsage.NONE,
            AddResult.Truncation.NONE);
    return apply(
        target,
        List.of(new Decision(0, EventType.ADD, null, text)),
        one,
        TokenUsage.NONE,
        MemoryType.PROCEDURAL);
  }

  /**
   * A plan plus the tokens the decision call cost.
   *
   * @param plan what to write
   * @param usage decision-call tokens
   */
  record Plan(VerbatimIngest.Plan plan, TokenUsage usage, AddResult.Truncation truncation) {
    /** A copy counting {@code n} more facts shortened by the decision step. */
    Plan withShortened(int n) {
      return new Plan(
          plan,
          usage,
          new AddResult.Truncation(truncation.factsDropped(), truncation.factsShortened() + n));
    }
  }

  private Plan apply(
      Target target,
      List<Decision> decisions,
      Extraction.Extracted extracted,
      TokenUsage usage,
      MemoryType type) {
    Applying applying = new Applying(target, extracted, type);
    // Adds come after closes, so a fact that replaces a contradicted one is not mistaken for its
    // duplicate.
    List<Decision> ordered = new ArrayList<>();
    decisions.stream().filter(d -> d.event() != EventType.ADD).forEach(ordered::add);
    decisions.stream().filter(d -> d.event() == EventType.ADD).forEach(ordered::add);
    for (Decision d : ordered) {
      switch (d.event()) {
        case ADD -> applying.add(d);
        case UPDATE -> applying.update(d);
        case DELETE -> applying.delete(d);
        case NONE -> applying.none(d);
      }
    }
    return new Plan(applying.plan(), usage, extracted.truncation());
  }

  /** The changes, history and events one add's decisions produce, built decision by decision. */
  private final class Applying {
    private final Target target;
    private final Extraction.Extracted extracted;
    private final MemoryType type;
    private final Instant now = context.now();
    private final String modelId = context.embedder().modelId();
    private final Memory.Provenance provenance;
    private final VerbatimIngest.Duplicates duplicates;
    private final List<MemoryEvent> events = new ArrayList<>();
    private final List<Change> changes = new ArrayList<>();
    private final List<HistoryEntry> history = new ArrayList<>();
    private final Set<String> closed = new HashSet<>();

    Applying(Target target, Extraction.Extracted extracted, MemoryType type) {
      this.target = target;
      this.extracted = extracted;
      this.type = type;
      this.provenance =
          new Memory.Provenance(
              Memory.Provenance.INFERRED, target.raw().stream().map(StoredMessage::id).toList());
      // Facts are not embedded with conversation context: their vectors are compared as they are.
      this.duplicates =
          new VerbatimIngest.Duplicates(
              target.store(),
              target.scope(),
              modelId,
              target
                  .options()
                  .nearDuplicateThreshold()
                  .orElse(context.settings().nearDuplicateThreshold()),
              false,
              now);
    }

    /** The fact a decision is about. */
    private Extraction.Fact fact(Decision d) {
      return extracted.facts().get(d.fact());
    }

    /** The decision's text, which the parser requires of ADD and UPDATE. */
    private static String textOf(Decision d) {
      return Objects.requireNonNull(d.text(), () -> d.event() + " decision without text");
    }

    /** The memory a decision changes, which the parser requires of UPDATE and DELETE. */
    private static StoredMemory targetOf(Decision d) {
      return Objects.requireNonNull(d.target(), () -> d.event() + " decision without a target");
    }

    /** When the change a decision makes took effect: the fact's own start, else now. */
    private Instant changeAt(Decision d) {
      Instant from = fact(d).validFrom();
      return from != null ? from : now;
    }

    /** The vector of the decision's text: the fact's own when the model kept its words. */
    private float[] vector(Decision d, String text) {
      return text.equals(fact(d).text())
          ? extracted.vectors().get(d.fact())
          : context.embedder().embed(text, Embedder.Purpose.DOCUMENT);
    }

    void add(Decision d) {
      String text = textOf(d);
      float[] vector = vector(d, text);
      String hash = TextHash.of(text);
      Optional<MemoryEvent> duplicate = duplicates.find(text, hash, vector, closed);
      if (duplicate.isPresent()) {
        events.add(duplicate.get());
        return;
      }
      AddOptions options = target.options();
      List<String> categories = new ArrayList<>(fact(d).categories());
      options.categories().stream().filter(c -> !categories.contains(c)).forEach(categories::add);
      Memory memory =
          new Memory(
              context.newId(),
              text,
              hash,
              target.scope(),
              options.metadata(),
              categories,
              null,
              null,
              now,
              now,
              options.expiresAt(),
              fact(d).validFrom(),
              null,
              provenance,
              modelId,
              type);
      StoredMemory stored = new StoredMemory(memory, vector);
      changes.add(new Change.Put(stored));
      history.add(
          new HistoryEntry(
              context.newId(), memory.id(), EventType.ADD, null, text, "model", now, null));
      duplicates.added(stored);
      events.add(new MemoryEvent.Added(memory.id(), text));
    }

    void update(Decision d) {
      StoredMemory stored = targetOf(d);
      Memory before = stored.memory();
      String text = textOf(d);
      if (text.equals(before.text())) {
        events.add(new MemoryEvent.Unchanged(before.id(), before.text(), "already_known"));
        return;
      }
      Versions.Superseded v =
          Versions.supersede(
              context,
              stored,
              text,
              vector(d, text),
              before.metadata(),
              changeAt(d),
              now,
              "model",
              "refined by a new fact");
      // The new text comes from this add's messages too: erasing the first conversation alone
      // must not delete what the second one also said (the closed version keeps the old sources).
      List<String> sources = new ArrayList<>(before.provenance().messageIds());
      provenance.messageIds().stream().filter(m -> !sources.contains(m)).forEach(sources::add);
      Change.Put after = (Change.Put) v.changes().get(0);
      StoredMemory updated = after.memory();
      changes.add(
          new Change.Put(
              new StoredMemory(
                  updated
                      .memory()
                      .withProvenance(new Memory.Provenance(before.provenance().source(), sources)),
                  updated.embedding(),
                  updated.context())));
      changes.addAll(v.changes().subList(1, v.changes().size()));
      history.addAll(v.history());
      events.add(new MemoryEvent.Updated(before.id(), text, before.text()));
    }

    void delete(Decision d) {
      StoredMemory stored = targetOf(d);
      Memory before = stored.memory();
      Memory closedMemory = before.withValidity(before.validFrom(), changeAt(d), now);
      changes.add(
          new Change.Put(new StoredMemory(closedMemory, stored.embedding(), stored.context())));
      history.add(
          new HistoryEntry(
              context.newId(),
              before.id(),
              EventType.DELETE,
              before.text(),
              null,
              "model",
              now,
              "contradicted by a new fact; closed (valid_to set), kept for history"));
      closed.add(before.id());
      events.add(new MemoryEvent.Deleted(before.id(), before.text()));
    }

    void none(Decision d) {
      if (d.target() != null) {
        events.add(
            new MemoryEvent.Unchanged(
                d.target().id(), d.target().memory().text(), "already_known"));
      }
    }

    VerbatimIngest.Plan plan() {
      return new VerbatimIngest.Plan(events, changes, history, target.raw());
    }
  }
}
