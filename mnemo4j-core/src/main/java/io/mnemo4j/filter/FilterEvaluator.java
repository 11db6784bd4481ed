package io.mnemo4j.filter;

import io.mnemo4j.Memory;
import io.mnemo4j.filter.FilterExpr.All;
import io.mnemo4j.filter.FilterExpr.And;
import io.mnemo4j.filter.FilterExpr.Compare;
import io.mnemo4j.filter.FilterExpr.Contains;
import io.mnemo4j.filter.FilterExpr.Field;
import io.mnemo4j.filter.FilterExpr.In;
import io.mnemo4j.filter.FilterExpr.Not;
import io.mnemo4j.filter.FilterExpr.Or;
import io.mnemo4j.filter.FilterExpr.Present;
import io.mnemo4j.filter.FilterExpr.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * Decides in memory whether a memory matches a filter: the reference semantics every storage
 * backend is tested against. Stateless and thread-safe.
 *
 * <p>A field has a list of values: none when missing, one for a scalar, the elements for categories
 * and a metadata array. {@code eq}, {@code in}, {@code contains} and the order operators match when
 * any value does; {@code ne}, {@code nin} and {@link Not} are plain negations, so a missing field
 * matches them. Equality and order hold only between values of one type: text with String (order by
 * {@link String#compareTo}), numbers with metadata Long or Double (compared as doubles, so {@code
 * 1} equals {@code 1L} and {@code 1.0}), booleans with Boolean (equality only), times with {@code
 * created_at}/{@code updated_at}. {@code icontains} compares after {@code toLowerCase(Locale.ROOT)}
 * of both sides. {@link Present} means a scope id, role or actor is set, categories are non-empty,
 * or the metadata key exists. Role is compared by its wire name ({@code user}...).
 */
public final class FilterEvaluator {
  private FilterEvaluator() {}

  /** Whether {@code memory} matches {@code filter}. */
  public static boolean matches(FilterExpr filter, Memory memory) {
    return switch (filter) {
      case All all -> true;
      case And and -> and.operands().stream().allMatch(o -> matches(o, memory));
      case Or or -> or.operands().stream().anyMatch(o -> matches(o, memory));
      case Not not -> !matches(not.operand(), memory);
      case Present p -> present(p.field(), memory);
      case Compare c ->
          switch (c.op()) {
            case EQ -> anyEqual(values(c.field(), memory), c.value());
            case NE -> !anyEqual(values(c.field(), memory), c.value());
            case GT -> anyOrder(values(c.field(), memory), c.value(), cmp -> cmp > 0);
            case GTE -> anyOrder(values(c.field(), memory), c.value(), cmp -> cmp >= 0);
            case LT -> anyOrder(values(c.field(), memory), c.value(), cmp -> cmp < 0);
            case LTE -> anyOrder(values(c.field(), memory), c.value(), cmp -> cmp <= 0);
          };
      case In in ->
          in.values().stream().anyMatch(v -> anyEqual(values(in.field(), memory), v))
              != in.negated();
      case Contains c ->
          values(c.field(), memory).stream()
              .anyMatch(v -> v instanceof String s && contains(s, c.text(), c.ignoreCase()));
    };
  }

  private static boolean present(Field field, Memory memory) {
    return switch (field.kind()) {
      case CATEGORIES -> !memory.categories().isEmpty();
      case METADATA -> memory.metadata().containsKey(field.key());
      default -> !values(field, memory).isEmpty();
    };
  }

  /** The field's values: empty when missing, the elements of a list. */
  private static List<Object> values(Field field, Memory memory) {
    return switch (field.kind()) {
      case USER_ID -> optional(memory.scope().userId());
      case AGENT_ID -> optional(memory.scope().agentId());
      case RUN_ID -> optional(memory.scope().runId());
      case CREATED_AT -> List.of(memory.createdAt());
      case UPDATED_AT -> List.of(memory.updatedAt());
      case VALID_FROM -> optional(memory.validFrom());
      case VALID_TO -> optional(memory.validTo());
      case EXPIRES_AT -> optional(memory.expiresAt());
      case MEMORY_TYPE -> List.of(memory.type().wireName());
      case CATEGORIES -> new ArrayList<>(memory.categories());
      case ROLE ->
          memory.roleIfKnown().<List<Object>>map(r -> List.of(r.wireName())).orElse(List.of());
      case ACTOR -> optional(memory.actor());
      case METADATA -> {
        Object value = memory.metadata().get(field.key());
        yield value instanceof List<?> list ? new ArrayList<>(list) : optional(value);
      }
    };
  }

  private static List<Object> optional(@Nullable Object value) {
    return Optional.ofNullable(value).<List<Object>>map(List::of).orElse(List.of());
  }

  private static boolean anyEqual(List<Object> actual, Value expected) {
    return actual.stream().anyMatch(a -> equal(a, expected));
  }

  private static boolean equal(Object actual, Value expected) {
    return switch (expected) {
      case Value.Text t -> actual instanceof String s && s.equals(t.value());
      case Value.Number n -> actual instanceof Number x && x.doubleValue() == n.value();
      case Value.Bool b -> actual instanceof Boolean x && x == b.value();
      case Value.Time t -> actual instanceof Instant i && i.equals(t.value());
    };
  }

  private interface Test {
    boolean holds(int comparison);
  }

  private static boolean anyOrder(List<Object> actual, Value bound, Test test) {
    return actual.stream()
        .anyMatch(
            a -> {
              OptionalInt cmp = order(a, bound);
              return cmp.isPresent() && test.holds(cmp.getAsInt());
            });
  }

  /** The sign of {@code actual - bound}, or empty when the two are not of one ordered type. */
  private static OptionalInt order(Object actual, Value bound) {
    return switch (bound) {
      case Value.Text t ->
          actual instanceof String s ? OptionalInt.of(s.compareTo(t.value())) : OptionalInt.empty();
      case Value.Number n ->
          actual instanceof Number x ? compare(x.doubleValue(), n.value()) : OptionalInt.empty();
      case Value.Time t ->
          actual instanceof Instant i
              ? OptionalInt.of(i.compareTo(t.value()))
              : OptionalInt.empty();
      case Value.Bool b -> OptionalInt.empty();
    };
  }

  /** Compares doubles as numbers: {@code -0.0 == 0.0}, NaN compares with nothing. */
  private static OptionalInt compare(double a, double b) {
    if (a < b) {
      return OptionalInt.of(-1);
    }
    if (a > b) {
      return OptionalInt.of(1);
    }
    return a == b ? OptionalInt.of(0) : OptionalInt.empty();
  }

  private static boolean contains(String actual, String text, boolean ignoreCase) {
    return ignoreCase
        ? actual.toLowerCase(Locale.ROOT).contains(text.toLowerCase(Locale.ROOT))
        : actual.contains(text);
  }
}
