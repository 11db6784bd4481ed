/**
 * The {@code mnemo} command line: {@link io.mnemo4j.cli.MnemoCli} and the LoCoMo retrieval
 * evaluation.
 */
@NullMarked
package io.mnemo4j.cli;

import org.jspecify.annotations.NullMarked;
