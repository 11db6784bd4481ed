package io.mnemo4j.filter;

import static io.mnemo4j.filter.TestMemories.alice;
import static io.mnemo4j.filter.TestMemories.bare;
import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.Memory;
import io.mnemo4j.filter.FilterExpr.Compare;
import io.mnemo4j.filter.FilterExpr.Field;
import io.mnemo4j.filter.FilterExpr.Op;
import io.mnemo4j.filter.FilterExpr.Value;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reference semantics, one rule at a time, on hand-made memories. */
class FilterEvaluatorTest {
  private static final Memory ALICE =
      alice(
          Map.of(
              "source",
              "Email",
              "n",
              1,
              "x",
              2.5,
              "flag",
              true,
              "tags",
              List.of("red", "Green", 7),
              "nested",
              Map.of("a", 1)));
  private static final Memory BARE = bare();

  static boolean matches(String singleQuoted, Memory memory) {
    return FilterEvaluator.matches(FilterParserTest.parse(singleQuoted), memory);
  }

  @Test
  void matches_all_isTrue() {
    assertThat(matches("{}", ALICE)).isTrue();
    assertThat(matches("{}", BARE)).isTrue();
  }

  @Test
  void matches_scopeIds_compareExactly() {
    assertThat(matches("{'user_id':'alice'}", ALICE)).isTrue();
    assertThat(matches("{'user_id':'Alice'}", ALICE)).isFalse();
    assertThat(matches("{'agent_id':'bot'}", ALICE)).isTrue();
    assertThat(matches("{'run_id':'run-1'}", ALICE)).isTrue();
    assertThat(matches("{'user_id':'alice'}", BARE)).isFalse();
  }

  @Test
  void matches_neAndNinOnMissingField_match() {
    assertThat(matches("{'user_id':{'ne':'alice'}}", BARE)).isTrue();
    assertThat(matches("{'user_id':{'nin':['alice']}}", BARE)).isTrue();
    assertThat(matches("{'metadata.absent':{'ne':1}}", ALICE)).isTrue();
    assertThat(matches("{'user_id':{'ne':'alice'}}", ALICE)).isFalse();
    assertThat(matches("{'user_id':{'nin':['bob','alice']}}", ALICE)).isFalse();
  }

  @Test
  void matches_present_followsEachFieldsRule() {
    assertThat(
            matches(
                "{'AND':[{'user_id':'*'},{'agent_id':'*'},{'run_id':'*'},{'role':'*'},{'actor':'*'},"
                    + "{'categories':'*'},{'created_at':'*'},{'metadata.nested':'*'}]}",
                ALICE))
        .isTrue();
    for (String field :
        List.of(
            "user_id", "agent_id", "run_id", "role", "actor", "categories", "metadata.source")) {
      assertThat(matches("{'" + field + "':'*'}", BARE)).as(field).isFalse();
    }
    assertThat(matches("{'created_at':'*'}", BARE)).isTrue();
  }

  @Test
  void matches_presentOnEmptyMetadataList_isTrue() {
    Memory m = alice(Map.of("empty", List.of()));
    assertThat(matches("{'metadata.empty':'*'}", m)).isTrue();
    assertThat(matches("{'metadata.empty':{'ne':1}}", m)).isTrue();
  }

  @Test
  void matches_categories_matchAnyElement() {
    assertThat(matches("{'categories':'travel'}", ALICE)).isTrue();
    assertThat(matches("{'categories':{'in':['work','food']}}", ALICE)).isTrue();
    assertThat(matches("{'categories':{'contains':'ave'}}", ALICE)).isTrue();
    assertThat(matches("{'categories':{'ne':'travel'}}", ALICE)).isFalse();
    assertThat(matches("{'categories':{'nin':['work']}}", ALICE)).isTrue();
    assertThat(matches("{'categories':'fo'}", ALICE)).isFalse();
  }

  @Test
  void matches_metadataArray_matchesAnyElement() {
    assertThat(matches("{'metadata.tags':'red'}", ALICE)).isTrue();
    assertThat(matches("{'metadata.tags':7}", ALICE)).isTrue();
    assertThat(matches("{'metadata.tags':{'in':['blue',7.0]}}", ALICE)).isTrue();
    assertThat(matches("{'metadata.tags':{'icontains':'GREE'}}", ALICE)).isTrue();
    assertThat(matches("{'metadata.tags':{'contains':'gree'}}", ALICE)).isFalse();
    assertThat(matches("{'metadata.tags':{'gt':6}}", ALICE)).isTrue();
    assertThat(matches("{'metadata.tags':{'gt':7}}", ALICE)).isFalse();
  }

  @Test
  void matches_numbers_compareAcrossLongAndDouble() {
    assertThat(matches("{'metadata.n':1}", ALICE)).isTrue();
    assertThat(matches("{'metadata.n':1.0}", ALICE)).isTrue();
    assertThat(matches("{'metadata.x':2.5}", ALICE)).isTrue();
    assertThat(matches("{'metadata.n':{'gte':1,'lt':2}}", ALICE)).isTrue();
    assertThat(matches("{'metadata.x':{'gt':2.4,'lte':2.5}}", ALICE)).isTrue();
    assertThat(matches("{'metadata.x':{'lt':2.5}}", ALICE)).isFalse();
    assertThat(matches("{'metadata.n':'1'}", ALICE)).isFalse();
  }

