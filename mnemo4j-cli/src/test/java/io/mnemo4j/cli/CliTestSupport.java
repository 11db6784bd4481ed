package io.mnemo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Runs the real entry point with captured streams against one data directory. */
final class CliTestSupport {
  private final Path dataDir;

  CliTestSupport(Path dataDir) {
    this.dataDir = dataDir;
  }

  /** What one invocation printed and returned. */
  record Result(int code, String out, String err) {
    /** Stdout as exactly one JSON object (fails if there is anything else). */
    JsonNode json() {
      try (JsonParser p = Json.MAPPER.createParser(out)) {
        JsonNode node = Json.MAPPER.readTree(p);
        assertThat(node).as("stdout: %s", out).isNotNull();
        assertThat(node.isObject()).as("stdout holds a JSON object: %s", out).isTrue();
        assertThat(p.nextToken()).as("nothing after the object: %s", out).isNull();
        return node;
      } catch (IOException e) {
        throw new UncheckedIOException("stdout is not JSON: " + out + "\nstderr: " + err, e);
      }
    }

    Result ok() {
      assertThat(code).as("exit code; stderr: %s", err).isZero();
      return this;
    }
  }

  /** Runs {@code mnemo --data-dir DIR args...}. */
  Result run(String... args) {
    return runWithStdin("", args);
  }

  /** Runs with {@code stdin} as standard input. */
  Result runWithStdin(String stdin, String... args) {
    List<String> all = new ArrayList<>(List.of("--data-dir", dataDir.toString()));
    all.addAll(Arrays.asList(args));
    return raw(stdin, all.toArray(String[]::new));
  }

  /** Runs exactly {@code args}, without adding the data directory. */
  static Result raw(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = MnemoCli.run(args, in, o, e);
    }
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Ids of the {@code results} array of a JSON answer. */
  static List<String> ids(JsonNode answer) {
    List<String> ids = new ArrayList<>();
    answer.get("results").forEach(r -> ids.add(r.get("id").asText()));
    return ids;
  }

  /** Texts of the {@code results} array of a JSON answer. */
  static List<String> memories(JsonNode answer) {
    List<String> texts = new ArrayList<>();
    answer.get("results").forEach(r -> texts.add(r.get("memory").asText()));
    return texts;
  }
}
