package io.mnemo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mnemo export} and {@code mnemo import}, native and from Mem0, on the embedded store. */
class TransferCliTest {
  @TempDir Path dir;
  CliTestSupport cli;

  @BeforeEach
  void setUp() {
    cli = new CliTestSupport(dir.resolve("data"));
    cli.run("tenants", "create", "acme").ok();
    cli.run("add", "--tenant", "acme", "--user", "alice", "Our CRM is called Atlas").ok();
    cli.run("add", "--tenant", "acme", "--user", "bob", "Bob takes the 8:15 train").ok();
  }

  @Test
  void export_toStdout_importFromStdin_roundTrips() {
    CliTestSupport.Result out = cli.run("export", "--tenant", "acme").ok();
    assertThat(out.out()).startsWith("{\"kind\":\"header\"");
    assertThat(out.err()).contains("exported tenant acme").contains("2 memory");

    CliTestSupport.Result in = cli.runWithStdin(out.out(), "import", "--tenant", "copy").ok();
    assertThat(in.out()).contains("imported tenant copy").contains("2 memory");
    JsonNode hits =
        cli.run("search", "--tenant", "copy", "--user", "alice", "--json", "which CRM").ok().json();
    assertThat(hits.get("results").get(0).get("memory").asText())
        .isEqualTo("Our CRM is called Atlas");
  }

  @Test
  void import_badLine_exits2NamingLineAndFieldAndCreatesNothing() throws IOException {
    Path file = dir.resolve("acme.jsonl");
    cli.run("export", "--tenant", "acme", "--out", file.toString()).ok();
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    lines.set(2, lines.get(2).replace("\"type\":\"episodic\"", "\"type\":\"dream\""));
    Files.write(file, lines);

    CliTestSupport.Result r = cli.run("import", "--tenant", "copy", "--in", file.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("line 3: type").contains("(field: lines[3].type)");
    assertThat(r.err()).doesNotContain("Exception");
    assertThat(cli.run("tenants", "list").ok().out()).doesNotContain("copy");
  }

  @Test
  void import_missingFileOrUnknownFormat_exits2() {
    assertThat(cli.run("import", "--tenant", "copy", "--in", dir.resolve("none").toString()).code())
        .isEqualTo(2);
    assertThat(cli.run("import", "--tenant", "copy", "--from", "zep", "x").code()).isEqualTo(2);
  }

  @Test
  void importFromMem0_getAllPages_keepsIdsScopesMetadataAndTimes() throws IOException {
    Path mem0 = dir.resolve("mem0.json");
    Files.writeString(
        mem0,
        """
        {"count": 3, "next": null, "results": [
          {"id": "3c90c3cc-0d44-4b50-8888-8dd25736052a", "memory": "Prefers window seats",
           "user_id": "alice", "agent_id": null, "app_id": "travel", "run_id": null,
           "hash": "abc", "metadata": {"source": "chat", "user_id": "mallory"},
           "categories": ["travel"], "created_at": "2024-07-20T01:30:00.123456-07:00",
           "updated_at": "2024-07-21T10:00:00-07:00", "expiration_date": "2030-01-01",
           "immutable": false},
          {"id": "7f0e1a22-1111-4c4c-9999-000000000001", "memory": "Team standup is at 9",
           "agent_id": "ops-bot", "created_at": "2024-08-01T09:00:00Z"}
        ]}
        {"results": [{"id": "m-3", "memory": "Allergic to peanuts", "user_id": "bob",
          "created_at": "2024-09-01T12:00:00"}]}
        """);
    CliTestSupport.Result r =
        cli.run("import", "--tenant", "from-mem0", "--from", "mem0", mem0.toString()).ok();
    assertThat(r.out()).contains("3 memory").contains("3 memories embedded again");
    assertThat(r.err()).contains("1 metadata keys naming an identity");

    JsonNode got =
        cli.run("get", "--tenant", "from-mem0", "--json", "3c90c3cc-0d44-4b50-8888-8dd25736052a")
            .ok()
            .json();
    assertThat(got.get("memory").asText()).isEqualTo("Prefers window seats");
    assertThat(got.get("user_id").asText()).isEqualTo("alice");
    assertThat(got.get("metadata").get("source").asText()).isEqualTo("chat");
    assertThat(got.get("metadata").get("mem0_app_id").asText()).isEqualTo("travel");
    assertThat(got.get("metadata").has("user_id")).isFalse();
    assertThat(got.get("created_at").asText()).isEqualTo("2024-07-20T08:30:00.123456Z");
    JsonNode hits =
        cli.run("search", "--tenant", "from-mem0", "--user", "bob", "--json", "peanut allergy")
            .ok()
            .json();
    assertThat(hits.get("results").get(0).get("id").asText()).isEqualTo("m-3");
  }

  @Test
  void importFromMem0_memoryWithoutText_exits2NamingIt() throws IOException {
    Path mem0 = dir.resolve("mem0.json");
    Files.writeString(
        mem0, "[{\"id\": \"a\", \"memory\": \"ok\"}, {\"id\": \"b\", \"memory\": 3}]");
    CliTestSupport.Result r = cli.run("import", "--tenant", "m", "--from", "mem0", mem0.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("memories[1].memory");
  }
}
