package io.mnemo4j.internal.ingest;

import io.mnemo4j.llm.ResponseSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The versioned prompts and JSON schemas of the inference pipeline, read once from {@code
 * io/mnemo4j/prompts/v1/}. A prompt change is a new version directory, so stored results can be
 * traced to the exact text that made them. Immutable after loading.
 */
final class Prompts {
  /** The prompt set in use; recorded in inferred memories' provenance. */
  static final String VERSION = "v1";

  static final String EXTRACT = read("extract.txt");
  static final String DECIDE = read("decide.txt");
  static final String PROCEDURAL = read("procedural.txt");
  static final ResponseSchema EXTRACT_SCHEMA =
      new ResponseSchema("mnemo_facts", read("extract.schema.json"));
  static final ResponseSchema DECIDE_SCHEMA =
      new ResponseSchema("mnemo_decisions", read("decide.schema.json"));
  static final ResponseSchema PROCEDURAL_SCHEMA =
      new ResponseSchema("mnemo_procedure", read("procedural.schema.json"));

  private Prompts() {}

  /** {@code template} with each {@code {{key}}} replaced by its value. */
  static String fill(String template, Map<String, String> values) {
    String out = template;
    for (Map.Entry<String, String> e : values.entrySet()) {
      out = out.replace("{{" + e.getKey() + "}}", e.getValue());
    }
    return out;
  }

  private static String read(String name) {
    // Absolute: the prompts live beside the public package, not beside this class.
    String path = "/io/mnemo4j/prompts/" + VERSION + "/" + name;
    try (InputStream in = Prompts.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
