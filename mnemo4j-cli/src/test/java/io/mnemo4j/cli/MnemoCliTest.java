package io.mnemo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo4j.cli.CliTestSupport.Result;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands end to end through {@link MnemoCli#run}, each test in its own data directory. */
class MnemoCliTest {
  @TempDir Path dataDir;
  CliTestSupport cli;

  @BeforeEach
  void setUp() {
    cli = new CliTestSupport(dataDir);
  }

  private void createTenant(String id) {
    cli.run("tenants", "create", id).ok();
  }

  @Test
  void tenants_createListPurge_roundTrip() {
    JsonNode created = cli.run("tenants", "create", "acme", "--json").ok().json();
    assertThat(created.get("id").asText()).isEqualTo("acme");
    assertThat(created.get("region").asText()).isEqualTo("local");
    assertThat(created.get("created_at").asText()).endsWith("Z");
    createTenant("globex");

    JsonNode listed = cli.run("tenants", "list", "--json").ok().json();
    List<String> names = new ArrayList<>();
    listed.get("results").forEach(t -> names.add(t.get("id").asText()));
    assertThat(names).containsExactly("acme", "globex");

    cli.run("add", "--tenant", "acme", "--user", "alice", "Our CRM is called Atlas").ok();
    JsonNode receipt = cli.run("tenants", "purge", "acme", "--json").ok().json();
    assertThat(receipt.fieldNames())
        .toIterable()
        .containsExactly(
            "tenant",
            "region",
            "memories",
            "history_rows",
            "messages",
            "files",
            "bytes",
            "purged_at");
    assertThat(receipt.get("tenant").asText()).isEqualTo("acme");
    assertThat(receipt.get("memories").asLong()).isEqualTo(1);
    assertThat(receipt.get("history_rows").asLong()).isEqualTo(1);
    assertThat(receipt.get("messages").asLong()).isEqualTo(1);
    assertThat(receipt.get("purged_at").asText()).endsWith("Z");

    Result text = cli.run("tenants", "list").ok();
    assertThat(text.out()).contains("globex").doesNotContain("acme");
    Result again = cli.run("search", "--tenant", "acme", "--user", "alice", "CRM");
    assertThat(again.code()).isEqualTo(MnemoCli.FAILURE);
    assertThat(again.err()).contains("tenant acme not found");
  }

  @Test
  void tenantsCreate_withRegion_pinsTenant() {
    JsonNode created =
        cli.run("tenants", "create", "eu-shop", "--region", "eu", "--json").ok().json();
    assertThat(created.get("region").asText()).isEqualTo("eu");
    cli.run("add", "--tenant", "eu-shop", "Invoices go out on the first Monday").ok();
    JsonNode hits = cli.run("search", "--tenant", "eu-shop", "--json", "invoices").ok().json();
    assertThat(memories(hits)).containsExactly("Invoices go out on the first Monday");
  }

  @Test
  void tenantsCreate_invalidId_exit2NamingField() {
    Result r = cli.run("tenants", "create", "Bad Id");
    assertThat(r.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(r.err()).startsWith("error: tenant id must match").contains("(field: tenant)");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void add_thenSearch_jsonShape() {
    createTenant("acme");
    JsonNode added =
        cli.run(
                "add",
                "--tenant",
                "acme",
                "--user",
                "alice",
                "--metadata",
                "{\"topic\":\"prefs\"}",
                "--json",
                "I prioritise API performance",
                "I drink my coffee black")
            .ok()
            .json();
    assertThat(added.get("results")).hasSize(2);
    for (JsonNode e : added.get("results")) {
      assertThat(e.fieldNames()).toIterable().contains("id", "memory", "event");
      assertThat(e.get("event").asText()).isEqualTo("ADD");
    }
    JsonNode again =
        cli.run("add", "--tenant", "acme", "--user", "alice", "--json", "I drink my coffee black")
            .ok()
            .json();
    assertThat(again.get("results").get(0).get("event").asText()).isEqualTo("NONE");
    assertThat(again.get("results").get(0).get("id").asText()).isEqualTo(ids(added).get(1));

    JsonNode hits =
        cli.run(
                "search",
                "--tenant",
                "acme",
                "--user",
                "alice",
                "--json",
                "how do I take my coffee?")
            .ok()
            .json();
    JsonNode top = hits.get("results").get(0);
    assertThat(top.fieldNames())
        .toIterable()
        .contains(
            "id",
            "memory",
            "score",
            "user_id",
            "agent_id",
            "run_id",
            "metadata",
            "created_at",
            "updated_at");
    assertThat(top.get("memory").asText()).isEqualTo("I drink my coffee black");
    assertThat(top.get("user_id").asText()).isEqualTo("alice");
    assertThat(top.get("agent_id").isNull()).isTrue();
    assertThat(top.get("metadata").get("topic").asText()).isEqualTo("prefs");
    assertThat(top.get("score").isNumber()).isTrue();
    assertThat(top.get("origin").asText()).isEqualTo("scope");
    assertThat(top.get("role").asText()).isEqualTo("user");
    assertThat(top.get("created_at").asText()).endsWith("Z");
  }

  @Test
  void json_everyCommand_printsExactlyOneObject() {
    createTenant("acme");
    String id =
        ids(cli.run("add", "--tenant", "acme", "--json", "Our CRM is called Atlas").ok().json())
            .get(0);
    cli.run("--json", "search", "--tenant", "acme", "crm").ok().json();
    cli.run("list", "--tenant", "acme", "--json").ok().json();
    cli.run("get", "--tenant", "acme", id, "--json").ok().json();
    cli.run("history", "--tenant", "acme", id, "--json").ok().json();
    cli.run("tenants", "list", "--json").ok().json();
    cli.run("delete", "--tenant", "acme", id, "--json").ok().json();
    cli.run("delete-all", "--tenant", "acme", "--all", "--json").ok().json();
  }

  @Test
  void globalOptions_beforeOrAfterSubcommand_bothWork() {
    Path other = dataDir.resolve("other");
    CliTestSupport.raw("", "--data-dir", other.toString(), "tenants", "create", "first").ok();
    CliTestSupport.raw("", "tenants", "create", "second", "--data-dir", other.toString()).ok();
    JsonNode listed =
        CliTestSupport.raw("", "tenants", "list", "--json", "--data-dir", other.toString())
            .ok()
            .json();
    assertThat(listed.get("results")).hasSize(2);
    assertThat(cli.run("tenants", "list", "--json").ok().json().get("results")).isEmpty();
  }

  @Test
  void search_badFilters_exit2NamingField() {
    createTenant("acme");
    Result r =
        cli.run(
            "search",
            "--tenant",
            "acme",
            "--user",
            "alice",
            "--filters",
            "{\"AND\":[{\"user_id\":\"alice\"},{\"score\":{\"gt\":1}}]}",
            "crm");
    assertThat(r.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(r.err()).startsWith("error: ").contains("(field: filters.AND[1].score)");
    assertThat(r.err().lines().count()).isEqualTo(1);
    assertThat(r.out()).isEmpty();

    Result notJson = cli.run("list", "--tenant", "acme", "--filters", "{nope");
    assertThat(notJson.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(notJson.err()).contains("(field: filters");
  }

  @Test
  void search_withFilters_narrowsByMetadata() {
    createTenant("acme");
    cli.run(
            "add",
            "--tenant",
            "acme",
            "--user",
            "alice",
            "--metadata",
            "{\"topic\":\"food\"}",
            "I like green tea")
        .ok();
    cli.run(
            "add",
            "--tenant",
            "acme",
            "--user",
            "alice",
            "--metadata",
            "{\"topic\":\"drinks\"}",
            "I like black tea")
        .ok();
    JsonNode hits =
        cli.run(
                "search",
                "--tenant",
                "acme",
                "--user",
                "alice",
                "--json",
                "--filters",
                "{\"metadata\":{\"topic\":\"drinks\"}}",
                "tea")
            .ok()
            .json();
    assertThat(memories(hits)).containsExactly("I like black tea");
    JsonNode recent =
        cli.run(
                "list",
                "--tenant",
                "acme",
                "--user",
                "alice",
                "--json",
                "--filters",
                "{\"AND\":[{\"created_at\":{\"gte\":\"2024-01-01\"}},{\"role\":\"user\"}]}")
            .ok()
            .json();
    assertThat(recent.get("results")).hasSize(2);
  }

  @Test
  void search_withTenantWide_returnsOrgMemory() {
    createTenant("acme");
    cli.run("add", "--tenant", "acme", "Our CRM is called Atlas").ok();
    cli.run("add", "--tenant", "acme", "--user", "alice", "Alice keeps her CRM notes in Atlas too")
        .ok();
    cli.run("add", "--tenant", "acme", "--user", "bob", "Bob prefers spreadsheets over the CRM")
        .ok();

    JsonNode both =
        cli.run(
                "search",
                "--tenant",
                "acme",
                "--user",
                "alice",
                "--with-tenant-wide",
                "--json",
                "which CRM do we use?")
            .ok()
            .json();
    assertThat(memories(both))
        .containsExactlyInAnyOrder(
            "Our CRM is called Atlas", "Alice keeps her CRM notes in Atlas too");
    Set<String> origins = new HashSet<>();
    both.get("results").forEach(h -> origins.add(h.get("origin").asText()));
    assertThat(origins).containsExactlyInAnyOrder("scope", "tenant_wide");

    JsonNode aliceOnly =
        cli.run("search", "--tenant", "acme", "--user", "alice", "--json", "CRM").ok().json();
    assertThat(memories(aliceOnly)).containsExactly("Alice keeps her CRM notes in Atlas too");
  }

  @Test
  void search_noScope_searchesTenantWideOnly_andAllSearchesEverything() {
    createTenant("acme");
    cli.run("add", "--tenant", "acme", "Our CRM is called Atlas").ok();
    cli.run("add", "--tenant", "acme", "--user", "alice", "Alice keeps her CRM notes in Atlas too")
        .ok();
    cli.run(
            "add",
            "--tenant",
            "acme",
            "--agent",
            "support-bot",
            "The support bot logs tickets in the CRM")
        .ok();

    JsonNode org = cli.run("search", "--tenant", "acme", "--json", "CRM").ok().json();
    assertThat(memories(org)).containsExactly("Our CRM is called Atlas");
    JsonNode all = cli.run("search", "--tenant", "acme", "--all", "--json", "CRM").ok().json();
    assertThat(all.get("results")).hasSize(3);

    Result clash = cli.run("search", "--tenant", "acme", "--all", "--user", "alice", "CRM");
    assertThat(clash.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(clash.err()).contains("--all");
  }

  @Test
  void add_unknownTenant_notFoundSaysHowToCreate() {
    Result r = cli.run("add", "--tenant", "acmee", "hello");
    assertThat(r.code()).isEqualTo(MnemoCli.FAILURE);
    assertThat(r.err())
        .isEqualTo(
            "error: tenant acmee not found; create it with: mnemo tenants create acmee"
                + System.lineSeparator());
    assertThat(cli.run("tenants", "list", "--json").ok().json().get("results")).isEmpty();
  }

  @Test
  void add_identityKeyInMetadata_exit2() {
    createTenant("acme");
    Result r =
        cli.run("add", "--tenant", "acme", "--metadata", "{\"user_id\":\"mallory\"}", "hello");
    assertThat(r.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(r.err()).contains("(field: metadata.user_id)");
    Result notObject = cli.run("add", "--tenant", "acme", "--metadata", "[1]", "hello");
    assertThat(notObject.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(notObject.err()).contains("(field: metadata)");
  }

  @Test
  void add_fromStdin_oneMessagePerNonEmptyLine_withProgress() {
    createTenant("acme");
    String lines =
        IntStream.rangeClosed(1, 25)
            .mapToObj(i -> "fact number " + i + " about topic " + (i * 7))
            .collect(Collectors.joining("\n\n", "", "\n"));
    Result r =
        cli.runWithStdin(
            lines, "add", "--tenant", "acme", "--user", "alice", "--name", "Alice", "--json");
    JsonNode added = r.ok().json();
    assertThat(added.get("results")).hasSize(25);
    assertThat(added.get("results").get(0).get("memory").asText())
        .isEqualTo("fact number 1 about topic 7");
    assertThat(r.err()).contains("25/25");
    JsonNode listed = cli.run("list", "--tenant", "acme", "--user", "alice", "--json").ok().json();
    assertThat(listed.get("results")).hasSize(25);
    assertThat(listed.get("results").get(0).get("actor").asText()).isEqualTo("Alice");
  }

  @Test
  void deleteAll_withoutScope_exit2() {
    createTenant("acme");
    Result r = cli.run("delete-all", "--tenant", "acme");
    assertThat(r.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(r.err()).contains("--user, --agent or --run, or --all");
  }

  @Test
  void deleteAll_userOrAll_deletesOnlyWhatWasAsked() {
    createTenant("acme");
    cli.run("add", "--tenant", "acme", "--user", "alice", "alpha one", "alpha two").ok();
    cli.run("add", "--tenant", "acme", "--user", "bob", "beta one").ok();
    cli.run("add", "--tenant", "acme", "org fact").ok();
    assertThat(
            cli.run("delete-all", "--tenant", "acme", "--user", "alice", "--json")
                .ok()
                .json()
                .get("deleted")
                .asLong())
        .isEqualTo(2);
    assertThat(cli.run("list", "--tenant", "acme", "--all", "--json").ok().json().get("results"))
        .hasSize(2);
    assertThat(
            cli.run("delete-all", "--tenant", "acme", "--all", "--json")
                .ok()
                .json()
                .get("deleted")
                .asLong())
        .isEqualTo(2);
    assertThat(cli.run("list", "--tenant", "acme", "--all", "--json").ok().json().get("results"))
        .isEmpty();
  }

  @Test
  void list_pagination_followsCursorToTheEnd() {
    createTenant("acme");
    List<String> texts =
        IntStream.rangeClosed(1, 7).mapToObj(i -> "note " + i + " " + "x".repeat(i)).toList();
    List<String> args = new ArrayList<>(List.of("add", "--tenant", "acme", "--user", "alice"));
    args.addAll(texts);
    cli.run(args.toArray(String[]::new)).ok();

    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      List<String> page =
          new ArrayList<>(
              List.of("list", "--tenant", "acme", "--user", "alice", "--page-size", "3", "--json"));
      if (cursor != null) {
        page.addAll(List.of("--cursor", cursor));
      }
      JsonNode answer = cli.run(page.toArray(String[]::new)).ok().json();
      assertThat(answer.has("next_cursor")).isTrue();
      seen.addAll(memories(answer));
      cursor = answer.get("next_cursor").isNull() ? null : answer.get("next_cursor").asText();
      pages++;
    } while (cursor != null && pages < 10);
    assertThat(seen).containsExactlyElementsOf(texts);
    assertThat(pages).isEqualTo(3);

    Result bad = cli.run("list", "--tenant", "acme", "--page-size", "0");
    assertThat(bad.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(bad.err()).contains("(field: page_size)");
  }

  @Test
  void history_afterDelete_showsAddThenDelete() {
    createTenant("acme");
    String id =
        ids(cli.run(
                    "add",
                    "--tenant",
                    "acme",
                    "--user",
                    "alice",
                    "--name",
                    "Alice",
                    "--json",
                    "I moved to Lisbon")
                .ok()
                .json())
            .get(0);
    JsonNode deleted = cli.run("delete", "--tenant", "acme", id, "--json").ok().json();
    assertThat(deleted.get("event").asText()).isEqualTo("DELETE");

    JsonNode history = cli.run("history", "--tenant", "acme", id, "--json").ok().json();
    JsonNode add = history.get("results").get(0);
    JsonNode del = history.get("results").get(1);
    assertThat(history.get("results")).hasSize(2);
    assertThat(add.fieldNames())
        .toIterable()
        .containsExactly(
            "id",
            "memory_id",
            "event",
            "old_memory",
            "new_memory",
            "actor",
            "created_at",
            "reason");
    assertThat(add.get("event").asText()).isEqualTo("ADD");
    assertThat(add.get("memory_id").asText()).isEqualTo(id);
    assertThat(add.get("old_memory").isNull()).isTrue();
    assertThat(add.get("new_memory").asText()).isEqualTo("I moved to Lisbon");
    assertThat(add.get("actor").asText()).isEqualTo("Alice");
    assertThat(del.get("event").asText()).isEqualTo("DELETE");
    assertThat(del.get("old_memory").asText()).isEqualTo("I moved to Lisbon");
    assertThat(del.get("new_memory").isNull()).isTrue();

    Result gone = cli.run("get", "--tenant", "acme", id);
    assertThat(gone.code()).isEqualTo(MnemoCli.FAILURE);
    assertThat(gone.err()).contains("memory " + id + " not found");
  }

  @Test
  void erase_byProvenanceMessageOrRun_deletesWhatCameOnlyFromIt_andNeedsExactlyOneTarget() {
    createTenant("acme");
    String id =
        ids(cli.run("add", "--tenant", "acme", "--run", "chat-9", "--json", "My PIN is 4312")
                .ok()
                .json())
            .get(0);
    cli.run("add", "--tenant", "acme", "--run", "chat-9", "Call me on Sunday").ok();
    JsonNode got = cli.run("get", "--tenant", "acme", id, "--json").ok().json();
    String message = got.get("provenance").get("message_ids").get(0).asText();
    assertThat(cli.run("get", "--tenant", "acme", id).ok().out()).contains(message);

    JsonNode one = cli.run("erase", "--tenant", "acme", "--message", message, "--json").ok().json();
    assertThat(one.get("messages").asLong()).isEqualTo(1);
    assertThat(one.get("memories").asLong()).isEqualTo(1);
    assertThat(cli.run("get", "--tenant", "acme", id).code()).isEqualTo(MnemoCli.FAILURE);
    JsonNode history = cli.run("history", "--tenant", "acme", id, "--json").ok().json();
    assertThat(history.toString()).doesNotContain("4312");
    assertThat(history.get("provenance").isNull()).isTrue();
    assertThat(cli.run("erase", "--tenant", "acme", "--run", "chat-9").ok().out())
        .contains("erased 1 messages and 1 memories");
    assertThat(cli.run("erase", "--tenant", "acme").code()).isEqualTo(MnemoCli.BAD_INPUT);
    Result bad = cli.run("erase", "--tenant", "acme", "--message", "nope");
    assertThat(bad.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(bad.err()).contains("(field: message_id)");
  }

  @Test
  void get_malformedId_exit2_unknownId_exit1() {
    createTenant("acme");
    Result bad = cli.run("get", "--tenant", "acme", "not-a-uuid");
    assertThat(bad.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(bad.err()).contains("(field: id)");
    Result unknown = cli.run("get", "--tenant", "acme", "0190a8a0-0000-7000-8000-000000000000");
    assertThat(unknown.code()).isEqualTo(MnemoCli.FAILURE);
    assertThat(unknown.err()).contains("not found").doesNotContain("Exception");
  }

  @Test
  void get_textOutput_showsMemory() {
    createTenant("acme");
    String id =
        ids(cli.run("add", "--tenant", "acme", "--agent", "bot", "--json", "Ship on Fridays")
                .ok()
                .json())
            .get(0);
    Result r = cli.run("get", "--tenant", "acme", id).ok();
    assertThat(r.out()).contains("Ship on Fridays").contains("agent=bot");
    JsonNode json = cli.run("get", "--tenant", "acme", id, "--json").ok().json();
    assertThat(json.get("agent_id").asText()).isEqualTo("bot");
  }

  @Test
  void usageErrors_exit2_withoutStackTrace() {
    Result unknownOption = cli.run("search", "--tenant", "acme", "--limt", "3", "q");
    assertThat(unknownOption.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(unknownOption.err())
        .startsWith("error: Unknown option: '--limt'")
        .contains("--limit");
    Result badMode = cli.run("search", "--tenant", "acme", "--mode", "fuzzy", "q");
    assertThat(badMode.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(badMode.err()).contains("hybrid, dense or text");
    Result badEmbedder = cli.run("--embedder", "gpt-9", "tenants", "list");
    assertThat(badEmbedder.code()).isEqualTo(MnemoCli.BAD_INPUT);
    assertThat(badEmbedder.err()).contains("bge-small-en-v1.5-q").contains("(field: embedder)");
    Result noCommand = cli.run();
    assertThat(noCommand.code()).isEqualTo(MnemoCli.BAD_INPUT);
    for (Result r : List.of(unknownOption, badMode, badEmbedder, noCommand)) {
      assertThat(r.err()).doesNotContain("\tat ");
    }
  }

  @Test
  void help_onSubcommand_exit0() {
    Result r = cli.run("search", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("--with-tenant-wide").contains("--filters");
  }

  @Test
  void demo_runsTwice_printsEachCommand() {
    Result first = cli.run("demo").ok();
    assertThat(first.out())
        .contains("$ ./mnemo --data-dir " + dataDir + " tenants create demo")
        .contains(
            "$ ./mnemo --data-dir "
                + dataDir
                + " search --tenant demo --user alice --with-tenant-wide "
                + "'what CRM do we use?'")
        .contains("Our CRM is called Atlas");
    Result second = cli.run("demo").ok();
    assertThat(second.out()).contains("reusing it").doesNotContain("tenants create");
    assertThat(cli.run("list", "--tenant", "demo", "--all", "--json").ok().json().get("results"))
        .hasSize(5);
  }

  private static List<String> ids(JsonNode answer) {
    return CliTestSupport.ids(answer);
  }

  private static List<String> memories(JsonNode answer) {
    return CliTestSupport.memories(answer);
  }
}
