/**
 * What the core puts around every tenant store (argument checks, the dimension rule) and what the
 * stores share with it: the stored JSON of memory fields, and for the JDBC stores the rows they
 * keep alike and the catalog's statements (the only use of {@code java.sql} in the core).
 *
 * <p><b>Not API.</b> Internal to mnemo4j-core: its module does not export this package but to the
 * store modules, and anything here may change in any release. Use {@link io.mnemo4j.Mnemo} and
 * {@link io.mnemo4j.TenantMemory}.
 */
@NullMarked
package io.mnemo4j.internal.store;

import org.jspecify.annotations.NullMarked;
