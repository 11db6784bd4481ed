/**
 * The {@link io.mnemo4j.llm.LanguageModel} SPI over LangChain4j chat models: {@link
 * io.mnemo4j.llm.langchain4j.LangChain4jLanguageModel} adapts any {@code ChatModel}, {@link
 * io.mnemo4j.llm.langchain4j.LanguageModels} builds one from an {@link
 * io.mnemo4j.llm.langchain4j.LlmConfig} (OpenAI, Ollama, Anthropic), and {@link
 * io.mnemo4j.llm.langchain4j.RetryAfterHttpClientBuilder} keeps the HTTP {@code Retry-After} that
 * LangChain4j's own clients drop.
 */
@NullMarked
package io.mnemo4j.llm.langchain4j;

import org.jspecify.annotations.NullMarked;
