package io.mnemo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data residency through the CLI and {@code --config}: three regions at once (two PostgreSQL
 * databases, one of them sharded over two more, and one embedded directory). Each tenant's canary
 * text is found in its own region's store, on its own shard, and nowhere else. The databases are
 * created here and dropped after; nothing else on the server is touched.
 */
class RegionsTest {
  static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";

  @TempDir Path dir;
  final Map<String, String> databases = new LinkedHashMap<>();
  Path config;

  @BeforeEach
  void createDatabases() throws IOException {
    for (String role : List.of("eu", "us1", "us2")) {
      String name =
          "mnemo_test_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
      sql("postgres", "CREATE DATABASE " + name);
      databases.put(role, name);
    }
    config = dir.resolve("mnemo.yaml");
    Files.writeString(
        config,
        "catalog: "
            + dir.resolve("catalog.db")
            + "\n"
            + "default_region: local\n"
            + "regions:\n"
            + "  eu:    { store: postgres, url: \""
            + SERVER
            + databases.get("eu")
            + "\", pool_size: 2 }\n"
            + "  us:    { store: postgres, pool_size: 2, shards: [\""
            + SERVER
            + databases.get("us1")
            + "\", \""
            + SERVER
            + databases.get("us2")
            + "\"] }\n"
            + "  local: { store: embedded, path: "
            + dir.resolve("local")
            + " }\n");
  }

  @AfterEach
  void dropDatabases() {
    for (String name : databases.values()) {
      sql("postgres", "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }

  private CliTestSupport.Result mnemo(String... args) {
    List<String> all = new ArrayList<>(List.of("--config", config.toString()));
    all.addAll(List.of(args));
    return CliTestSupport.raw("", all.toArray(String[]::new));
  }

  @Test
  void eachTenantsCanaryLivesOnlyInItsRegionAndShard() throws IOException {
    Map<String, String> regionOf =
        Map.of("t-eu", "eu", "t-us-a", "us", "t-us-b", "us", "t-local", "local");
    Map<String, String> shardOf = new LinkedHashMap<>();
    for (String tenant : List.of("t-eu", "t-us-a", "t-us-b", "t-local")) {
      JsonNode created =
          mnemo("tenants", "create", tenant, "--region", regionOf.get(tenant), "--json")
              .ok()
              .json();
      assertThat(created.get("region").asText()).isEqualTo(regionOf.get(tenant));
      shardOf.put(tenant, created.get("shard").asText());
      mnemo("add", "--tenant", tenant, "--user", "alice", "canary-" + tenant + " was here").ok();
    }
    // Fewest tenants first: the two US tenants land on different shards, in order.
    assertThat(shardOf.get("t-us-a")).isEqualTo("0");
    assertThat(shardOf.get("t-us-b")).isEqualTo("1");

    Map<String, String> contentOf = new LinkedHashMap<>();
    contentOf.put("eu", dump(databases.get("eu")));
    contentOf.put("us/0", dump(databases.get("us1")));
    contentOf.put("us/1", dump(databases.get("us2")));
    contentOf.put("local", files(dir.resolve("local")));
    String catalog = Files.readString(dir.resolve("catalog.db"), StandardCharsets.ISO_8859_1);
    Map<String, String> homeOf =
        Map.of("t-eu", "eu", "t-us-a", "us/0", "t-us-b", "us/1", "t-local", "local");
    for (String tenant : homeOf.keySet()) {
      String canary = "canary-" + tenant;
      for (Map.Entry<String, String> store : contentOf.entrySet()) {
        assertThat(store.getValue().contains(canary))
            .as("%s found in %s", canary, store.getKey())
            .isEqualTo(store.getKey().equals(homeOf.get(tenant)));
      }
      assertThat(catalog).as("the catalog never holds memory text").doesNotContain(canary);
      // Search is routed to the tenant's own store.
      JsonNode hits =
          mnemo("search", "--tenant", tenant, "--user", "alice", "--json", "who was here")
              .ok()
              .json();
      assertThat(hits.get("results").get(0).get("memory").asText()).startsWith(canary);
    }

    JsonNode listed = mnemo("tenants", "list", "--json").ok().json();
    assertThat(listed.get("results")).hasSize(4);
  }

  @Test
  void unknownRegionAndBadStore_areClearErrors() throws IOException {
    CliTestSupport.Result r = mnemo("tenants", "create", "x", "--region", "mars");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("unknown region 'mars'");

    Files.writeString(config, "regions:\n  eu: { store: oracle, url: \"jdbc:x\" }\n");
    CliTestSupport.Result bad = mnemo("tenants", "list");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("config.regions.eu.store");
  }

  /** Every row of every table of every schema of the database, as text. */
  private static String dump(String database) {
    StringBuilder out = new StringBuilder();
    try (Connection c = DriverManager.getConnection(SERVER + database, "postgres", null);
        Statement s = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs =
          s.executeQuery(
              "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name)"
                  + " FROM information_schema.tables"
                  + " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                  + " AND table_type = 'BASE TABLE'")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      for (String t : tables) {
        try (ResultSet rs = s.executeQuery("SELECT x::text FROM " + t + " x")) {
          while (rs.next()) {
            out.append(rs.getString(1)).append('\n');
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }

  /** Every byte of every file under {@code root}, as text. */
  private static String files(Path root) throws IOException {
    if (!Files.exists(root)) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        try {
          out.append(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return out.toString();
  }

  private static void sql(String database, String statement) {
    try (Connection c = DriverManager.getConnection(SERVER + database, "postgres", null);
        Statement s = c.createStatement()) {
      s.execute(statement);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "PostgreSQL on 127.0.0.1:5432 is needed (run scripts/pgvector.sh): " + e.getMessage(), e);
    }
  }
}
