package io.mnemo4j.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code mnemo.*} configuration metadata the build generates (what IDEs complete and document)
 * against the recorded contract in {@code mnemo-properties.json}: every property's name, type,
 * description and default, the group names and the value hints. A renamed property breaks every
 * application that sets it, so a change here must be deliberate: update the recorded file in the
 * same commit. Which Java classes hold the settings ({@code sourceType}) is not part of the
 * contract.
 */
class ConfigurationMetadataTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String GENERATED = "META-INF/spring-configuration-metadata.json";
  private static final String RECORDED = "mnemo-properties.json";

  @Test
  void generatedMetadata_matchesTheRecordedPropertyContract() throws IOException {
    JsonNode recorded;
    try (InputStream in = ConfigurationMetadataTest.class.getResourceAsStream(RECORDED)) {
      assertThat(in).as(RECORDED + " on the test class path").isNotNull();
      recorded = JSON.readTree(in);
    }
    assertThat(ours()).isEqualTo(recorded);
  }

  /** Our entries of every metadata file on the class path, in the recorded file's projection. */
  private static JsonNode ours() throws IOException {
    List<String> groups = new ArrayList<>();
    List<JsonNode> properties = new ArrayList<>();
    List<JsonNode> hints = new ArrayList<>();
    Enumeration<URL> files =
        ConfigurationMetadataTest.class.getClassLoader().getResources(GENERATED);
    while (files.hasMoreElements()) {
      JsonNode file;
      try (InputStream in = files.nextElement().openStream()) {
        file = JSON.readTree(in);
      }
      for (JsonNode g : file.path("groups")) {
        if (isOurs(g)) {
          groups.add(g.path("name").asText());
        }
      }
      for (JsonNode p : file.path("properties")) {
        if (isOurs(p)) {
          ObjectNode kept = JsonNodeFactory.instance.objectNode();
          for (String field :
              List.of("name", "type", "description", "defaultValue", "deprecation")) {
            if (p.has(field)) {
              kept.set(field, p.get(field));
            }
          }
          properties.add(kept);
        }
      }
      for (JsonNode h : file.path("hints")) {
        if (isOurs(h)) {
          hints.add(h);
        }
      }
    }
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ArrayNode g = root.putArray("groups");
    groups.stream().sorted().forEach(g::add);
    ArrayNode p = root.putArray("properties");
    properties.stream().sorted(Comparator.comparing(n -> n.path("name").asText())).forEach(p::add);
    ArrayNode h = root.putArray("hints");
    hints.stream().sorted(Comparator.comparing(n -> n.path("name").asText())).forEach(h::add);
    return root;
  }

  // mnemo.* and management.health.mnemo.enabled; nothing of Spring's own metadata files.
  private static boolean isOurs(JsonNode entry) {
    String name = entry.path("name").asText();
    return name.equals("mnemo") || name.startsWith("mnemo.") || name.contains(".mnemo.");
  }
}
