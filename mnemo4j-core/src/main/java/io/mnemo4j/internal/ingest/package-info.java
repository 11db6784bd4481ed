/**
 * Adding, changing and removing memories: verbatim and inferred adds, near-duplicate decisions,
 * language-model calls, asynchronous adds, updates and bulk removals.
 *
 * <p><b>Not API.</b> Internal to mnemo4j-core: its module does not export this package, and
 * anything here may change in any release. Use {@link io.mnemo4j.Mnemo} and {@link
 * io.mnemo4j.TenantMemory}.
 */
@NullMarked
package io.mnemo4j.internal.ingest;

import org.jspecify.annotations.NullMarked;
