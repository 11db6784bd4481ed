package io.mnemo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo4j.testing.ChildJvm;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changing the embedding model with the two in-jar models (bge-small-en-v1.5-q, the default, to
 * all-minilm-l6-v2-q), killed with {@code kill -9} in the middle: searches keep working on the old
 * model, the rerun resumes where the catalog says it stopped, and afterwards the data dir answers
 * only to the new model, which finds what the old one found.
 */
class ReembedKillTest {
  private static final String NEW = "all-minilm-l6-v2-q";

  @TempDir Path dataDir;

  private List<String> mnemo(String... args) {
    List<String> command = ChildJvm.command(MnemoCli.class, "--data-dir", dataDir.toString());
    command.addAll(List.of(args));
    return command;
  }

  @Test
  void reembed_killedMidway_keepsSearching_resumes_andSwitchesToTheNewModel() throws Exception {
    CliTestSupport cli = new CliTestSupport(dataDir);
    cli.run("tenants", "create", "acme").ok();
    cli.run("tenants", "create", "beta").ok();
    String lines =
        IntStream.range(0, 1000)
            .mapToObj(
                i -> "Note " + i + ": the shipment " + i + " left the harbour of port " + (i % 40))
            .collect(Collectors.joining("\n"));
    cli.runWithStdin(lines, "add", "--tenant", "acme", "--user", "u").ok();
    cli.run("add", "--tenant", "beta", "Our office dog is called Biscuit").ok();
    cli.run("add", "--tenant", "acme", "--user", "u", "The CRM we use is called Atlas").ok();

    Process child =
        new ProcessBuilder(mnemo("--embedder", NEW, "reembed", "--all"))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    JsonNode during = null;
    for (int i = 0; i < 600 && child.isAlive(); i++) {
      JsonNode s = cli.run("reembed", "--status", "--json").ok().json();
      if ("acme".equals(s.path("tenant").asText(null))) {
        during = s;
        break;
      }
      Thread.sleep(100);
    }
    assertThat(during)
        .as("the re-embedding reached the middle of acme before it ended")
        .isNotNull();
    child.destroyForcibly();
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

    JsonNode stopped = cli.run("reembed", "--status", "--json").ok().json();
    assertThat(stopped.get("phase").asText()).isEqualTo("embedding");
    assertThat(stopped.get("model").asText()).isEqualTo(NEW);
    // Still the old model, and it still finds by meaning.
    JsonNode old =
        cli.run("search", "--tenant", "acme", "--all", "--json", "which CRM?").ok().json();
    assertThat(old.get("results").get(0).get("memory").asText())
        .isEqualTo("The CRM we use is called Atlas");

    JsonNode done = cli.run("--embedder", NEW, "reembed", "--all", "--json").ok().json();

    assertThat(done.get("phase").asText()).isEqualTo("done");
    assertThat(done.get("switched").asLong()).isEqualTo(1002);
    assertThat(done.get("embedded").asLong()).isLessThan(1002).isPositive();
    assertThat(cli.run("reembed", "--status", "--json").ok().json().get("phase").asText())
        .isEqualTo("idle");
    assertThat(cli.run("search", "--tenant", "acme", "--all", "which CRM?").code())
        .isEqualTo(MnemoCli.BAD_INPUT);
    JsonNode after =
        cli.run("--embedder", NEW, "search", "--tenant", "acme", "--all", "--json", "which CRM?")
            .ok()
            .json();
    assertThat(after.get("results").get(0).get("memory").asText())
        .isEqualTo("The CRM we use is called Atlas");
    JsonNode dog =
        cli.run(
                "--embedder",
                NEW,
                "search",
                "--tenant",
                "beta",
                "--mode",
                "dense",
                "--json",
                "pet animal name")
            .ok()
            .json();
    assertThat(dog.get("results").get(0).get("memory").asText())
        .isEqualTo("Our office dog is called Biscuit");
    JsonNode listed =
        cli.run(
                "--embedder",
                NEW,
                "get",
                "--tenant",
                "beta",
                "--json",
                dog.get("results").get(0).get("id").asText())
            .ok()
            .json();
    assertThat(listed.get("memory").asText()).isEqualTo("Our office dog is called Biscuit");
  }
}
