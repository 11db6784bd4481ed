package io.mnemo4j.internal.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo4j.AddOptions;
import io.mnemo4j.AddResult;
import io.mnemo4j.InferenceSettings;
import io.mnemo4j.Message;
import io.mnemo4j.internal.Context;
import io.mnemo4j.internal.ingest.ModelCalls.Answer;
import io.mnemo4j.internal.ingest.ModelCalls.Failed;
import io.mnemo4j.internal.ingest.ModelCalls.Invalid;
import io.mnemo4j.internal.util.TextHash;
import io.mnemo4j.llm.ChatMessage;
import io.mnemo4j.llm.CompletionRequest;
import io.mnemo4j.llm.LanguageModel;
import io.mnemo4j.llm.TokenUsage;
import io.mnemo4j.spi.Embedder;
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
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The language-model calls an add makes before taking the scope lock, so parallel adds overlap on
 * the model: extracting facts from the messages (cut to the tenant's limits), or summarising an
 * agent run as one procedure. Validators turn the model's JSON into checked values or an {@code
 * Invalid} that earns one repair call. Stateless, thread-safe.
 */
final class Extraction {
  private final Context context;

  Extraction(Context context) {
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
      throw new Invalid(where + " must be a YYYY-MM-DD date, got \"" + clip(s) + "\"");
    }
  }

  /** At most 40 characters of {@code s}, for quoting a bad value back to the model. */
  static String clip(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

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
    return calls.call(model, request, Extraction::procedureText);
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
}
