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
import io.mnemo4j.Message;
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
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code add} with a language model. Extraction (one call, outside the scope lock, so parallel adds
 * overlap) turns the messages into facts; under the lock, {@code consolidate} shows the nearest
 * current memories of the scope to the model under small integer aliases and applies its ADD /
 * UPDATE / DELETE / NONE decisions, while {@code additive} adds every fact that is not an exact or
 * near duplicate. A contradicted memory is closed ({@code valid_to}), never erased; an updated one
 * leaves a closed copy of its old version, so as-of queries see what was true then. Stateless,
 * thread-safe.
 */
final class InferenceIngest {
  /** Nearest memories fetched per fact for the decision call. */
  static final int NEIGHBOURS_PER_FACT = 5;

  /** Most existing memories shown to the model in one decision call. */
  static final int MAX_SHOWN = 40;

  private final Context context;

  InferenceIngest(Context context) {
    this.context = context;
  }

  /**
   * A fact the model extracted.
   *
   * @param text the fact
   * @param categories categories from the tenant's vocabulary
   * @param validFrom when it started to hold, if stated
   */
  record Fact(String text, List<String> categories, @Nullable Instant validFrom) {}

  /** Facts plus their vectors, what extracting them cost, and what was cut to fit the limits. */
  record Extracted(
      List<Fact> facts, List<float[]> vectors, TokenUsage usage, AddResult.Truncation truncation) {}

  // ---------------------------------------------------------------- extraction (outside the lock)

