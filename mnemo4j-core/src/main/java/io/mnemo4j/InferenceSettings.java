package io.mnemo4j;

import io.mnemo4j.llm.LanguageModel;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How one tenant's adds use a language model. Immutable.
 *
 * @param model the model, or null to store verbatim
 * @param mode consolidate (default) or additive
 * @param instructions the tenant's standing instructions to the model (what to remember, what never
 *     to store); empty for none
 * @param categories the tenant's category vocabulary the model assigns from; empty lets the model
 *     assign none
 * @param maxFacts the most facts one add takes from the model's answer (default {@value
 *     #DEFAULT_MAX_FACTS}); the rest are dropped and the result says so
 * @param maxFactChars the longest fact kept, in characters (default {@value
 *     #DEFAULT_MAX_FACT_CHARS}); longer ones are shortened and the result says so
 */
public record InferenceSettings(
    @Nullable LanguageModel model,
    InferenceMode mode,
    String instructions,
    List<String> categories,
    int maxFacts,
    int maxFactChars) {

  /** Default of {@link #maxFacts}: far more than a chat turn yields. */
  public static final int DEFAULT_MAX_FACTS = 50;

  /** Default of {@link #maxFactChars}: a fact is a sentence or two, never a page. */
  public static final int DEFAULT_MAX_FACT_CHARS = 1000;

  /** Copies the categories and checks the limits. */
  public InferenceSettings {
    java.util.Objects.requireNonNull(mode, "mode");
    java.util.Objects.requireNonNull(instructions, "instructions");
    categories = List.copyOf(categories);
    if (maxFacts < 1 || maxFacts > 1000) {
      throw new InvalidRequestException(
          "max_facts", "max_facts must be 1 to 1000, got " + maxFacts);
    }
    if (maxFactChars < 20 || maxFactChars > Message.MAX_CONTENT_LENGTH) {
      throw new InvalidRequestException(
          "max_fact_chars",
          "max_fact_chars must be 20 to " + Message.MAX_CONTENT_LENGTH + ", got " + maxFactChars);
    }
  }

  /** Settings with the default limits. */
  public InferenceSettings(
      @Nullable LanguageModel model,
      InferenceMode mode,
      String instructions,
      List<String> categories) {
    this(model, mode, instructions, categories, DEFAULT_MAX_FACTS, DEFAULT_MAX_FACT_CHARS);
  }

  /** No model: every add stores messages verbatim. */
  public static InferenceSettings none() {
    return new InferenceSettings(null, InferenceMode.CONSOLIDATE, "", List.of());
  }

  /** Consolidating inference with this model, no instructions, no categories. */
  public static InferenceSettings with(LanguageModel model) {
    return new InferenceSettings(model, InferenceMode.CONSOLIDATE, "", List.of());
  }

  /** The model, if one is configured. */
  public Optional<LanguageModel> modelIfAny() {
    return Optional.ofNullable(model);
  }

  /** A copy in another mode. */
  public InferenceSettings withMode(InferenceMode m) {
    return new InferenceSettings(model, m, instructions, categories, maxFacts, maxFactChars);
  }

  /** A copy with standing instructions. */
  public InferenceSettings withInstructions(String text) {
    return new InferenceSettings(model, mode, text, categories, maxFacts, maxFactChars);
  }

  /** A copy with a category vocabulary. */
  public InferenceSettings withCategories(List<String> names) {
    return new InferenceSettings(model, mode, instructions, names, maxFacts, maxFactChars);
  }

  /** A copy using another model (null: verbatim). */
  public InferenceSettings withModel(@Nullable LanguageModel m) {
    return new InferenceSettings(m, mode, instructions, categories, maxFacts, maxFactChars);
  }

  /** A copy with other limits on what one add takes from the model's answer. */
  public InferenceSettings withLimits(int facts, int factChars) {
    return new InferenceSettings(model, mode, instructions, categories, facts, factChars);
  }
}
