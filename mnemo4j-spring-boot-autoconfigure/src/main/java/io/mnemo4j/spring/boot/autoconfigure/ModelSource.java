package io.mnemo4j.spring.boot.autoconfigure;

import io.mnemo4j.llm.LanguageModel;
import java.util.Optional;

/**
 * A language model the application already has (its Spring AI ChatModel), resolved when the Mnemo
 * bean is built; a type of ours, so the core configuration loads without Spring AI.
 */
interface ModelSource {
  /** The model, when the application has one to offer. */
  Optional<LanguageModel> model();
}