  Extracted extract(
      LanguageModel model,
      ModelCalls calls,
      InferenceSettings settings,
      List<Message> messages,
      AddOptions options)
      throws Failed {
    LocalDate day = sessionDay(options);
    Set<String> vocabulary = new LinkedHashSet<>(settings.categories());
    String system =
        Prompts.fill(
            Prompts.EXTRACT,
            Map.of(
                "session_date", day.toString(),
                "session_weekday",
                    day.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH),
                "categories",
                    vocabulary.isEmpty()
                        ? "(no categories are defined: always answer an empty list)"
                        : String.join(", ", vocabulary),
                "instructions", instructions(settings, options)));
    CompletionRequest request =
        new CompletionRequest(
            List.of(ChatMessage.system(system), ChatMessage.user(transcript(messages))),
            Prompts.EXTRACT_SCHEMA,
            "extract");
    Answer<List<Fact>> answer = calls.call(model, request, json -> facts(json, vocabulary));
    List<Fact> all = answer.value();
    // A runaway answer (hundreds of facts, pages per fact) is cut to the tenant's limits rather
    // than
    // stored whole or thrown away: the first facts are the ones the conversation led with.
    int dropped = Math.max(0, all.size() - settings.maxFacts());
    List<Fact> facts = new ArrayList<>(Math.min(all.size(), settings.maxFacts()));
    int shortened = 0;
    for (Fact f : all.subList(0, all.size() - dropped)) {
      String text = shorten(f.text(), settings.maxFactChars());
      if (text.length() < f.text().length()) {
        shortened++;
      }
      facts.add(new Fact(text, f.categories(), f.validFrom()));
    }
    List<float[]> vectors =
        facts.isEmpty()
            ? List.of()
            : context
                .embedder()
                .embedAll(facts.stream().map(Fact::text).toList(), Embedder.Purpose.DOCUMENT);
    return new Extracted(
        facts, vectors, answer.usage(), new AddResult.Truncation(dropped, shortened));
  }

  /**
   * {@code text} cut to at most {@code max} characters, never inside a surrogate pair, without
   * trailing whitespace.
   */
  static String shorten(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int end = Character.isLowSurrogate(text.charAt(max)) ? max - 1 : max;
    return text.substring(0, end).stripTrailing();
  }

  /** The day (UTC) the conversation took place: the call's session date, else today. */
  private LocalDate sessionDay(AddOptions options) {
    Instant session = options.sessionDate() != null ? options.sessionDate() : context.now();
    return LocalDate.ofInstant(session, ZoneOffset.UTC);
  }

  /** The tenant's standing and the call's own instructions, as a prompt section. */
  static String instructions(InferenceSettings settings, AddOptions options) {
    StringBuilder out = new StringBuilder();
    if (!settings.instructions().isBlank()) {
      out.append("\nInstructions of this application (follow them):\n")
          .append(settings.instructions().strip())
          .append('\n');
    }
    if (options.instructions() != null && !options.instructions().isBlank()) {
      out.append("\nInstructions for this conversation (follow them):\n")
          .append(options.instructions().strip())
          .append('\n');
    }
    return out.toString();
  }

  /** The conversation as the model reads it: one line per message, speaker first. */
  static String transcript(List<Message> messages) {
    StringBuilder out = new StringBuilder();
    for (Message m : messages) {
      out.append(m.role().wireName());
      if (m.name() != null) {
        out.append(" (").append(m.name()).append(')');
      }
      out.append(": ").append(m.content().replace("\r", "").replace("\n", "\n  ")).append('\n');
    }
    return out.toString();
  }

  static List<Fact> facts(JsonNode json, Set<String> vocabulary) throws Invalid {
    JsonNode array = json.get("facts");
    if (array == null || !array.isArray()) {
      throw new Invalid("\"facts\" must be an array");
    }
    List<Fact> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      JsonNode f = array.get(i);
      String where = "facts[" + i + "]";
      if (!f.isObject()) {
        throw new Invalid(where + " must be an object");
      }
      JsonNode text = f.get("text");
      if (text == null || !text.isTextual() || text.asText().isBlank()) {
        throw new Invalid(where + ".text must be a non-empty string");
      }
      List<String> categories = new ArrayList<>();
      JsonNode cats = f.get("categories");
      if (cats != null && !cats.isNull()) {
        if (!cats.isArray()) {
          throw new Invalid(where + ".categories must be an array of strings");
        }
        for (JsonNode c : cats) {
          // Names outside the tenant's vocabulary are dropped, not fatal: small models invent
          // labels, and a fact is worth more than its label.
          if (c.isTextual() && vocabulary.contains(c.asText())) {
            categories.add(c.asText());
          }
        }
      }
      Instant validFrom = time(f.get("valid_from"), where + ".valid_from");
      String t = text.asText().strip();
      if (seen.add(TextHash.normalise(t))) {
        out.add(new Fact(t, List.copyOf(new LinkedHashSet<>(categories)), validFrom));
      }
    }
    return out;
  }

  private static @Nullable Instant time(@Nullable JsonNode node, String where) throws Invalid {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw new Invalid(where + " must be a YYYY-MM-DD string or null");
    }
    String s = node.asText().strip();
    if (s.isEmpty()) {
      return null;
    }
    try {
      return s.length() <= 10
          ? LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant()
          : java.time.OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      throw new Invalid(where + " must be a YYYY-MM-DD date, got \"" + shorten(s) + "\"");
    }
  }

  private static String shorten(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  // ---------------------------------------------------------------- procedural memory

  /** The agent run as one procedure text. */
  Answer<String> procedure(
      LanguageModel model,
      ModelCalls calls,
      InferenceSettings settings,
      List<Message> messages,
      AddOptions options)
      throws Failed {
    String system =
        Prompts.fill(
            Prompts.PROCEDURAL,
            Map.of(
                "session_date",
                sessionDay(options).toString(),
                "instructions",
                instructions(settings, options)));
    CompletionRequest request =
        new CompletionRequest(
            List.of(ChatMessage.system(system), ChatMessage.user(transcript(messages))),
            Prompts.PROCEDURAL_SCHEMA,
            "procedural");
    return calls.call(model, request, InferenceIngest::procedureText);
  }

  static String procedureText(JsonNode json) throws Invalid {
    String task = requiredText(json, "task");
    String outcome = requiredText(json, "outcome");
    JsonNode steps = json.get("steps");
    if (steps == null || !steps.isArray()) {
      throw new Invalid("\"steps\" must be an array");
    }
    StringBuilder out = new StringBuilder("Task: ").append(task).append('\n');
    for (int i = 0; i < steps.size(); i++) {
      JsonNode s = steps.get(i);
      if (!s.isObject()) {
        throw new Invalid("steps[" + i + "] must be an object");
      }
      out.append(i + 1)
          .append(". ")
          .append(requiredText(s, "action"))
          .append(" -> ")
          .append(requiredText(s, "result"))
          .append('\n');
    }
    out.append("Outcome: ").append(outcome);
    return out.toString();
  }

  private static String requiredText(JsonNode node, String field) throws Invalid {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new Invalid("\"" + field + "\" must be a non-empty string");
    }
    return v.asText().strip();
  }

  // ---------------------------------------------------------------- decisions (under the lock)

  /** One decision the model made, checked. */
  record Decision(
      int fact, EventType event, @Nullable StoredMemory target, @Nullable String text) {}

  /**
   * Plans the consolidation of {@code extracted} into the scope. Calls the model only when the
   * scope holds memories near the facts; with none, every fact is simply new.
   */
  Plan consolidate(
      TenantStore store,
      LanguageModel model,
      ModelCalls calls,
      InferenceSettings settings,
      Extracted extracted,
      Scope scope,
      AddOptions options,
      List<StoredMessage> raw)
      throws Failed {
    Instant now = context.now();
    String modelId = context.embedder().modelId();
    List<StoredMemory> shown = neighbours(store, extracted.vectors(), scope, modelId, now);
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
              decideRequest(settings, options, extracted.facts(), shown),
              json -> decisions(json, extracted.facts().size(), shown));
      decisions = new ArrayList<>();
      for (Decision d : answer.value()) {
        String text = d.text() == null ? null : shorten(d.text(), settings.maxFactChars());
        if (text != null && text.length() < d.text().length()) {
          shortened++;
        }
        decisions.add(new Decision(d.fact(), d.event(), d.target(), text));
      }
      usage = answer.usage();
    }
    Plan plan =
        apply(
            store,
            decisions,
            extracted,
            scope,
            options,
            raw,
            now,
            modelId,
            usage,
            MemoryType.SEMANTIC);
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
      InferenceSettings settings, AddOptions options, List<Fact> facts, List<StoredMemory> shown) {
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
        Prompts.fill(Prompts.DECIDE, Map.of("instructions", instructions(settings, options)));
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
      throw new Invalid(where + ".id \"" + shorten(s) + "\" is not one of the ids shown");
    }
    if (index < 0 || index >= shown.size()) {
      throw new Invalid(where + ".id " + index + " is not one of the ids shown");
    }
    return shown.get(index);
  }

  /** Plans the additive mode: every fact not already known is added. */
  Plan additive(
      TenantStore store,
      Extracted extracted,
      Scope scope,
      AddOptions options,
      List<StoredMessage> raw) {
    Instant now = context.now();
    List<Decision> decisions = new ArrayList<>();
    for (int i = 0; i < extracted.facts().size(); i++) {
      decisions.add(new Decision(i, EventType.ADD, null, extracted.facts().get(i).text()));
    }
    return apply(
        store,
        decisions,
        extracted,
        scope,
        options,
        raw,
        now,
        context.embedder().modelId(),
        TokenUsage.NONE,
        MemoryType.SEMANTIC);
  }

  /** Plans one procedural memory. */
  Plan procedural(
      TenantStore store, String text, Scope scope, AddOptions options, List<StoredMessage> raw) {
    Instant now = context.now();
    float[] vector = context.embedder().embed(text, Embedder.Purpose.DOCUMENT);
    Extracted one =
        new Extracted(
            List.of(new Fact(text, List.of(), null)),
            List.of(vector),
            TokenUsage.NONE,
            AddResult.Truncation.NONE);
    return apply(
        store,
        List.of(new Decision(0, EventType.ADD, null, text)),
        one,
        scope,
        options,
        raw,
        now,
        context.embedder().modelId(),
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
      TenantStore store,
      List<Decision> decisions,
      Extracted extracted,
      Scope scope,
      AddOptions options,
      List<StoredMessage> raw,
      Instant now,
      String modelId,
      TokenUsage usage,
      MemoryType type) {
    List<MemoryEvent> events = new ArrayList<>();
    List<Change> changes = new ArrayList<>();
    List<HistoryEntry> history = new ArrayList<>();
    // Facts are not embedded with conversation context: their vectors are compared as they are.
    VerbatimIngest.Duplicates duplicates =
        new VerbatimIngest.Duplicates(
            store,
            scope,
            modelId,
            options.nearDuplicateThreshold().orElse(context.settings().nearDuplicateThreshold()),
            false,
            now);
    Memory.Provenance provenance =
        new Memory.Provenance(
            Memory.Provenance.INFERRED, raw.stream().map(StoredMessage::id).toList());
    // Adds come after closes, so a fact that replaces a contradicted one is not mistaken for its
    // duplicate.
    List<Decision> ordered = new ArrayList<>();
    decisions.stream().filter(d -> d.event() != EventType.ADD).forEach(ordered::add);
    decisions.stream().filter(d -> d.event() == EventType.ADD).forEach(ordered::add);
    Set<String> closed = new HashSet<>();
    for (Decision d : ordered) {
      Fact fact = extracted.facts().get(d.fact());
      Instant changeAt = fact.validFrom() != null ? fact.validFrom() : now;
      switch (d.event()) {
        case ADD -> {
          String text = d.text();
          float[] vector =
              text.equals(fact.text())
                  ? extracted.vectors().get(d.fact())
                  : context.embedder().embed(text, Embedder.Purpose.DOCUMENT);
          String hash = TextHash.of(text);
          Optional<MemoryEvent> duplicate = duplicates.find(text, hash, vector, closed);
          if (duplicate.isPresent()) {
            events.add(duplicate.get());
            continue;
          }
          List<String> categories = new ArrayList<>(fact.categories());
          options.categories().stream()
              .filter(c -> !categories.contains(c))
              .forEach(categories::add);
          Memory memory =
              new Memory(
                  context.newId(),
                  text,
                  hash,
                  scope,
                  options.metadata(),
                  categories,
                  null,
                  null,
                  now,
                  now,
                  options.expiresAt(),
                  fact.validFrom(),
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
        case UPDATE -> {
          StoredMemory target = d.target();
          Memory before = target.memory();
          String text = d.text();
          if (text.equals(before.text())) {
            events.add(new MemoryEvent.Unchanged(before.id(), before.text(), "already_known"));
            continue;
          }
          float[] vector =
              text.equals(fact.text())
                  ? extracted.vectors().get(d.fact())
                  : context.embedder().embed(text, Embedder.Purpose.DOCUMENT);
          Versions.Superseded v =
              Versions.supersede(
                  context,
                  target,
                  text,
                  vector,
                  before.metadata(),
                  changeAt,
                  now,
                  "model",
                  "refined by a new fact");
          changes.addAll(v.changes());
          history.addAll(v.history());
          events.add(new MemoryEvent.Updated(before.id(), text, before.text()));
        }
        case DELETE -> {
          StoredMemory target = d.target();
          Memory before = target.memory();
          Memory closedMemory = before.withValidity(before.validFrom(), changeAt, now);
          changes.add(
              new Change.Put(new StoredMemory(closedMemory, target.embedding(), target.context())));
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
        case NONE -> {
          if (d.target() != null) {
            events.add(
                new MemoryEvent.Unchanged(
                    d.target().id(), d.target().memory().text(), "already_known"));
          }
        }
      }
    }
    return new Plan(
        new VerbatimIngest.Plan(events, changes, history, raw), usage, extracted.truncation());
  }
}
