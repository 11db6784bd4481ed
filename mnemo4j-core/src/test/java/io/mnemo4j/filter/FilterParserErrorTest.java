package io.mnemo4j.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo4j.InvalidRequestException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every class of refusal, with the exact path in {@code field()} and the words the message must
 * hold.
 */
class FilterParserErrorTest {

  static InvalidRequestException fail(Supplier<?> parse) {
    InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class, parse::get);
    assertThat(e).as("expected InvalidRequestException").isNotNull();
    return e;
  }

  static InvalidRequestException fail(String singleQuoted) {
    return fail(() -> FilterParser.parse(singleQuoted.replace('\'', '"')));
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        // malformed JSON and wrong shapes
        arguments("{", "filters", "not valid JSON"),
        arguments("{'user_id':'u1'} {}", "filters", "not valid JSON"),
        arguments("{'user_id':'u1','user_id':'u2'}", "filters", "not valid JSON"),
        arguments("", "filters", "empty"),
        arguments("[]", "filters", "must be a JSON object"),
        arguments("'user_id'", "filters", "must be a JSON object"),
        // unknown keys
        arguments("{'foo':1}", "filters.foo", "unknown field 'foo'; use metadata.foo for metadata"),
        arguments("{'and':[{}]}", "filters.and", "logical operators are spelled AND, OR, NOT"),
        arguments("{'$or':[{}]}", "filters.$or", "spelled AND, OR, NOT"),
        arguments("{'Not':{}}", "filters.Not", "spelled AND, OR, NOT"),
        arguments("{'app_id':'a'}", "filters.app_id", "unsupported field 'app_id'"),
        arguments(
            "{'keywords':{'icontains':'x'}}", "filters.keywords", "unsupported field 'keywords'"),
        arguments("{'timestamp':{'gt':1}}", "filters.timestamp", "use created_at or updated_at"),
        arguments("{'memory_ids':['m1']}", "filters.memory_ids", "unsupported field 'memory_ids'"),
        arguments(
            "{'AND':[{'user_id':'u'},{'USER_ID':'u'}]}",
            "filters.AND[1].USER_ID",
            "unknown field 'USER_ID'"),
        // logical operators
        arguments("{'AND':[]}", "filters.AND", "non-empty array"),
        arguments("{'OR':{}}", "filters.OR", "non-empty array"),
        arguments(
            "{'AND':[{'user_id':'u'}, 3]}",
            "filters.AND[1]",
            "must be a JSON object, got a number"),
        arguments("{'AND':[null]}", "filters.AND[0]", "got null"),
        arguments("{'NOT':[]}", "filters.NOT", "NOT needs"),
        arguments("{'NOT':'x'}", "filters.NOT", "NOT needs"),
        arguments("{'NOT':[{'foo':1}]}", "filters.NOT[0].foo", "unknown field"),
        arguments("{'NOT':{'foo':1}}", "filters.NOT.foo", "unknown field"),
        // operators
        arguments(
            "{'user_id':{'foo':1}}", "filters.user_id.foo", "unknown operator 'foo' on user_id"),
        arguments("{'user_id':{'$eq':'u'}}", "filters.user_id.$eq", "without '$'"),
        arguments("{'user_id':{'EQ':'u'}}", "filters.user_id.EQ", "lower case"),
        arguments(
            "{'metadata':{'a':{'b':1}}}", "filters.metadata.a.b", "only top-level metadata keys"),
        arguments("{'user_id':{}}", "filters.user_id", "at least one operator"),
        arguments(
            "{'user_id':{'gt':'u'}}",
            "filters.user_id.gt",
            "operator 'gt' is not supported on user_id"),
        arguments(
            "{'categories':{'lte':'a'}}", "filters.categories.lte", "not supported on categories"),
        arguments(
            "{'metadata.n':{'gt':'a'}}", "filters.metadata.n.gt", "needs a number, got a string"),
        arguments(
            "{'metadata.n':{'gt':true}}", "filters.metadata.n.gt", "needs a number, got a boolean"),
        arguments(
            "{'created_at':{'contains':'2024'}}",
            "filters.created_at.contains",
            "not supported on created_at"),
        arguments("{'role':{'icontains':'us'}}", "filters.role.icontains", "not supported on role"),
        arguments(
            "{'actor':{'contains':1}}", "filters.actor.contains", "takes a string, got a number"),
        // in / nin
        arguments("{'user_id':{'in':[]}}", "filters.user_id.in", "non-empty array"),
        arguments("{'user_id':{'nin':'u'}}", "filters.user_id.nin", "non-empty array"),
        arguments(
            "{'user_id':{'in':['u',1]}}",
            "filters.user_id.in[1]",
            "user_id takes a string, got a number"),
        arguments("{'metadata.k':{'in':['u',[1]]}}", "filters.metadata.k.in[1]", "got an array"),
        arguments("{'metadata.k':{'in':[{'a':1}]}}", "filters.metadata.k.in[0]", "got an object"),
        arguments("{'role':{'in':['user','boss']}}", "filters.role.in[1]", "role must be one of"),
        // values and types
        arguments("{'user_id':null}", "filters.user_id", "takes a string, got null"),
        arguments("{'metadata.k':null}", "filters.metadata.k", "got null"),
        arguments("{'user_id':{'eq':null}}", "filters.user_id.eq", "got null"),
        arguments("{'user_id':['u1','u2']}", "filters.user_id", "use {\"in\": [...]}"),
        arguments("{'user_id':7}", "filters.user_id", "user_id takes a string, got a number"),
        arguments("{'categories':true}", "filters.categories", "takes a string, got a boolean"),
        arguments(
            "{'role':'boss'}", "filters.role", "role must be one of user, assistant, system, tool"),
        arguments("{'role':'USER'}", "filters.role", "role must be one of"),
        arguments(
            "{'created_at':{'gte':1700000000}}",
            "filters.created_at.gte",
            "created_at takes a string"),
        arguments(
            "{'AND':[{}, {'created_at':{'gte':'yesterday'}}]}",
            "filters.AND[1].created_at.gte",
            "ISO-8601 date"),
        arguments(
            "{'updated_at':'2024-01-31T10:00:00'}", "filters.updated_at", "date-time with offset"),
        arguments("{'created_at':'2024-02-30'}", "filters.created_at", "ISO-8601"),
        arguments("{'metadata.n':1e400}", "filters.metadata.n", "finite"),
        // metadata keys
        arguments("{'metadata':'x'}", "filters.metadata", "object of metadata key to condition"),
        arguments("{'metadata':{}}", "filters.metadata", "object of metadata key to condition"),
        arguments("{'metadata.':1}", "filters.metadata.", "must not be empty"),
        arguments("{'metadata':{'':1}}", "filters.metadata.", "must not be empty"),
        arguments(
            "{'metadata.user_id':'u1'}", "filters.metadata.user_id", "filter on user_id itself"),
        arguments(
            "{'metadata':{'tenant_id':'t'}}", "filters.metadata.tenant_id", "names an identity"),
        arguments("{'metadata.k':{'in':['a', null]}}", "filters.metadata.k.in[1]", "got null"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("invalid")
  void parse_invalid_failsWithPathAndReason(String json, String field, String reason) {
    InvalidRequestException e = fail(json);
    assertThat(e.field()).isEqualTo(field);
    assertThat(e.getMessage()).contains(reason);
  }

  @Test
  void parse_unknownOperator_failsNamingIt() {
    InvalidRequestException e =
        fail("{'AND':[{'user_id':'u'},{'created_at':{'after':'2024-01-01'}}]}");
    assertThat(e.field()).isEqualTo("filters.AND[1].created_at.after");
    assertThat(e.getMessage()).startsWith("unknown operator 'after' on created_at");
  }

  @Test
  void parse_tooDeep_fails() {
    String deep =
        "{'AND':[".repeat(FilterParser.MAX_DEPTH) + "{}" + "]}".repeat(FilterParser.MAX_DEPTH);
    InvalidRequestException e = fail(deep);
    assertThat(e.field()).isEqualTo("filters" + ".AND[0]".repeat(FilterParser.MAX_DEPTH));
    assertThat(e.getMessage()).contains("nested deeper than 16 levels");
  }

  @Test
  void parse_tooDeepNot_fails() {
    String deep =
        "{'NOT':".repeat(FilterParser.MAX_DEPTH) + "{}" + "}".repeat(FilterParser.MAX_DEPTH);
    assertThat(fail(deep).field()).isEqualTo("filters" + ".NOT".repeat(FilterParser.MAX_DEPTH));
  }

  @Test
  void parse_rawJsonNestedFarTooDeep_failsAsJson() {
    InvalidRequestException e = fail("[".repeat(100_000) + "]".repeat(100_000));
    assertThat(e.field()).isEqualTo("filters");
  }

  @Test
  void parse_tooManyNodes_fails() {
    String nodes = "{'user_id':'u'},".repeat(FilterParser.MAX_NODES - 1) + "{'user_id':'u'}";
    InvalidRequestException e = fail("{'OR':[" + nodes + "]}");
    assertThat(e.field()).isEqualTo("filters.OR");
    assertThat(e.getMessage()).contains("more than 256");
  }

  @Test
  void parse_tooManyInValues_fails() {
    String values = "'v',".repeat(FilterParser.MAX_IN_VALUES) + "'v'";
    InvalidRequestException e = fail("{'user_id':{'nin':[" + values + "]}}");
    assertThat(e.field()).isEqualTo("filters.user_id.nin");
    assertThat(e.getMessage()).contains("at most 1000 values");
  }

  @Test
  void parse_stringTooLong_failsWithoutEchoingIt() {
    String longest = "x".repeat(FilterParser.MAX_STRING_LENGTH + 1);
    InvalidRequestException e = fail("{'categories':{'in':['a','" + longest + "']}}");
    assertThat(e.field()).isEqualTo("filters.categories.in[1]");
    assertThat(e.getMessage()).contains("longer than 1024").doesNotContain("xxxxxxxxxx");
  }

  @Test
  void parse_jsonTooLarge_fails() {
    String big = "{'actor':'" + " ".repeat(FilterParser.MAX_JSON_BYTES) + "'}";
    InvalidRequestException e = fail(big);
    assertThat(e.field()).isEqualTo("filters");
    assertThat(e.getMessage()).contains("larger than 65536 bytes");
    // multi-byte characters count as their UTF-8 size
    InvalidRequestException wide =
        fail("{'actor':'" + "\u00e9".repeat(FilterParser.MAX_JSON_BYTES / 2) + "'}");
    assertThat(wide.getMessage()).contains("larger than");
  }

  @Test
  void parse_longUnknownKey_isTruncatedInPathAndMessage() {
    String key = "k".repeat(500) + "\n";
    InvalidRequestException e = fail("{'" + key.replace("\n", "\\n") + "':1}");
    assertThat(e.field()).isEqualTo("filters." + "k".repeat(40) + "...");
    assertThat(e.getMessage()).hasSizeLessThan(300).doesNotContain("k".repeat(41));
  }

  @Test
  void parse_controlCharacterInKey_isNotEchoed() {
    InvalidRequestException e = fail("{'a\\u0000b':1}");
    assertThat(e.field()).isEqualTo("filters.a?b");
    assertThat(e.getMessage()).doesNotContain("\u0000");
  }

  @Test
  void parse_javaMapWithUnsupportedValue_failsWithPath() {
    InvalidRequestException e =
        fail(() -> FilterParser.parse(Map.of("OR", List.of(Map.of("actor", new Object())))));
    assertThat(e.field()).isEqualTo("filters.OR[0].actor");
    assertThat(e.getMessage()).contains("unsupported Java value of type Object");
  }

  @Test
  void parse_javaMapWithNonStringKey_fails() {
    Map<Object, Object> inner = new HashMap<>();
    inner.put(1, "x");
    InvalidRequestException e = fail(() -> FilterParser.parse(Map.of("metadata", inner)));
    assertThat(e.field()).isEqualTo("filters.metadata");
  }

  @Test
  void parse_javaMapWithNullValue_failsLikeJsonNull() {
    Map<String, Object> map = new HashMap<>();
    map.put("user_id", null);
    assertThat(fail(() -> FilterParser.parse(map)).field()).isEqualTo("filters.user_id");
  }

  @Test
  void parse_javaMapContainingItself_fails() {
    Map<String, Object> map = new HashMap<>();
    List<Object> list = new ArrayList<>();
    list.add(map);
    map.put("AND", list);
    assertThat(fail(() -> FilterParser.parse(map)).field()).startsWith("filters.AND[0].AND[0]");
  }

  @Test
  void parse_javaMapWithNaN_fails() {
    assertThat(fail(() -> FilterParser.parse(Map.of("metadata.n", Double.NaN))).getMessage())
        .contains("finite");
  }

  @Test
  void parse_cyclicJsonNode_fails() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.set("NOT", node);
    assertThat(fail(() -> FilterParser.parse(node)).getMessage()).contains("nested deeper");
  }

  @Test
  void parse_pojoNode_fails() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.putPOJO("actor", new Object());
    assertThat(fail(() -> FilterParser.parse(node)).getMessage())
        .contains("got an unsupported value");
  }
}
