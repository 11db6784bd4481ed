package io.mnemo4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.cli.LocomoEval.Conversation;
import io.mnemo4j.cli.LocomoEval.Question;
import io.mnemo4j.cli.LocomoEval.Split;
import io.mnemo4j.cli.LocomoEval.Turn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LoCoMo files as {@link LocomoEval}'s values: conversations with their sessions of turns and their
 * questions, evidence ids normalised and kept only where they name a turn; and the conversations a
 * run evaluates. Stateless and thread-safe.
 */
final class LocomoData {
  private static final Pattern SESSION_KEY = Pattern.compile("session_(\\d+)");
  private static final Pattern DIA_ID = Pattern.compile("D:?(\\d+):(\\d+)");
  private static final Pattern EVIDENCE_SPLIT = Pattern.compile("[;,\\s]+");

  private LocomoData() {}

  /** Reads a LoCoMo JSON file (a list of conversations). */
  static List<Conversation> load(Path file) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      if (e instanceof com.fasterxml.jackson.core.JsonProcessingException) {
        throw new InvalidRequestException(
            "data", "data file " + file + " is not valid JSON: " + e.getMessage());
      }
      throw new UncheckedIOException("could not read " + file, e);
    }
    if (root == null || !root.isArray()) {
      throw new InvalidRequestException(
          "data", "data file " + file + " must hold a JSON list of conversations");
    }
    List<Conversation> out = new ArrayList<>();
    for (JsonNode item : root) {
      out.add(conversation(item));
    }
    return out;
  }

  static Conversation conversation(JsonNode item) {
    String sampleId = required(item, "sample_id").asText();
    JsonNode conv = required(item, "conversation");
    Set<String> ids = new HashSet<>();
    List<List<Turn>> sessions = sessions(conv, ids);
    return new Conversation(sampleId, sessions, questions(item, ids));
  }

  /**
   * The sessions of a conversation in order, each its usable turns; adds their ids to {@code ids}.
   */
  private static List<List<Turn>> sessions(JsonNode conv, Set<String> ids) {
    TreeMap<Integer, String> sessionKeys = new TreeMap<>();
    conv.fieldNames()
        .forEachRemaining(
            name -> {
              Matcher m = SESSION_KEY.matcher(name);
              if (m.matches()) {
                sessionKeys.put(Integer.parseInt(m.group(1)), name);
              }
            });
    List<List<Turn>> sessions = new ArrayList<>();
    for (Map.Entry<Integer, String> e : sessionKeys.entrySet()) {
      String date = conv.path(e.getValue() + "_date_time").asText("");
      List<Turn> turns = new ArrayList<>();
      for (JsonNode t : conv.get(e.getValue())) {
        Optional<String> id = normaliseDiaId(t.path("dia_id").asText(""));
        String text = t.path("text").asText("");
        if (id.isEmpty() || (text.isBlank() && t.path("blip_caption").asText("").isBlank())) {
          continue; // a turn without a usable id or text cannot be evidence
        }
        JsonNode caption = t.get("blip_caption");
        turns.add(
            new Turn(
                id.get(),
                t.path("speaker").asText("?"),
                text,
                caption == null || caption.isNull() ? null : caption.asText(),
                date));
        ids.add(id.get());
      }
      if (!turns.isEmpty()) {
        sessions.add(turns);
      }
    }
    return sessions;
  }

  /** The questions of a conversation, their evidence kept where it names one of {@code ids}. */
  private static List<Question> questions(JsonNode item, Set<String> ids) {
    List<Question> questions = new ArrayList<>();
    for (JsonNode q : item.path("qa")) {
      List<String> raw = new ArrayList<>();
      q.path("evidence").forEach(ev -> raw.add(ev.asText("")));
      questions.add(
          new Question(
              q.path("question").asText(""),
              q.path("category").asInt(0),
              normaliseEvidence(raw, ids)));
    }
    return questions;
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      throw new InvalidRequestException("data." + field, "a conversation has no '" + field + "'");
    }
    return v;
  }

  /**
   * {@code D1:3} stays, {@code D:11:26} becomes {@code D11:26}, {@code D30:05} becomes {@code
   * D30:5}.
   */
  static Optional<String> normaliseDiaId(String token) {
    Matcher m = DIA_ID.matcher(token.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of("D" + Integer.parseInt(m.group(1)) + ":" + Integer.parseInt(m.group(2)));
    } catch (NumberFormatException tooLong) {
      return Optional.empty();
    }
  }

  /**
   * Splits, normalises and de-duplicates evidence ids, keeping those that name a turn in {@code
   * turnIds}.
   */
  static List<String> normaliseEvidence(List<String> raw, Set<String> turnIds) {
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (String entry : raw) {
      for (String token : EVIDENCE_SPLIT.split(entry, -1)) {
        normaliseDiaId(token).filter(turnIds::contains).ifPresent(out::add);
      }
    }
    return List.copyOf(out);
  }

  /**
   * The conversations a run evaluates: those of {@code split}, then only the sample ids in {@code
   * sampleIds} when it is not empty (each must exist, else an error naming {@code conversations}),
   * then the first {@code limit} (0: all). File order is kept.
   */
  static List<Conversation> select(
      List<Conversation> all, Split split, List<String> sampleIds, int limit) {
    List<Conversation> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      boolean inSplit =
          switch (split) {
            case ALL -> true;
            case TUNE -> i % 2 == 0;
            case CONFIRM -> i % 2 == 1;
          };
      if (inSplit) {
        out.add(all.get(i));
      }
    }
    if (!sampleIds.isEmpty()) {
      Set<String> known = new HashSet<>();
      all.forEach(c -> known.add(c.sampleId()));
      for (String id : sampleIds) {
        if (!known.contains(id)) {
          throw new InvalidRequestException(
              "conversations", "no conversation with sample_id '" + id + "' in the data file");
        }
      }
      Set<String> wanted = new HashSet<>(sampleIds);
      out.removeIf(c -> !wanted.contains(c.sampleId()));
    }
    if (limit > 0 && out.size() > limit) {
      out = out.subList(0, limit);
    }
    return List.copyOf(out);
  }
}
