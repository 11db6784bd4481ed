package io.mnemo4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Benchmark texts: LoCoMo conversation turns (memories) and questions (queries) when the data set
 * is present, else seeded synthetic sentences. Immutable.
 *
 * @param source a description for the output ({@code locomo:<file>} or {@code synthetic(seed=...)})
 * @param turns memory texts, {@code "<speaker>: <text>"} as the LoCoMo retrieval protocol stores
 *     them
 * @param questions query texts
 */
record Texts(String source, List<String> turns, List<String> questions) {
  /** LoCoMo from {@code file} if it is readable, else synthetic texts. */
  static Texts load(Path file, long seed) {
    if (Files.isReadable(file)) {
      try {
        return locomo(file);
      } catch (IOException | RuntimeException e) {
        System.err.println(
            "could not read LoCoMo from " + file + " (" + e + "); using synthetic sentences");
      }
    }
    return synthetic(seed, 5_000, 1_500);
  }

  private static Texts locomo(Path file) throws IOException {
    JsonNode root = JsonMapper.builder().build().readTree(file.toFile());
    List<String> turns = new ArrayList<>();
    List<String> questions = new ArrayList<>();
    for (JsonNode sample : root) {
      JsonNode conversation = sample.path("conversation");
      for (int session = 1; ; session++) {
        JsonNode list = conversation.get("session_" + session);
        if (list == null) {
          break;
        }
        for (JsonNode turn : list) {
          String text = turn.path("text").asText("");
          String caption = turn.path("blip_caption").asText("");
          if (text.isBlank()) {
            continue;
          }
          String memory =
              turn.path("speaker").asText("someone")
                  + ": "
                  + text
                  + (caption.isBlank() ? "" : " [shares " + caption + "]");
          turns.add(memory);
        }
      }
      for (JsonNode qa : sample.path("qa")) {
        String q = qa.path("question").asText("");
        if (!q.isBlank()) {
          questions.add(q);
        }
      }
    }
    if (turns.isEmpty() || questions.isEmpty()) {
      throw new IOException("no turns or questions in " + file);
    }
    return new Texts(
        "locomo:" + file.toAbsolutePath().normalize(), List.copyOf(turns), List.copyOf(questions));
  }

  // -------------------------------------------------------------------------------------------
  // synthetic texts

  private static final String[] NAMES = {
    "Alice", "Bob", "Carmen", "Deepak", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemal",
    "Lena", "Mateo", "Nadia", "Oskar", "Priya"
  };
  private static final String[] VERBS = {
    "likes",
    "visited",
    "is learning",
    "bought",
    "recommended",
    "is planning",
    "painted",
    "wrote about",
    "fixed",
    "cooked",
    "joined",
    "lost",
    "found",
    "is reading",
    "adopted",
    "ran"
  };
  private static final String[] OBJECTS = {
    "a new bicycle",
    "the pottery class",
    "green tea",
    "a trip to Lisbon",
    "the support group",
    "a marathon",
    "an old guitar",
    "the community garden",
    "a sci-fi novel",
    "a golden retriever",
    "the quarterly report",
    "a sourdough starter",
    "the climbing gym",
    "a vintage camera",
    "the chess club",
    "a landscape painting",
    "the volunteer shelter",
    "a jazz concert",
    "the CRM migration",
    "a vegan lasagna",
    "the kids' school play",
    "a hiking trail",
    "the API gateway",
    "a photography course"
  };
  private static final String[] TIMES = {
    "last week",
    "yesterday",
    "in May",
    "over the weekend",
    "this morning",
    "two years ago",
    "after work",
    "during the holidays",
    "on Sunday",
    "before the move"
  };
  private static final String[] TAILS = {
    "and loved it",
    "with a friend",
    "because it felt right",
    "to relax",
    "for the first time",
    "again",
    "despite the rain",
    "with the family",
    "on a whim",
    "after a long search"
  };

  /**
   * {@code turns} memory-like sentences and {@code questions} questions from a seeded generator.
   */
  static Texts synthetic(long seed, int turns, int questions) {
    Random r = new Random(seed);
    List<String> t = new ArrayList<>(turns);
    for (int i = 0; i < turns; i++) {
      t.add(sentence(r));
    }
    List<String> q = new ArrayList<>(questions);
    for (int i = 0; i < questions; i++) {
      q.add(question(r));
    }
    return new Texts("synthetic(seed=" + seed + ")", List.copyOf(t), List.copyOf(q));
  }

  static String sentence(Random r) {
    return pick(r, NAMES)
        + ": I "
        + pick(r, VERBS).replace("is ", "am ")
        + " "
        + pick(r, OBJECTS)
        + " "
        + pick(r, TIMES)
        + " "
        + pick(r, TAILS)
        + ".";
  }

  static String question(Random r) {
    return switch (r.nextInt(3)) {
      case 0 -> "When did " + pick(r, NAMES) + " go to " + pick(r, OBJECTS) + "?";
      case 1 -> "What does " + pick(r, NAMES) + " think about " + pick(r, OBJECTS) + "?";
      default -> "Who " + pick(r, VERBS) + " " + pick(r, OBJECTS) + " " + pick(r, TIMES) + "?";
    };
  }

  private static String pick(Random r, String[] words) {
    return words[r.nextInt(words.length)];
  }

  /** {@code n} items of {@code list} from {@code from}, wrapping around. */
  static List<String> cycle(List<String> list, int from, int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(list.get((from + i) % list.size()));
    }
    return out;
  }
}
