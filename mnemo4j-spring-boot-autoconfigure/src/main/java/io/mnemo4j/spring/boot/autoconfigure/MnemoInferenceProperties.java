package io.mnemo4j.spring.boot.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Fact extraction with a language model: {@code mnemo.inference.*}. Not thread-safe (bound once).
 */
public class MnemoInferenceProperties {
  /**
   * Whether adds use a language model: the application's LanguageModel bean, else its Spring AI
   * ChatModel bean. Without either, adds store messages verbatim.
   */
  private boolean enabled = true;

  /** The ChatModel bean to use when the application has several. */
  private @Nullable String chatModel;

  /** consolidate (extract, then reconcile with what is stored) or additive (extract only). */
  private String mode = "consolidate";

  /** Standing instructions to the model (what to remember, what never to store). */
  private String instructions = "";

  /** The category vocabulary the model assigns from. */
  private List<String> categories = new ArrayList<>();

  /**
   * How JSON answers are asked of a Spring AI model: auto (the model's native structured output
   * when its options support one, else the schema in the prompt) or prompt.
   */
  private String structuredOutput = "auto";

  /** Returns whether inference is enabled. */
  public boolean isEnabled() {
    return enabled;
  }

  /** Sets whether inference is enabled. */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** Returns the chat model bean name, if set. */
  public @Nullable String getChatModel() {
    return chatModel;
  }

  /** Sets the chat model bean name. */
  public void setChatModel(@Nullable String chatModel) {
    this.chatModel = chatModel;
  }

  /** Returns the mode. */
  public String getMode() {
    return mode;
  }

  /** Sets the mode. */
  public void setMode(String mode) {
    this.mode = mode;
  }

  /** Returns the instructions. */
  public String getInstructions() {
    return instructions;
  }

  /** Sets the instructions. */
  public void setInstructions(String instructions) {
    this.instructions = instructions;
  }

  /** Returns the categories. */
  public List<String> getCategories() {
    return categories;
  }

  /** Sets the categories. */
  public void setCategories(List<String> categories) {
    this.categories = categories;
  }

  /** Returns the structured-output mode. */
  public String getStructuredOutput() {
    return structuredOutput;
  }

  /** Sets the structured-output mode. */
  public void setStructuredOutput(String structuredOutput) {
    this.structuredOutput = structuredOutput;
  }
}
