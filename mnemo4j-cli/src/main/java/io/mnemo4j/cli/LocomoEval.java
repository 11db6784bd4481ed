package io.mnemo4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.AddOptions;
import io.mnemo4j.Hit;
import io.mnemo4j.InvalidRequestException;
import io.mnemo4j.MemoryEvent;
import io.mnemo4j.Message;
import io.mnemo4j.Mnemo;
import io.mnemo4j.Role;
import io.mnemo4j.Scope;
import io.mnemo4j.Search;
import io.mnemo4j.TenantId;
import io.mnemo4j.TenantMemory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  public static final int INGEST_VERSION = 1;

  /** Tenant of all conversations unless per-tenant. */
  static final String SHARED_TENANT = "locomo";

  private static final Pattern SESSION_KEY = Pattern.compile("session_(\\d+)");
  private static final Pattern DIA_ID = Pattern.compile("D:?(\\d+):(\\d+)");
  private static final Pattern EVIDENCE_SPLIT = Pattern.compile("[;,\\s]+");

  /** Conversations ingested at once (each add embeds in its calling thread). */
  private static final int MAX_INGEST_THREADS = 4;

  private LocomoEval() {}

  /**
   * One turn of a conversation. @param diaId normalised dia_id @param sessionDate the session's
   * date text
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
   * One question. @param evidence normalised dia_ids that name a turn of its conversation (may be
   * empty: skipped)
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
   * How to run. @param mode search mode @param ks the k values (sorted, distinct, 1 to 1000) @param
   * perTenant each conversation in its own tenant
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
        r.put(Integer.toString(k), round(recall(k)));
        h.put(Integer.toString(k), round(hit(k)));
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
      return overall.skipped;
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
    Set<String> ids = new HashSet<>();
    for (Map.Entry<Integer, String> e : sessionKeys.entrySet()) {
      String date = conv.path(e.getValue() + "_date_time").asText("");
      List<Turn> turns = new ArrayList<>();
      for (JsonNode t : conv.get(e.getValue())) {
        Optional<String> id = normaliseDiaId(t.path("dia_id").asText(""));
        String text = t.path("text").asText("");
        if (id.isEmpty() || text.isBlank() && t.path("blip_caption").asText("").isBlank()) {
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
    return new Conversation(sampleId, sessions, questions);
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
      for (String token : EVIDENCE_SPLIT.split(entry)) {
        normaliseDiaId(token).filter(turnIds::contains).ifPresent(out::add);
      }
    }
    return List.copyOf(out);
  }

  /**
   * A tenant id from a sample id: lower case, other characters replaced by '-', unique among {@code
   * taken}.
   */
  static String tenantIdFor(String sampleId, Set<String> taken) {
    String s =
        sampleId
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9_-]", "-")
            .replaceFirst("^[^a-z0-9]+", "");
    if (s.isEmpty()) {
      s = "conv";
    }
    if (s.length() > 63) {
      s = s.substring(0, 63);
    }
    String candidate = s;
    for (int n = 2; taken.contains(candidate) || !TenantId.isValid(candidate); n++) {
      String suffix = "-" + n;
      candidate = s.substring(0, Math.min(s.length(), 63 - suffix.length())) + suffix;
    }
    taken.add(candidate);
    return candidate;
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
    Set<String> taken = new HashSet<>();
    Map<String, String> tenantOf = new LinkedHashMap<>();
    for (Conversation c : conversations) {
      tenantOf.put(c.sampleId(), perTenant ? tenantIdFor(c.sampleId(), taken) : SHARED_TENANT);
    }
    for (String t : new LinkedHashSet<>(tenantOf.values())) {
      mnemo.admin().createTenant(t);
    }

    // Conversations in parallel (each in its own scope, so the events of one conversation do not
    // depend on the
    // others); remember which turns each memory stands for.
    int turns = conversations.stream().mapToInt(Conversation::turns).sum();
    Map<String, Set<String>> turnsOfMemory = new ConcurrentHashMap<>();
    listener.ingestStarted(turns);
    long t0 = System.nanoTime();
    int threads =
        Math.max(1, Math.min(MAX_INGEST_THREADS, Runtime.getRuntime().availableProcessors()));
    AtomicInteger threadCount = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "locomo-ingest-" + threadCount.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<?>> done = new ArrayList<>();
      for (Conversation c : conversations) {
        done.add(
            pool.submit(
                () -> {
                  TenantMemory memory = mnemo.tenant(tenantOf.get(c.sampleId()));
                  Scope scope = Scope.user(c.sampleId());
                  for (List<Turn> session : c.sessions()) {
                    ingest(memory, scope, c.sampleId(), session, turnsOfMemory);
                    synchronized (listener) {
                      listener.ingested(session.size());
                    }
                  }
                }));
      }
      for (Future<?> f : done) {
        await(f);
      }
    } finally {
      pool.shutdownNow();
    }
    double ingestSeconds = (System.nanoTime() - t0) / 1e9;
    listener.ingestDone();
    return new Ingested(Collections.unmodifiableMap(tenantOf), turnsOfMemory, turns, ingestSeconds);
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
    List<Integer> ks = options.ks();
    int maxK = ks.get(ks.size() - 1);
    Stats overall = new Stats(ks);
    Map<Integer, Stats> byCategory = new TreeMap<>();
    int questions = conversations.stream().mapToInt(c -> c.questions().size()).sum();
    List<Double> latencies = new ArrayList<>();
    listener.searchStarted(questions);
    for (Conversation c : conversations) {
      TenantMemory memory = mnemo.tenant(ingested.tenantOf().get(c.sampleId()));
      Search search = Search.in(Scope.user(c.sampleId())).limit(maxK).mode(options.mode());
      for (Question q : c.questions()) {
        Stats cat = byCategory.computeIfAbsent(q.category(), k -> new Stats(ks));
        boolean scored = SCORED_CATEGORIES.contains(q.category());
        if (q.evidence().isEmpty() || q.question().isBlank()) {
          cat.skipped++;
          if (scored) {
            overall.skipped++;
          }
          listener.searched();
          continue;
        }
        long s0 = System.nanoTime();
        List<Hit> hits = memory.search(q.question(), search);
        latencies.add((System.nanoTime() - s0) / 1e6);
        double[] recall = new double[ks.size()];
        double[] hit = new double[ks.size()];
        score(q.evidence(), hits, ingested.turnsOfMemory(), ks, recall, hit);
        cat.add(recall, hit);
        if (scored) {
          overall.add(recall, hit);
        }
        listener.searched();
      }
    }
    listener.searchDone();
    return new Report(
        options.mode(),
        mnemo.operations().embedder().modelId(),
        ks,
        conversations.size(),
        ingested.turns(),
        ingested.turnsOfMemory().size(),
        overall,
        Collections.unmodifiableMap(byCategory),
        ingested.seconds(),
        median(latencies));
  }

  private static void ingest(
      TenantMemory memory,
      Scope scope,
      String sampleId,
      List<Turn> session,
      Map<String, Set<String>> turnsOfMemory) {
    // One add per session, as a chat app adds a conversation's turns; dia_id rides on each
    // message's own metadata.
    List<Message> messages = new ArrayList<>(session.size());
    for (Turn t : session) {
      messages.add(
          new Message(
              Role.USER, t.content(), speakerName(t.speaker()), Map.of("dia_id", t.diaId())));
    }
    String date = session.isEmpty() ? "" : session.get(0).sessionDate();
    AddOptions options =
        AddOptions.none().withMetadata(Map.of("session_date", date, "sample_id", sampleId));
    List<MemoryEvent> events = memory.add(messages, scope, options);
    for (int i = 0; i < events.size(); i++) {
      turnsOfMemory
          .computeIfAbsent(events.get(i).id(), k -> new LinkedHashSet<>())
          .add(session.get(i).diaId());
    }
  }

  private static void await(Future<?> f) {
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while ingesting", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("ingest failed", e.getCause());
    }
  }

  private static @Nullable String speakerName(String speaker) {
    return speaker.isBlank() || speaker.length() > 255 ? null : speaker;
  }

  static void score(
      List<String> evidence,
      List<Hit> hits,
      Map<String, Set<String>> turnsOfMemory,
      List<Integer> ks,
      double[] recall,
      double[] hit) {
    Set<String> found = new HashSet<>();
    int ki = 0;
    for (int rank = 1; rank <= ks.get(ks.size() - 1); rank++) {
      if (rank <= hits.size()) {
        for (String dia : turnsOfMemory.getOrDefault(hits.get(rank - 1).memory().id(), Set.of())) {
          if (evidence.contains(dia)) {
            found.add(dia);
          }
        }
      }
      while (ki < ks.size() && ks.get(ki) == rank) {
        recall[ki] = (double) found.size() / evidence.size();
        hit[ki] = found.isEmpty() ? 0 : 1;
        ki++;
      }
    }
  }

  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return 0;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  static double round(double x) {
    return Math.round(x * 10_000) / 10_000.0;
  }
}
