/**
 * Mnemo4j inside Spring AI: {@link io.mnemo4j.spring.ai.MnemoMemoryAdvisor} (long-term memory
 * around each call), {@link io.mnemo4j.spring.ai.MnemoChatMemoryRepository} (chat windows kept in a
 * tenant) and {@link io.mnemo4j.spring.ai.SpringAiLanguageModel} (the application's {@code
 * ChatModel} as Mnemo4j's language model). Usable without Spring Boot; the auto-configuration wires
 * them.
 */
@NullMarked
package io.mnemo4j.spring.ai;

import org.jspecify.annotations.NullMarked;
