/**
 * The Mnemo4j memory API: {@link io.mnemo4j.Mnemo}, {@link io.mnemo4j.TenantMemory} and their
 * values.
 */
@NullMarked
package io.mnemo4j;

import org.jspecify.annotations.NullMarked;
