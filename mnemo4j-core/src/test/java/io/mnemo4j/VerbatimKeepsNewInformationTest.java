package io.mnemo4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.mnemo4j.spi.Embedder;
import io.mnemo4j.testing.InMemoryBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Verbatim means verbatim. Regression (issue 9): {@code "My phone number is 555-0100"} then {@code
 * "My phone number is 555-0199"} in one scope gave ADD then NONE with exit 0 and HTTP 200: the new
 * number was silently dropped as a "near duplicate", and so were invoice numbers and one of 300
 * imported lines. A message may now be NONE only when a memory of its scope carries the same
 * information: the same text after normalising case, whitespace and punctuation, or, below a
 * threshold of 1.0, a text that differs in no number, date, amount, name, negation or other content
 * word.
 *
 * <p>The embedder here gives every text the same vector, so every stored memory is nominated as a
 * candidate and only the words decide: the table is about the rule, not about a model's geometry
 * (the CLI's {@code NearDuplicateRealEmbedderTest} runs the real model).
 */
class VerbatimKeepsNewInformationTest {
  @TempDir Path dir;
  Mnemo mnemo;
  final AtomicInteger users = new AtomicInteger();

  /** The event the second text gets. */
  enum Expect {
    /** Stored: it says something new. */
    ADD,
    /** Not stored: the same text up to case, whitespace and punctuation. */
    EXACT,
    /** Not stored below a threshold of 1.0: the same information (articles, contractions...). */
    NEAR
  }

  /** One vector for every text: every memory of the scope is a candidate. */
  static final class SameVector implements Embedder {
    @Override
    public String modelId() {
      return "same-vector";
    }

    @Override
    public int dimension() {
      return 4;
    }

    @Override
    public float[] embed(String text, Purpose purpose) {
      return new float[] {0.5f, 0.5f, 0.5f, 0.5f};
    }

    @Override
    public List<float[]> embedAll(List<String> texts, Purpose purpose) {
      List<float[]> out = new ArrayList<>();
      for (String t : texts) {
        out.add(embed(t, purpose));
      }
      return out;
    }

    @Override
    public void close() {}
  }

  @BeforeEach
  void open() {
    mnemo =
        Mnemo.builder()
            .dataDir(dir)
            .embedder(new SameVector())
            .backend(new InMemoryBackend())
            .expirySweep(Duration.ZERO, Duration.ZERO)
            .build();
  }

  @AfterEach
  void close() {
    mnemo.close();
  }

  static Stream<Arguments> pairs() {
    return Stream.of(
        // numbers
        row("My phone number is 555-0100", "My phone number is 555-0199", Expect.ADD),
        row("Invoice INV-2024-0042 is paid", "Invoice INV-2024-0043 is paid", Expect.ADD),
        row("I have 2 kids", "I have 3 kids", Expect.ADD),
        row("Pi is about 3.14", "Pi is about 314", Expect.ADD),
        row("The budget is 1,000 dollars", "The budget is 1000 dollars", Expect.ADD),
        row("It was -5 degrees outside", "It was 5 degrees outside", Expect.ADD),
        row("Call me at +1 555 0100", "Call me at 1 555 0100", Expect.ADD),
        row("My flight is UA 123", "My flight is UA 132", Expect.ADD),
        row("Order #4521 shipped", "Order #4512 shipped", Expect.ADD),
        row("The room holds 12 people", "the room holds 12 people.", Expect.EXACT),
        // dates and times
        row("My birthday is on May 5", "My birthday is on May 6", Expect.ADD),
        row("The deadline is 2024-03-01", "The deadline is 2024-03-02", Expect.ADD),
        row("We met in 2019", "We met in 2020", Expect.ADD),
        row("The call is at 10:30", "The call is at 11:30", Expect.ADD),
        row("Meet at 5pm", "Meet at 5am", Expect.ADD),
        row("The sprint ends on Friday", "The sprint ends on Monday", Expect.ADD),
        row("My birthday is on May 5", "my birthday is on may 5!", Expect.EXACT),
        // amounts and units
        row("I paid $50 for the tickets", "I paid €50 for the tickets", Expect.ADD),
        row("Rent is 1200 a month", "Rent is 1300 a month", Expect.ADD),
        row("The discount is 15%", "The discount is 15", Expect.ADD),
        row("I ran 5 km today", "I ran 5 miles today", Expect.ADD),
        row("The box weighs 5 kg", "The box weighs 5 lb", Expect.ADD),
        row("Set the oven to 180°C", "Set the oven to 180°F", Expect.ADD),
        row("The box weighs 5kg", "The box weighs 5 kg", Expect.EXACT),
        // names and order
        row("My manager is Alice", "My manager is Alicia", Expect.ADD),
        row("My manager is Jon", "My manager is John", Expect.ADD),
        row("Alice owes Bob money", "Bob owes Alice money", Expect.ADD),
        row("I work at Acme", "I work at Initech", Expect.ADD),
        row("Tea before coffee", "Coffee before tea", Expect.ADD),
        row("Send the report to Bob", "Send the report to Bob and Carol", Expect.ADD),
        row("My manager is Alice", "my manager is alice", Expect.EXACT),
        // negation
        row("I like tea", "I don't like tea", Expect.ADD),
        row("I can eat gluten", "I cannot eat gluten", Expect.ADD),
        row("I will attend", "I won't attend", Expect.ADD),
        row("She is vegetarian", "She is not vegetarian", Expect.ADD),
        row("I never drink coffee", "I always drink coffee", Expect.ADD),
        row("I do not eat meat", "I don't eat meat", Expect.NEAR),
        // other content words
        row("I like green tea", "I really like green tea", Expect.ADD),
        row("I like green tea", "I like black tea", Expect.ADD),
        row("fact number 7 about topic 49", "fact number 49 about topic 343", Expect.ADD),
        // typo-level: a one-letter change may be another word, so both are kept
        row("I love hiking in the mountains", "I love hikking in the mountains", Expect.ADD),
        row("I live in a house", "I live in a horse", Expect.ADD),
        row("I prefer receiving emails", "I prefer recieving emails", Expect.ADD),
        // punctuation, case and whitespace
        row("I like tea, coffee and juice", "I like tea coffee and juice", Expect.EXACT),
        row("Hello!!! I'm Bob", "hello i'm bob", Expect.EXACT),
        row("I  like   tea", "I like tea", Expect.EXACT),
        row("The code is A-17", "The code is A17", Expect.EXACT),
        row("\"We ship on Tuesday.\"", "we ship on tuesday", Expect.EXACT),
        // articles, interjections, contractions
        row("I bought the car", "I bought a car", Expect.NEAR),
        row(
            "Um, I think we should ship on Friday",
            "I think we should ship on Friday",
            Expect.NEAR),
        row("I'm allergic to peanuts", "I am allergic to peanuts", Expect.NEAR),
        row("Please remember that I like tea", "Remember that I like tea", Expect.NEAR));
  }

  static Arguments row(String stored, String incoming, Expect expect) {
    return Arguments.of(stored, incoming, expect);
  }

  @ParameterizedTest(name = "[{index}] {0} | {1} -> {2}")
  @MethodSource("pairs")
  void add_secondText_getsTheExpectedEvent(String stored, String incoming, Expect expect) {
    MemoryEvent second = addBoth(stored, incoming, AddOptions.none());
    switch (expect) {
      case ADD -> assertThat(second.event()).isEqualTo(EventType.ADD);
      case EXACT -> assertThat(second).isInstanceOf(MemoryEvent.Unchanged.class);
      case NEAR -> {
        assertThat(second.event()).isEqualTo(EventType.NONE);
        assertThat(((MemoryEvent.Unchanged) second).reason()).isEqualTo("near_duplicate");
      }
    }
  }

  @ParameterizedTest(name = "[{index}] {0} | {1} -> {2}")
  @MethodSource("pairs")
  void add_thresholdOne_keepsAllButExactDuplicates(String stored, String incoming, Expect expect) {
    MemoryEvent second = addBoth(stored, incoming, AddOptions.none().withNearDuplicateThreshold(1));
    assertThat(second.event()).isEqualTo(expect == Expect.EXACT ? EventType.NONE : EventType.ADD);
  }

  @Test
  void add_threeHundredFormulaicLines_storesEveryOne() {
    TenantMemory acme = mnemo.tenant("acme");
    List<Message> lines = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      lines.add(Message.user("Customer " + (1000 + i) + " ordered item " + (i * 7 % 300)));
    }
    List<MemoryEvent> events = acme.add(lines, Scope.user("importer"));
    assertThat(events).extracting(MemoryEvent::event).containsOnly(EventType.ADD).hasSize(300);
    assertThat(acme.count(Selection.in(Scope.user("importer")))).isEqualTo(300);
  }

  @Test
  void add_duplicateInAnotherScope_isStored() {
    TenantMemory acme = mnemo.tenant("acme");
    acme.add(List.of(Message.user("I like tea")), Scope.user("alice"));
    assertThat(acme.add(List.of(Message.user("I like tea")), Scope.user("bob")))
        .extracting(MemoryEvent::event)
        .containsExactly(EventType.ADD);
  }

  private MemoryEvent addBoth(String stored, String incoming, AddOptions options) {
    TenantMemory acme = mnemo.tenant("acme");
    Scope scope = Scope.user("u" + users.incrementAndGet());
    assertThat(acme.add(List.of(Message.user(stored)), scope, options))
        .extracting(MemoryEvent::event)
        .containsExactly(EventType.ADD);
    List<MemoryEvent> events = acme.add(List.of(Message.user(incoming)), scope, options);
    assertThat(events).hasSize(1);
    return events.get(0);
  }
}
