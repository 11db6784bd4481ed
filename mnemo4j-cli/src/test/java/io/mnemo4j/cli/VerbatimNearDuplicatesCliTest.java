package io.mnemo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verbatim means verbatim, with the real embedding model. Regression (issue 9): {@code "My phone
 * number is 555-0100"} then {@code "...555-0199"} gave ADD then NONE (exit 0): the new number was
 * silently dropped, and so were invoice numbers and one of 300 imported lines. The near-duplicate
 * threshold is set by {@code --near-duplicate-threshold} or {@code near_duplicate_threshold} in the
 * configuration file. A data dir also remembers its embedding model.
 */
class VerbatimNearDuplicatesCliTest {
  @TempDir Path dataDir;
  CliTestSupport cli;

  @BeforeEach
  void setUp() {
    cli = new CliTestSupport(dataDir);
    cli.run("tenants", "create", "acme").ok();
  }

  private String event(String... args) {
    List<String> all = new ArrayList<>(List.of("--json", "add", "--tenant", "acme", "--user", "u"));
    all.addAll(List.of(args));
    return cli.run(all.toArray(String[]::new))
        .ok()
        .json()
        .get("results")
        .get(0)
        .get("event")
        .asText();
  }

  @Test
  void add_newPhoneNumberOrInvoice_isStored() {
    assertThat(event("My phone number is 555-0100")).isEqualTo("ADD");
    assertThat(event("My phone number is 555-0199")).isEqualTo("ADD");
    assertThat(event("Invoice INV-2024-0042 was paid on March 3")).isEqualTo("ADD");
    assertThat(event("Invoice INV-2024-0043 was paid on March 3")).isEqualTo("ADD");
    assertThat(event("Invoice INV-2024-0043 was paid on March 4")).isEqualTo("ADD");
    assertThat(event("I do not eat meat")).isEqualTo("ADD");
    assertThat(event("I eat meat")).isEqualTo("ADD");
  }

  @Test
  void add_repeatUpToCaseAndPunctuation_isNone() {
    assertThat(event("My phone number is 555-0100")).isEqualTo("ADD");
    assertThat(event("my phone number is 555-0100!")).isEqualTo("NONE");
    assertThat(event("I'm allergic to peanuts")).isEqualTo("ADD");
    assertThat(event("I am allergic to peanuts")).isEqualTo("NONE");
    // Threshold 1.0: exact duplicates only; a spelled-out contraction is kept.
    assertThat(event("--near-duplicate-threshold", "1", "I am allergic to peanuts."))
        .isEqualTo("ADD");
    assertThat(event("--near-duplicate-threshold", "1", "My phone number is 555-0100."))
        .isEqualTo("NONE");
  }

  @Test
  void add_threeHundredImportedLines_storesEveryOne() {
    StringBuilder in = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      in.append("Ticket ")
          .append(4000 + i)
          .append(" assigned to desk ")
          .append(i % 17)
          .append('\n');
    }
    CliTestSupport.Result r =
        cli.runWithStdin(in.toString(), "--json", "add", "--tenant", "acme", "--user", "importer")
            .ok();
    assertThat(r.json().get("results").findValuesAsText("event")).hasSize(300).containsOnly("ADD");
  }

  @Test
  void nearDuplicateThreshold_fromFlagAndConfig_isValidated() throws Exception {
    CliTestSupport.Result bad =
        cli.run("--near-duplicate-threshold", "1.5", "add", "--tenant", "acme", "x");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("near-duplicate-threshold");
    Path config = dataDir.resolve("mnemo.yaml");
    Files.writeString(config, "near_duplicate_threshold: 0\n", StandardCharsets.UTF_8);
    CliTestSupport.Result badFile =
        cli.run("--config", config.toString(), "add", "--tenant", "acme", "x");
    assertThat(badFile.code()).isEqualTo(2);
    assertThat(badFile.err()).contains("config.near_duplicate_threshold");

    Files.writeString(config, "near_duplicate_threshold: 1.0\n", StandardCharsets.UTF_8);
    assertThat(event("I am allergic to peanuts")).isEqualTo("ADD");
    String viaConfig =
        cli.run(
                "--config",
                config.toString(),
                "--json",
                "add",
                "--tenant",
                "acme",
                "--user",
                "u",
                "Um, I am allergic to peanuts")
            .ok()
            .json()
            .get("results")
            .get(0)
            .get("event")
            .asText();
    assertThat(viaConfig).isEqualTo("ADD");
  }

  @Test
  void openWithAnotherEmbedder_exit2NamingTheModelItWasBuiltWith() {
    assertThat(event("I like tea")).isEqualTo("ADD");
    CliTestSupport.Result r =
        cli.run(
            "--embedder", "all-minilm-l6-v2-q", "search", "--tenant", "acme", "--user", "u", "tea");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("bge-small-en-v1.5-q").contains("all-minilm-l6-v2-q");
    assertThat(r.out()).isEmpty();
  }
}
