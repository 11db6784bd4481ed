/**
 * The portable export format ({@code mnemo4j-export}, JSON Lines; see docs/export-format.md): its
 * records, a streaming writer and reader, and the options and receipts of exporting and importing a
 * tenant through {@link io.mnemo4j.Admin}.
 */
@NullMarked
package io.mnemo4j.transfer;

import org.jspecify.annotations.NullMarked;
