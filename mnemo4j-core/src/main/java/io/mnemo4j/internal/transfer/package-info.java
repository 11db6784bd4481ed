/**
 * Export and import of a whole tenant in the portable format of {@link io.mnemo4j.transfer}:
 * streaming reads of the tenant's store into lines, and a validating two-pass import.
 *
 * <p><b>Not API.</b> Internal to mnemo4j-core: its module does not export this package, and
 * anything here may change in any release. Use {@link io.mnemo4j.Admin}.
 */
@NullMarked
package io.mnemo4j.internal.transfer;

import org.jspecify.annotations.NullMarked;
