/**
 * Mnemo4j inside LangChain4j: {@link io.mnemo4j.langchain4j.MnemoContentRetriever} brings a
 * tenant's long-term memories into an AI service's prompt, and {@link
 * io.mnemo4j.langchain4j.MnemoChatMemoryStore} keeps each chat memory's message window in the
 * tenant. Both work on one {@link io.mnemo4j.TenantMemory}; needs {@code langchain4j-core} only.
 */
@NullMarked
package io.mnemo4j.langchain4j;

import org.jspecify.annotations.NullMarked;