  @Test
  void matches_eqNumberOne_matchesLongAndDouble() {
    FilterExpr one = new Compare(Field.metadata("v"), Op.EQ, new Value.Number(1));
    assertThat(FilterEvaluator.matches(one, alice(Map.of("v", 1L)))).isTrue();
    assertThat(FilterEvaluator.matches(one, alice(Map.of("v", 1.0)))).isTrue();
    assertThat(FilterEvaluator.matches(one, alice(Map.of("v", "1")))).isFalse();
    assertThat(FilterEvaluator.matches(one, alice(Map.of("v", true)))).isFalse();
  }

  @Test
  void matches_booleans_matchOnlyBooleans() {
    assertThat(matches("{'metadata.flag':true}", ALICE)).isTrue();
    assertThat(matches("{'metadata.flag':false}", ALICE)).isFalse();
    assertThat(matches("{'metadata.flag':'true'}", ALICE)).isFalse();
    assertThat(matches("{'metadata.flag':{'ne':false}}", ALICE)).isTrue();
    assertThat(matches("{'metadata.n':true}", ALICE)).isFalse();
  }

  @Test
  void matches_orderAcrossTypes_neverMatches() {
    FilterExpr textOrder = new Compare(Field.metadata("n"), Op.LT, new Value.Text("z"));
    FilterExpr boolOrder = new Compare(Field.metadata("flag"), Op.GTE, new Value.Bool(true));
    FilterExpr numberOnTime =
        new Compare(Field.of(FilterExpr.Kind.CREATED_AT), Op.GT, new Value.Number(0));
    assertThat(FilterEvaluator.matches(textOrder, ALICE)).isFalse();
    assertThat(FilterEvaluator.matches(boolOrder, ALICE)).isFalse();
    assertThat(FilterEvaluator.matches(numberOnTime, ALICE)).isFalse();
    assertThat(matches("{'metadata.source':{'gt':0}}", ALICE)).isFalse();
  }

  @Test
  void matches_textOrder_usesCompareTo() {
    FilterExpr gt = new Compare(Field.metadata("source"), Op.GT, new Value.Text("E"));
    FilterExpr lt = new Compare(Field.metadata("source"), Op.LT, new Value.Text("e"));
    assertThat(FilterEvaluator.matches(gt, ALICE)).isTrue();
    assertThat(FilterEvaluator.matches(lt, ALICE)).isTrue();
  }

  @Test
  void matches_contains_isSubstringAndIcontainsIgnoresCase() {
    assertThat(matches("{'metadata.source':{'contains':'mai'}}", ALICE)).isTrue();
    assertThat(matches("{'metadata.source':{'contains':'EMAIL'}}", ALICE)).isFalse();
    assertThat(matches("{'metadata.source':{'icontains':'EMAIL'}}", ALICE)).isTrue();
    assertThat(matches("{'actor':{'icontains':'lic'}}", ALICE)).isTrue();
    assertThat(matches("{'metadata.n':{'contains':'1'}}", ALICE)).isFalse();
    assertThat(matches("{'metadata.source':{'contains':''}}", ALICE)).isTrue();
    assertThat(matches("{'metadata.absent':{'contains':''}}", ALICE)).isFalse();
  }

  @Test
  void matches_nestedMetadataObject_matchesOnlyPresent() {
    assertThat(matches("{'metadata.nested':'*'}", ALICE)).isTrue();
    assertThat(matches("{'metadata.nested':{'eq':'a'}}", ALICE)).isFalse();
  }

  @Test
  void matches_role_comparesWireName() {
    assertThat(matches("{'role':'user'}", ALICE)).isTrue();
    assertThat(matches("{'role':{'in':['assistant','tool']}}", ALICE)).isFalse();
    assertThat(matches("{'role':{'ne':'user'}}", BARE)).isTrue();
  }

  @Test
  void matches_times_compareInstants() {
    assertThat(matches("{'created_at':{'gte':'2024-01-31'}}", ALICE)).isTrue();
    assertThat(matches("{'created_at':{'gt':'2024-01-31T10:00:00Z'}}", ALICE)).isFalse();
    assertThat(matches("{'created_at':{'gte':'2024-01-31T11:00:00+01:00'}}", ALICE)).isTrue();
    assertThat(matches("{'created_at':'2024-01-31T10:00:00Z'}", ALICE)).isTrue();
    assertThat(matches("{'updated_at':{'lt':'2024-02-15T08:30:00.001Z'}}", ALICE)).isTrue();
    assertThat(matches("{'updated_at':{'lte':'2024-02-15'}}", ALICE)).isFalse();
  }

  @Test
  void matches_logicalOperators_combine() {
    assertThat(matches("{'AND':[{'user_id':'alice'},{'categories':'food'}]}", ALICE)).isTrue();
    assertThat(matches("{'AND':[{'user_id':'alice'},{'categories':'work'}]}", ALICE)).isFalse();
    assertThat(matches("{'OR':[{'user_id':'bob'},{'categories':'food'}]}", ALICE)).isTrue();
    assertThat(matches("{'NOT':{'categories':{'in':['spam']}}}", ALICE)).isTrue();
    assertThat(matches("{'NOT':[{'user_id':'alice'},{'categories':'work'}]}", ALICE)).isTrue();
    assertThat(matches("{'NOT':[{'user_id':'alice'},{'categories':'food'}]}", ALICE)).isFalse();
    assertThat(matches("{'NOT':{}}", ALICE)).isFalse();
  }
}
