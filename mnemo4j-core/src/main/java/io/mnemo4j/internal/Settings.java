package io.mnemo4j.internal;

import io.mnemo4j.SearchTuning;

/**
 * The engine's fixed settings, validated by {@code Mnemo.Builder} where each is set. Immutable.
 *
 * @param nearDuplicateThreshold the default near-duplicate threshold of verbatim adds, in (0, 1]
 * @param contextWindow how many preceding messages of an add are embedded with each message
 * @param contextAfter how many following messages of an add are kept beside each for full text
 * @param tuning how hybrid search weighs its signals
 */
public record Settings(
    double nearDuplicateThreshold, int contextWindow, int contextAfter, SearchTuning tuning) {}
