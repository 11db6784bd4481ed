/**
 * The engine behind the API: the shared context (clock, ids, embedder, settings, tenants with their
 * leases, scope locks), the pipelines built from it, and reads by id.
 *
 * <p><b>Not API.</b> Internal to mnemo4j-core: its module does not export this package, and
 * anything here may change in any release. Use {@link io.mnemo4j.Mnemo} and {@link
 * io.mnemo4j.TenantMemory}.
 */
@NullMarked
package io.mnemo4j.internal;

import org.jspecify.annotations.NullMarked;
