/**
 * Hybrid search: dense and full-text candidates scored by a relevance that depends on the query,
 * the memory and the tenant's collection only.
 *
 * <p><b>Not API.</b> Internal to mnemo4j-core: its module does not export this package, and
 * anything here may change in any release. Use {@link io.mnemo4j.Mnemo} and {@link
 * io.mnemo4j.TenantMemory}.
 */
@NullMarked
package io.mnemo4j.internal.search;

import org.jspecify.annotations.NullMarked;
