package io.mnemo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo4j.testing.ChildJvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code tenants move} killed with {@code kill -9} at each phase (journal written, copy made,
 * catalog switched): afterwards the catalog names one region, which holds the whole tenant (its
 * export is record for record the one before the move), and a rerun (or, before the switch, a
 * rollback) ends with the tenant in exactly one region's directory.
 */
class MoveKillTest {
  @TempDir Path dataDir;

  private Process child(String pausePoint, String... args) throws Exception {
    List<String> command =
        ChildJvm.command(MoveKillChild.class, pausePoint, "--data-dir", dataDir.toString());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  /** The export's record lines, without the header (which names the region and time). */
  private static List<String> records(String export) {
    List<String> lines = Arrays.asList(export.split("\n"));
    assertThat(lines.get(0)).contains("\"kind\":\"header\"");
    return lines.subList(1, lines.size());
  }

  private String region(CliTestSupport cli) {
    JsonNode tenants = cli.run("tenants", "list", "--json").ok().json().get("results");
    assertThat(tenants).hasSize(1);
    return tenants.get(0).get("region").asText();
  }

  @ParameterizedTest(name = "killed at {0}, then {1}")
  @CsvSource({
    "journaled, local, rerun",
    "copied, local, rerun",
    "copied, local, rollback",
    "switched, eu, rerun"
  })
  void move_killedAtAPhase_leavesTheTenantWholeInOneRegion_andARerunOrRollbackEndsIt(
      String phase, String regionAfterKill, String then) throws Exception {
    CliTestSupport cli = new CliTestSupport(dataDir);
    cli.run("tenants", "create", "acme").ok();
    String lines =
        IntStream.range(0, 200)
            .mapToObj(i -> "Note " + i + ": parcel " + i + " left the depot of town " + (i % 17))
            .collect(Collectors.joining("\n"));
    cli.runWithStdin(lines, "add", "--tenant", "acme", "--user", "u").ok();
    List<String> before = records(cli.run("export", "--tenant", "acme").ok().out());

    Process p = child(phase, "tenants", "move", "acme", "--region", "eu");
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).isEqualTo("PAUSED " + phase);
    }
    p.destroyForcibly(); // SIGKILL: no shutdown hook, no finally block runs
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(region(cli)).isEqualTo(regionAfterKill);
    assertThat(records(cli.run("export", "--tenant", "acme").ok().out()))
        .as("the tenant is whole where the catalog says it is")
        .isEqualTo(before);

    JsonNode receipt =
        then.equals("rerun")
            ? cli.run("tenants", "move", "acme", "--region", "eu", "--json").ok().json()
            : cli.run("tenants", "move", "acme", "--rollback", "--json").ok().json();

    String home = then.equals("rerun") ? "eu" : "local";
    String other = then.equals("rerun") ? "local" : "eu";
    assertThat(receipt.get("outcome").asText())
        .isEqualTo(then.equals("rerun") ? "moved" : "rolled_back");
    assertThat(receipt.get("from").get("counts").get("memory").asLong()).isEqualTo(200);
    assertThat(region(cli)).isEqualTo(home);
    assertThat(records(cli.run("export", "--tenant", "acme").ok().out())).isEqualTo(before);
    assertThat(Files.exists(dataDir.resolve(home).resolve("acme"))).isTrue();
    assertThat(Files.exists(dataDir.resolve(other).resolve("acme")))
        .as("no copy left in the other region")
        .isFalse();
    // Writes are open again.
    cli.run("add", "--tenant", "acme", "--user", "u", "The depot moved to Lyon").ok();
    // A second rerun has nothing left to finish.
    assertThat(cli.run("tenants", "move", "acme", "--rollback").code()).isEqualTo(MnemoCli.FAILURE);
  }

  @org.junit.jupiter.api.Test
  void move_badRegion_exits2NamingTheFlagAndTheKnownRegions() {
    CliTestSupport cli = new CliTestSupport(dataDir);
    cli.run("tenants", "create", "acme").ok();

    CliTestSupport.Result bad = cli.run("tenants", "move", "acme", "--region", "Not Valid");
    assertThat(bad.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(bad.err()).contains("--region");
    CliTestSupport.Result same = cli.run("tenants", "move", "acme", "--region", "local");
    assertThat(same.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(same.err()).contains("--region").contains("already");
    assertThat(region(cli)).isEqualTo("local");
  }
}
