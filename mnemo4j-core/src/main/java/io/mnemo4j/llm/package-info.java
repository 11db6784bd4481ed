/**
 * The language-model SPI: what the inference pipeline needs from a chat model (messages in, text or
 * JSON out, token usage back), and nothing vendor-specific. Adapters live in other modules.
 */
@NullMarked
package io.mnemo4j.llm;

import org.jspecify.annotations.NullMarked;
