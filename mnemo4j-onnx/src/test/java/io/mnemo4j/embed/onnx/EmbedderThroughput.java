package io.mnemo4j.embed.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mnemo4j.spi.Embedder.Purpose;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Rough throughput of each model on LoCoMo-like text; a main class, not a test (surefire does not
 * run it). Reads up to 500 turns ({@code "<speaker>: <text>"}) and 500 questions from LoCoMo if
 * {@code -Dmnemo.locomo=<path>} (default {@code ../shared/data/locomo/locomo-dev.json}) exists,
 * otherwise makes up similar sentences from a fixed seed. Arguments: model names (default: all).
 * Prints load time, RSS, documents per second (one by one and through {@code embedAll}) and query
 * latency percentiles.
 *
 * <pre>
 * mvn -pl mnemo4j-onnx test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test
 * java -cp mnemo4j-onnx/target/classes:mnemo4j-onnx/target/test-classes:$(cat mnemo4j-onnx/cp.txt) \
 *   io.mnemo4j.embed.onnx.EmbedderThroughput bge-small-en-v1.5-q
 * </pre>
 */
public final class EmbedderThroughput {
  private static final int COUNT = 500;

  private EmbedderThroughput() {}

  public static void main(String[] args) throws IOException {
    Path locomo =
        Path.of(System.getProperty("mnemo.locomo", "../shared/data/locomo/locomo-dev.json"));
    List<String> documents = new ArrayList<>();
    List<String> queries = new ArrayList<>();
    if (Files.isRegularFile(locomo)) {
      readLocomo(locomo, documents, queries);
      System.out.printf(
          "%d turns and %d questions from %s%n", documents.size(), queries.size(), locomo);
    } else {
      invent(documents, queries);
      System.out.printf("%s not found; %d invented sentences%n", locomo, documents.size());
    }
    List<String> names = args.length == 0 ? OnnxEmbedder.names() : List.of(args);
    for (String name : names) {
      measure(name, documents, queries);
    }
  }

  private static void measure(String name, List<String> documents, List<String> queries)
      throws IOException {
    long start = System.nanoTime();
    try (OnnxEmbedder embedder = OnnxEmbedder.byName(name)) {
      double loadMs = (System.nanoTime() - start) / 1e6;
      System.out.printf(Locale.ROOT, "%n%s: loaded in %.0f ms, RSS %d MB%n", name, loadMs, rssMb());

      for (String text : documents.subList(0, 50)) {
        embedder.embed(text, Purpose.DOCUMENT); // warm-up
      }
      start = System.nanoTime();
      for (String text : documents) {
        embedder.embed(text, Purpose.DOCUMENT);
      }
      double oneByOne = documents.size() / ((System.nanoTime() - start) / 1e9);

      start = System.nanoTime();
      embedder.embedAll(documents, Purpose.DOCUMENT);
      double all = documents.size() / ((System.nanoTime() - start) / 1e9);

      long[] nanos = new long[queries.size()];
      for (int i = 0; i < queries.size(); i++) {
        long t = System.nanoTime();
        embedder.embed(queries.get(i), Purpose.QUERY);
        nanos[i] = System.nanoTime() - t;
      }
      Arrays.sort(nanos);
      System.out.printf(
          Locale.ROOT,
          "documents: %.0f/s one by one, %.0f/s embedAll; query latency p50 %.2f ms, p99 %.2f ms; RSS %d MB%n",
          oneByOne,
          all,
          nanos[nanos.length / 2] / 1e6,
          nanos[(int) Math.ceil(nanos.length * 0.99) - 1] / 1e6,
          rssMb());
    }
  }

  private static void readLocomo(Path path, List<String> documents, List<String> queries)
      throws IOException {
    JsonNode root = new ObjectMapper().readTree(path.toFile());
    for (JsonNode sample : root) {
      JsonNode conversation = sample.get("conversation");
      for (int session = 1; conversation.has("session_" + session); session++) {
        for (JsonNode turn : conversation.get("session_" + session)) {
          if (documents.size() < COUNT) {
            String text = turn.get("speaker").asText() + ": " + turn.get("text").asText();
            if (turn.has("blip_caption")) {
              text += " [shares " + turn.get("blip_caption").asText() + "]";
            }
            documents.add(text);
          }
        }
      }
      for (JsonNode qa : sample.get("qa")) {
        if (queries.size() < COUNT) {
          queries.add(qa.get("question").asText());
        }
      }
    }
  }

  private static void invent(List<String> documents, List<String> queries) {
    Random random = new Random(42);
    String[] speakers = {"Caroline", "Melanie", "Jon", "Gina"};
    String[] events = {
      "went to a support group meeting", "painted a sunset with my kids",
          "ran a charity race for mental health",
      "started a new dance studio", "adopted a puppy from the shelter",
          "went camping in the mountains last weekend"
    };
    for (int i = 0; i < COUNT; i++) {
      String speaker = speakers[random.nextInt(speakers.length)];
      String event = events[random.nextInt(events.length)];
      documents.add(
          speaker + ": Hey! Guess what, I " + event + " and it was amazing, I felt so inspired.");
      queries.add("When did " + speaker + " mention that they " + event + "?");
    }
  }

  private static long rssMb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
      }
    }
    return -1;
  }
}
