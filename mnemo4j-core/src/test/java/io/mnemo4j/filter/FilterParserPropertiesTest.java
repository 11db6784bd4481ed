package io.mnemo4j.filter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo4j.InvalidRequestException;
import java.util.Map;
import java.util.function.Supplier;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Robustness and round trip of the parser on generated input. jqwik prints each property's seed;
 * rerun one with {@code @Property(seed = "...")}.
 */
class FilterParserPropertiesTest {

  /** Parses, or fails with our 400 error: never another exception, and the error is well formed. */
  static void parsesOrRefuses(Supplier<FilterExpr> parse) {
    try {
      assertThat(parse.get()).isNotNull();
      Statistics.collect("parsed");
    } catch (InvalidRequestException e) {
      Statistics.collect("refused");
      assertThat(e.field()).startsWith("filters");
      assertThat(e.field()).hasSizeLessThan(2_000);
      assertThat(e.getMessage()).isNotBlank().hasSizeLessThan(400);
    }
  }

  @Property(tries = 2000)
  void parse_anyText_parsesOrThrowsInvalidRequest(@ForAll("jsonText") String json) {
    parsesOrRefuses(() -> FilterParser.parse(json));
  }

  @Property(tries = 1000)
  void parse_anyJsonTree_parsesOrThrowsInvalidRequest(@ForAll("jsonTree") JsonNode node) {
    parsesOrRefuses(() -> FilterParser.parse(node));
  }

  @Property(tries = 1000)
  void parse_anyJavaMap_parsesOrThrowsInvalidRequest(@ForAll("javaMap") Map<String, Object> map) {
    parsesOrRefuses(() -> FilterParser.parse(map));
  }

  @Property(tries = 1000)
  void parse_validTreeAsJson_roundTrips(@ForAll("validTree") FilterExpr tree) {
    String json = FilterParser.toJson(tree);
    assertThat(FilterParser.parse(json)).isEqualTo(tree);
    assertThat(FilterParser.toJson(FilterParser.parse(json))).isEqualTo(json);
  }

  @Provide
  Arbitrary<String> jsonText() {
    return FilterArbitraries.jsonText();
  }

  @Provide
  Arbitrary<JsonNode> jsonTree() {
    return FilterArbitraries.jsonish(4, true);
  }

  @Provide
  Arbitrary<Map<String, Object>> javaMap() {
    return FilterArbitraries.javaMap();
  }

  @Provide
  Arbitrary<FilterExpr> validTree() {
    return FilterArbitraries.tree(FilterArbitraries.Vocabulary.wide(), 4);
  }
}
