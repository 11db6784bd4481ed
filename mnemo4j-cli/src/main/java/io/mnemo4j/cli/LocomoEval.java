package io.mnemo4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Search;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The LoCoMo retrieval evaluation (no language model): ingest every turn of every conversation
 * verbatim, search each question in its conversation's scope and measure recall@k and hit@k of the
 * evidence turns. Public so the bench module can run it on its own {@link Mnemo}; the {@code mnemo
 * eval locomo} command is a thin shell around it.
 *
 * <p>Protocol (shared/data/locomo/README.md): a turn becomes one message {@code "<speaker>:
 * <text>"} (plus {@code " [shares <blip_caption>]"}), role user, name = speaker, metadata {@code
 * dia_id}, {@code session_date}, {@code sample_id}; one user (id = sample_id) per conversation, all
 * in one tenant or, per-tenant, each conversation in its own tenant. Evidence ids are split on
 * {@code ; , whitespace}, normalised ({@code D:11:26 -> D11:26}, {@code D30:05 -> D30:5}) and
 * dropped when they name no turn; a question left without evidence is skipped and counted.
 * Categories 1-4 make the overall score; category 5 (adversarial) is reported apart in {@code
 * by_category}. A turn that {@code add} answers with NONE (an exact duplicate of an earlier turn)
 * maps to the existing memory, so a retrieved memory stands for every turn mapped to it.
 *
 * <p>The {@link Mnemo} handed to {@link #run} must be fresh (no tenants of the names used here),
 * should use {@code nearDuplicateThreshold(1.0)} so near-duplicate detection drops no turn, and may
 * have {@code autoCreateTenants(false)}: tenants are created explicitly. Not thread-safe; one run
 * at a time.
 *
 * <p>This class holds the values and the entry points; {@link LocomoData} reads the file, {@link
 * LocomoIngest} stores the conversations and {@link LocomoScoring} searches and scores.
 */
public final class LocomoEval {
  /** The k values reported unless told otherwise. */
  public static final List<Integer> DEFAULT_KS = List.of(1, 5, 10, 20);

  /** Categories that make the overall score (5, adversarial, is reported apart). */
  public static final Set<Integer> SCORED_CATEGORIES = Set.of(1, 2, 3, 4);

  /**
   * Version of what {@link #ingest} stores; a store kept by {@code mnemo eval locomo --store-dir}
   * under another version is not reused. Bump it whenever ingest (here or in the core) stores
   * something else.
   */
  public static final int INGEST_VERSION = 2;

  /** Tenant of all conversations unless per-tenant. */
  static final String SHARED_TENANT = "locomo";

  private LocomoEval() {}

  /**
   * The clock a {@code Mnemo} given to {@link #run} or {@link #ingest} should be built with: it
   * replays each session at its date (UTC), so memories carry their conversation's time as {@code
   * created_at}, as in a live application (since {@link #INGEST_VERSION} 2).
   */
  public static Clock sessionClock() {
    return LocomoIngest.CLOCK;
  }

  /**
   * One turn of a conversation.
   *
   * @param diaId normalised dia_id
   * @param sessionDate the session's date text
   */
  public record Turn(
      String diaId, String speaker, String text, @Nullable String caption, String sessionDate) {
    /** The message content stored for this turn. */
    public String content() {
      return speaker
          + ": "
          + text
          + (caption == null || caption.isBlank() ? "" : " [shares " + caption + "]");
    }
  }

  /**
   * One question.
   *
   * @param evidence normalised dia_ids that name a turn of its conversation (may be empty: skipped)
   */
  public record Question(String question, int category, List<String> evidence) {
    /** Copies the evidence. */
    public Question {
      evidence = List.copyOf(evidence);
    }
  }

  /** One conversation: its sessions of turns in order, and its questions. */
  public record Conversation(String sampleId, List<List<Turn>> sessions, List<Question> questions) {
    /** Copies the lists. */
    public Conversation {
      sessions = sessions.stream().map(List::copyOf).toList();
      questions = List.copyOf(questions);
    }

    /** Number of turns over all sessions. */
    public int turns() {
      return sessions.stream().mapToInt(List::size).sum();
    }
  }

  /**
   * How to run.
   *
   * @param mode search mode
   * @param ks the k values (sorted, distinct, 1 to 1000)
   * @param perTenant each conversation in its own tenant
   */
  public record Options(Search.Mode mode, List<Integer> ks, boolean perTenant) {
    /** Sorts and checks the k values. */
    public Options {
      ks = ks.stream().distinct().sorted().toList();
      if (ks.isEmpty()) {
        throw new InvalidRequestException("k", "at least one k is needed");
      }
      if (ks.get(0) < 1 || ks.get(ks.size() - 1) > Search.MAX_LIMIT) {
        throw new InvalidRequestException("k", "k values must be 1 to " + Search.MAX_LIMIT);
      }
    }
  }

  /**
   * Receives progress; every method defaults to doing nothing. {@link #ingested} is called from
   * ingest threads, never two at once (calls are synchronised on the listener); the others from the
   * thread that called {@link #run}.
   */
  public interface Listener {
    /** Ingest begins. */
    default void ingestStarted(int turns) {}

    /** {@code n} more turns were ingested. */
    default void ingested(int n) {}

    /** Ingest ended. */
    default void ingestDone() {}

    /** Search begins. */
    default void searchStarted(int questions) {}

    /** One more question was searched. */
    default void searched() {}

    /** Search ended. */
    default void searchDone() {}
  }

  /** Sums of one group of questions. Mutable while the run accumulates; read-only afterwards. */
  public static final class Stats {
    private final List<Integer> ks;
    private final double[] recall;
    private final double[] hit;
    private int questions;
    private int skipped;

    Stats(List<Integer> ks) {
      this.ks = ks;
      this.recall = new double[ks.size()];
      this.hit = new double[ks.size()];
    }

    void skip() {
      skipped++;
    }

    void add(double[] r, double[] h) {
      questions++;
      for (int i = 0; i < ks.size(); i++) {
        recall[i] += r[i];
        hit[i] += h[i];
      }
    }

    /** Questions scored. */
    public int questions() {
      return questions;
    }

    /** Questions skipped because no evidence id named a turn. */
    public int skipped() {
      return skipped;
    }

    /** Mean recall@k (0 when no question was scored). */
    public double recall(int k) {
      return mean(recall, k);
    }

    /** Mean hit@k (0 when no question was scored). */
    public double hit(int k) {
      return mean(hit, k);
    }

    private double mean(double[] sums, int k) {
      int i = ks.indexOf(k);
      if (i < 0) {
        throw new IllegalArgumentException("k=" + k + " was not evaluated; evaluated: " + ks);
      }
      return questions == 0 ? 0 : sums[i] / questions;
    }

    ObjectNode toJson() {
      ObjectNode n = Json.object();
      n.put("questions", questions);
      ObjectNode r = n.putObject("recall");
      ObjectNode h = n.putObject("hit");
      for (int k : ks) {
        r.put(Integer.toString(k), LocomoScoring.round(recall(k)));
        h.put(Integer.toString(k), LocomoScoring.round(hit(k)));
      }
      return n;
    }
  }

  /**
   * The outcome of a run.
   *
   * @param overall categories 1-4
   * @param byCategory every category seen, 5 included
   */
  public record Report(
      Search.Mode mode,
      String embedder,
      List<Integer> ks,
      int conversations,
      int turns,
      int memories,
      Stats overall,
      Map<Integer, Stats> byCategory,
      double ingestSeconds,
      double searchP50Ms) {
    /** Questions of categories 1-4 skipped for want of valid evidence. */
    public int skippedQuestions() {
      return overall.skipped();
    }

    /** The report as the JSON object {@code mnemo eval locomo --json} prints. */
    public ObjectNode toJson() {
      ObjectNode root = overall.toJson();
      ObjectNode cats = root.putObject("by_category");
      byCategory.forEach(
          (c, s) -> cats.set(Integer.toString(c), s.toJson().put("skipped", s.skipped())));
      root.put("mode", mode.name().toLowerCase(Locale.ROOT));
      root.put("embedder", embedder);
      root.put("conversations", conversations);
      root.put("turns", turns);
      root.put("memories", memories);
      root.put("skipped_questions", skippedQuestions());
      root.putArray("excluded_categories").add(5);
      root.put("ingest_seconds", Math.round(ingestSeconds * 100) / 100.0);
      root.put("search_p50_ms", Math.round(searchP50Ms * 100) / 100.0);
      return root;
    }
  }

  // ---- loading ----

  /** Reads a LoCoMo JSON file (a list of conversations). */
  public static List<Conversation> load(Path file) {
    return LocomoData.load(file);
  }

  // ---- running ----

  /**
   * What an ingest left behind, enough to search it again later (also from another {@link Mnemo}
   * over the same data directory, for example with other search tuning).
   *
   * @param tenantOf tenant of each conversation (by sample id)
   * @param turnsOfMemory the turns (dia ids) each memory stands for
   * @param turns turns ingested
   * @param seconds ingest wall time
   */
  public record Ingested(
      Map<String, String> tenantOf,
      Map<String, Set<String>> turnsOfMemory,
      int turns,
      double seconds) {

    /** The ingest as a JSON object, for {@link #fromJson}. */
    public ObjectNode toJson() {
      ObjectNode n = Json.object();
      ObjectNode tenants = n.putObject("tenant_of");
      tenantOf.forEach(tenants::put);
      ObjectNode memories = n.putObject("turns_of_memory");
      turnsOfMemory.forEach(
          (id, dias) -> {
            var list = memories.putArray(id);
            dias.forEach(list::add);
          });
      n.put("turns", turns);
      n.put("seconds", seconds);
      return n;
    }

    /** Reads what {@link #toJson} wrote; fails naming {@code field} when the shape is wrong. */
    public static Ingested fromJson(JsonNode n, String field) {
      JsonNode tenants = n.path("tenant_of");
      JsonNode memories = n.path("turns_of_memory");
      if (!tenants.isObject() || !memories.isObject() || !n.path("turns").isInt()) {
        throw new InvalidRequestException(field, field + " does not describe a LoCoMo ingest");
      }
      Map<String, String> tenantOf = new LinkedHashMap<>();
      tenants.properties().forEach(e -> tenantOf.put(e.getKey(), e.getValue().asText()));
      Map<String, Set<String>> turnsOfMemory = new LinkedHashMap<>();
      memories
          .properties()
          .forEach(
              e -> {
                Set<String> dias = new LinkedHashSet<>();
                e.getValue().forEach(d -> dias.add(d.asText()));
                turnsOfMemory.put(e.getKey(), dias);
              });
      return new Ingested(
          Collections.unmodifiableMap(tenantOf),
          Collections.unmodifiableMap(turnsOfMemory),
          n.path("turns").asInt(),
          n.path("seconds").asDouble());
    }
  }

  /**
   * Halves of a LoCoMo file for tuning without fooling oneself: tune on one, confirm on the other
   * (a change that helps only one half is noise).
   */
  public enum Split {
    /** Every conversation. */
    ALL,
    /** The 1st, 3rd, 5th... conversation of the file. */
    TUNE,
    /** The 2nd, 4th, 6th... conversation of the file. */
    CONFIRM
  }

  /**
   * The conversations a run evaluates: those of {@code split}, then only the sample ids in {@code
   * sampleIds} when it is not empty (each must exist, else an error naming {@code conversations}),
   * then the first {@code limit} (0: all). File order is kept.
   */
  public static List<Conversation> select(
      List<Conversation> all, Split split, List<String> sampleIds, int limit) {
    return LocomoData.select(all, split, sampleIds, limit);
  }

  /**
   * Ingests the conversations into {@code mnemo}, searches every question and scores the results.
   */
  public static Report run(
      Mnemo mnemo, List<Conversation> conversations, Options options, Listener listener) {
    return evaluate(
        mnemo,
        conversations,
        ingest(mnemo, conversations, options.perTenant(), listener),
        options,
        listener);
  }

  /**
   * Creates the tenants and ingests every conversation, one {@code add} per session, conversations
   * in parallel.
   */
  public static Ingested ingest(
      Mnemo mnemo, List<Conversation> conversations, boolean perTenant, Listener listener) {
    return LocomoIngest.ingest(mnemo, conversations, perTenant, listener);
  }

  /**
   * Searches every question of an ingested set in its conversation's scope and scores the results.
   */
  public static Report evaluate(
      Mnemo mnemo,
      List<Conversation> conversations,
      Ingested ingested,
      Options options,
      Listener listener) {
    return LocomoScoring.evaluate(mnemo, conversations, ingested, options, listener);
  }
}
