package io.mnemo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's exactness promise end to end through the CLI: a tenant exported from the embedded
 * store, imported into PostgreSQL (another tenant, another region), exported, imported back into
 * the embedded store and exported again gives the same records, ids and times included, and the
 * same search hits in all three places.
 */
class RoundTripAcrossBackendsTest {
  static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";

  @TempDir Path dir;
  String database;
  Path config;

  @BeforeEach
  void createDatabase() throws IOException {
    database = "mnemo_test_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    sql("CREATE DATABASE " + database);
    config = dir.resolve("mnemo.yaml");
    Files.writeString(
        config,
        "catalog: "
            + dir.resolve("catalog.db")
            + "\ndefault_region: local\nregions:\n  eu:    { store: postgres, url: \""
            + SERVER
            + database
            + "\", pool_size: 2 }\n  local: { store: embedded, path: "
            + dir.resolve("local")
            + " }\n");
  }

  @AfterEach
  void dropDatabase() {
    sql("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
  }

  private CliTestSupport.Result mnemo(String... args) {
    List<String> all = new ArrayList<>(List.of("--config", config.toString()));
    all.addAll(List.of(args));
    return CliTestSupport.raw("", all.toArray(String[]::new));
  }

  private static List<String> records(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    assertThat(lines.get(0)).contains("\"kind\":\"header\"");
    return lines.subList(1, lines.size());
  }

  /** The hits' ids in order, with their scores when {@code scores}. */
  private List<String> hits(String tenant, String query, boolean scores) {
    JsonNode r =
        mnemo("search", "--tenant", tenant, "--user", "alice", "--json", query).ok().json();
    List<String> out = new ArrayList<>();
    r.get("results")
        .forEach(
            h -> out.add(h.get("id").asText() + (scores ? " " + h.get("score").asText() : "")));
    return out;
  }

  @Test
  void embeddedToPostgresToEmbedded_exportsTheSameRecordsAndFindsTheSame() throws IOException {
    mnemo("tenants", "create", "src", "--region", "local").ok();
    for (String text :
        List.of(
            "Our CRM is called Atlas",
            "Alice prefers green tea in the morning",
            "The Lyon office opens at 8",
            "Invoices go out on the first Monday")) {
      mnemo(
              "add",
              "--tenant",
              "src",
              "--user",
              "alice",
              "--metadata",
              "{\"b\":2,\"a\":[1,2]}",
              text)
          .ok();
    }
    mnemo("add", "--tenant", "src", "--agent", "helper", "Deploys happen on Thursdays").ok();

    Path a = dir.resolve("a.jsonl");
    Path b = dir.resolve("b.jsonl");
    Path c = dir.resolve("c.jsonl");
    mnemo("export", "--tenant", "src", "--out", a.toString()).ok();
    CliTestSupport.Result in =
        mnemo("import", "--tenant", "mid", "--region", "eu", "--in", a.toString(), "--json").ok();
    assertThat(in.json().get("region").asText()).isEqualTo("eu");
    assertThat(in.json().get("embedded").asLong()).isZero();
    assertThat(in.err()).contains("import"); // the progress bar
    mnemo("export", "--tenant", "mid", "--out", b.toString()).ok();
    mnemo("import", "--tenant", "back", "--region", "local", "--in", b.toString()).ok();
    mnemo("export", "--tenant", "back", "--out", c.toString()).ok();

    assertThat(records(b)).isEqualTo(records(a));
    assertThat(records(c)).isEqualTo(records(a));
    assertThat(records(a).stream().filter(l -> l.contains("\"kind\":\"memory\""))).hasSize(5);
    for (String q : List.of("which CRM do we use", "what does Alice drink", "when are invoices")) {
      // The same hits in the same order everywhere; the same scores in the same backend (each
      // backend has its own full-text scorer, so a hit's text score differs between them).
      List<String> expected = hits("src", q, false);
      assertThat(expected).isNotEmpty();
      assertThat(hits("mid", q, false)).as(q).isEqualTo(expected);
      assertThat(hits("back", q, true)).as(q).isEqualTo(hits("src", q, true));
    }
  }

  private static void sql(String statement) {
    try (Connection c = DriverManager.getConnection(SERVER + "postgres", "postgres", null);
        Statement s = c.createStatement()) {
      s.execute(statement);
    } catch (SQLException e) {
      throw new AssertionError("PostgreSQL at " + SERVER + ": " + statement, e);
    }
  }
}
