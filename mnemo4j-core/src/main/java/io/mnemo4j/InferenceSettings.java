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
 */
public record InferenceSettings(
    @Nullable LanguageModel model,
    InferenceMode mode,
    String instructions,
    List<String> categories) {

  /** Copies the categories. */
  public InferenceSettings {
    java.util.Objects.requireNonNull(mode, "mode");
    java.util.Objects.requireNonNull(instructions, "instructions");
    categories = List.copyOf(categories);
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
    return new InferenceSettings(model, m, instructions, categories);
  }

  /** A copy with standing instructions. */
  public InferenceSettings withInstructions(String text) {
    return new InferenceSettings(model, mode, text, categories);
  }

  /** A copy with a category vocabulary. */
  public InferenceSettings withCategories(List<String> names) {
    return new InferenceSettings(model, mode, instructions, names);
  }

  /** A copy using another model (null: verbatim). */
  public InferenceSettings withModel(@Nullable LanguageModel m) {
    return new InferenceSettings(m, mode, instructions, categories);
  }
}
