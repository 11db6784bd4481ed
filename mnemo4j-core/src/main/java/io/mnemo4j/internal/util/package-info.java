/**
 * Small helpers of the core: the normalised text hash, time-ordered UUIDv7 ids, the core's own
 * JSON.
 *
 * <p><b>Not API.</b> Internal to mnemo4j-core: its module does not export this package, and
 * anything here may change in any release. Use {@link io.mnemo4j.Mnemo} and {@link
 * io.mnemo4j.TenantMemory}.
 */
@NullMarked
package io.mnemo4j.internal.util;

import org.jspecify.annotations.NullMarked;
